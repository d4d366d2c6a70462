// How long a node stays in the network: the session-time distributions churn studies fit to
// measured networks (exponential as in Li et al. 2004; Weibull and Pareto, whose long tails
// Stutzbach and Rejaie measured in Kad and Gnutella).
import type { RandomSource } from '../util/random.js';

export type SessionModel =
  | { kind: 'exp'; meanMs: number }
  | { kind: 'weibull'; shape: number; scaleMs: number }
  | { kind: 'pareto'; shape: number; scaleMs: number };

/** The model as its text form (exp:MEAN, weibull:SHAPE:SCALE, pareto:SHAPE:SCALE), durations in ms. */
export function describeSessions(model: SessionModel): string {
  if (model.kind === 'exp') return `exp:${model.meanMs}`;
  return `${model.kind}:${model.shape}:${model.scaleMs}`;
}

/** A uniform draw in (0, 1]: the inverse transforms below take its logarithm or divide by it. */
const open = (random: RandomSource) => 1 - random.float();

/** One session's length in ms, by inverse transform sampling (at least 1 ms). */
export function sampleSession(model: SessionModel, random: RandomSource): number {
  const u = open(random);
  let ms: number;
  switch (model.kind) {
    case 'exp':
      ms = -model.meanMs * Math.log(u);
      break;
    case 'weibull':
      ms = model.scaleMs * Math.pow(-Math.log(u), 1 / model.shape);
      break;
    case 'pareto':
      ms = model.scaleMs / Math.pow(u, 1 / model.shape);
      break;
  }
  return Math.max(1, ms);
}
