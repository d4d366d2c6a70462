// The flags of an experiment over time (`kademlia stress --duration D ...`): churn by a
// session-time model, an arrival rate or a trace, and a steady load of lookups and stores.
import { durationFlag } from './duration.js';
import { readInputFile } from './input-file.js';
import { UsageError } from './usage-error.js';
import type { SessionModel } from '../stress/session-model.js';
import { parseChurnTrace } from '../stress/churn-trace.js';
import type { ExperimentSettings } from '../stress/run-stress.js';

export const EXPERIMENT_FLAGS = {
  duration: { type: 'string' },
  warmup: { type: 'string' },
  sessions: { type: 'string' },
  arrivals: { type: 'string' },
  trace: { type: 'string' },
  'lookup-interval': { type: 'string' },
  'store-interval': { type: 'string' },
  'miss-ratio': { type: 'string' },
} as const;

export const EXPERIMENT_HELP = `  An experiment over time: after the join and store phases, the network runs for
  --duration while nodes leave and arrive and every live node looks up and stores keys;
  the report then has the experiment's figures and one row per minute ("series").
  --duration D       how long: virtual time in sim, wall time on udp (30m, 6h...)
  --warmup D         left out of the figures (default a tenth of --duration)
  --sessions MODEL   how long a node stays: exp:MEAN, weibull:SHAPE:SCALE or
                     pareto:SHAPE:SCALE (durations: exp:1h, weibull:0.5:30m). As one
                     node leaves, a node that is down arrives (a new one, or one that
                     left before, with its id): the population holds. Node 0 stays.
  --arrivals R       arrivals per second instead (R/s, R/m or R/h): a Poisson process
                     that brings up a node that is down
  --trace FILE       replay a CSV of time,node,event rows (time in seconds from the
                     start, event join or leave): its nodes are extra nodes, down until
                     their first join
  --lookup-interval D  each live node looks up a stored key about this often
                     (exponential intervals, as a Poisson process)
  --store-interval D each live node stores a new key about this often
  --miss-ratio P     the fraction of lookups for keys never stored (default 0)`;

type Values = { [K in keyof typeof EXPERIMENT_FLAGS]?: string };

const DURATION_SHAPE = 'a duration like 30m';

function positive(text: string, what: string, flag: string): number {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`--${flag}: ${what} must be a number above 0 (got "${text}")`);
  return value;
}

/** exp:MEAN, weibull:SHAPE:SCALE or pareto:SHAPE:SCALE, durations with units. */
export function parseSessionModel(text: string): SessionModel {
  const parts = text.split(':');
  const duration = (t: string) => {
    try {
      return durationFlag('sessions', t, 0);
    } catch {
      throw new UsageError(`--sessions: ${t === '' ? 'a duration is missing' : `"${t}" is not ${DURATION_SHAPE}`} (got "${text}")`);
    }
  };
  if (parts[0] === 'exp' && parts.length === 2) return { kind: 'exp', meanMs: duration(parts[1]) };
  if ((parts[0] === 'weibull' || parts[0] === 'pareto') && parts.length === 3)
    return { kind: parts[0], shape: positive(parts[1], 'SHAPE', 'sessions'), scaleMs: duration(parts[2]) };
  throw new UsageError(`--sessions must be exp:MEAN, weibull:SHAPE:SCALE or pareto:SHAPE:SCALE (got "${text}")`);
}

const PER_MS = { s: 1 / 1000, m: 1 / 60_000, h: 1 / 3_600_000 } as const;

/** R, R/s, R/m or R/h: arrivals per ms. */
export function parseArrivals(text: string): number {
  const m = /^([^/]+?)(?:\/([smh]))?$/.exec(text);
  if (!m) throw new UsageError(`--arrivals must be a rate like 3/s, 20/m or 500/h (got "${text}")`);
  return positive(m[1], 'the rate', 'arrivals') * PER_MS[(m[2] ?? 's') as keyof typeof PER_MS];
}

function readTrace(file: string): ExperimentSettings['trace'] {
  const text = readInputFile(file, '--trace: ');
  try {
    const trace = parseChurnTrace(text, file);
    if (trace.events.length === 0) throw new Error(`${file} has no events`);
    return trace;
  } catch (error) {
    throw new UsageError(`--trace: ${(error as Error).message}`);
  }
}

/** The experiment the flags ask for, or undefined without --duration (then none of its flags may be given). */
export function parseExperimentFlags(values: Values, churn: number): ExperimentSettings | undefined {
  if (values.duration === undefined) {
    const stray = (Object.keys(EXPERIMENT_FLAGS) as Array<keyof Values>).find((flag) => values[flag] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --duration D: it is part of an experiment over time`);
    return undefined;
  }
  const durationMs = durationFlag('duration', values.duration, 0, 1000);
  if (churn > 0)
    throw new UsageError('--churn and --duration do not go together: an experiment has its own churn (--sessions, --arrivals, --trace)');
  if (values.sessions !== undefined && values.trace !== undefined)
    throw new UsageError('--sessions and --trace do not go together: the trace says who leaves when');
  if (values.arrivals !== undefined && values.trace !== undefined)
    throw new UsageError('--arrivals and --trace do not go together: the trace says who arrives when');
  if (values['miss-ratio'] !== undefined && values['lookup-interval'] === undefined)
    throw new UsageError('--miss-ratio needs --lookup-interval: it is a share of the lookups');
  const missRatio = values['miss-ratio'] === undefined ? 0 : Number(values['miss-ratio']);
  if (!(missRatio >= 0 && missRatio <= 1) || values['miss-ratio'] === '')
    throw new UsageError(`--miss-ratio must be a fraction from 0 to 1 (got "${values['miss-ratio']}")`);
  const interval = (flag: 'lookup-interval' | 'store-interval') =>
    values[flag] === undefined ? null : durationFlag(flag, values[flag], 0);
  return {
    durationMs,
    warmupMs: durationFlag('warmup', values.warmup, Math.round(durationMs / 10), 0, durationMs - 1),
    sessions: values.sessions === undefined ? null : parseSessionModel(values.sessions),
    arrivalsPerMs: values.arrivals === undefined ? null : parseArrivals(values.arrivals),
    trace: values.trace === undefined ? null : readTrace(values.trace),
    traceFile: values.trace ?? null,
    lookupIntervalMs: interval('lookup-interval'),
    storeIntervalMs: interval('store-interval'),
    missRatio,
  };
}
