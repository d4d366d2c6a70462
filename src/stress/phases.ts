// The seed's workload as phases over a swarm: join, store, (churn), get.
import { keyFromString } from '../id/id.js';
import { immutableKey } from '../protocol/item-signature.js';
import type { PhaseProgress } from '../telemetry/phase-progress.js';
import type { Swarm } from './swarm.js';

/**
 * Runs op(0..count-1) with at most `concurrency` in flight (a number, or a function of
 * how many have finished); resolves when every op has called done.
 */
export async function runOps(
  swarm: Swarm,
  count: number,
  concurrency: number | ((finished: number) => number),
  op: (i: number, done: () => void) => void,
  progress: PhaseProgress,
): Promise<void> {
  let next = 0;
  let finished = 0;
  let active = 0;
  const limit = typeof concurrency === 'number' ? () => concurrency : () => concurrency(finished);
  const launch = () => {
    while (active < limit() && next < count) {
      const i = next++;
      active++;
      op(i, () => {
        active--;
        finished++;
        launch();
      });
    }
  };
  launch();
  await swarm.runUntil(
    () => finished === count,
    () => progress.update(finished),
  );
  progress.update(finished);
}

export interface GetSample {
  key: Uint8Array;
  /** When it started, on the run's time basis. */
  start: number;
  ms: number;
  hops: number;
  /** Nodes it queried. */
  queried: number;
  found: boolean;
  correct: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const keyOf = (i: number) => `key${i}`;
export const valueOf = (i: number) => `value${i}`;
export const missingKeyOf = (i: number) => `missing-key-${i}`;
/** Where node i's value is as an immutable item (the Mainline workload): the hash of the value. */
export const itemKeyOf = (i: number) => immutableKey(encoder.encode(valueOf(i)));

export async function joinPhase(swarm: Swarm, concurrency: number, progress: PhaseProgress): Promise<number> {
  const entry = swarm.entry.address;
  let joined = 0;
  progress.start('join', swarm.size - 1);
  // The network grows the way a real one does: never more nodes joining at once than
  // are already in. (Hundreds joining a network of one leaves whole regions of the id
  // space unaware of each other: half the nodes ended with an empty bucket 1.)
  await runOps(
    swarm,
    swarm.size - 1,
    (finished) => Math.max(1, Math.min(concurrency, finished + 1)),
    (i, done) => {
      swarm.join(i + 1, entry, (result) => {
        if (result.ok) joined++;
        done();
      });
    },
    progress,
  );
  progress.stop();
  return joined;
}

/**
 * Node i stores key<i> -> value<i> (with `items`, value<i> as a BEP 44 immutable item,
 * under the hash of the value: itemKeyOf(i)); returns how many stores reached at least one node.
 */
export async function storePhase(swarm: Swarm, concurrency: number, progress: PhaseProgress, items = false): Promise<number> {
  let stored = 0;
  progress.start('store', swarm.size);
  await runOps(
    swarm,
    swarm.size,
    concurrency,
    (i, done) => {
      swarm.publish(i, items ? null : keyFromString(keyOf(i)), encoder.encode(valueOf(i)), (result) => {
        if (result.replicas > 0) stored++;
        done();
      });
    },
    progress,
  );
  progress.stop();
  return stored;
}

/** Reads `keys` from the entry node; expected(i) is the value, or null for a miss. */
export async function getPhase(
  swarm: Swarm,
  label: string,
  keys: Uint8Array[],
  expected: (i: number) => string | null,
  concurrency: number,
  progress: PhaseProgress,
  record: (sample: GetSample) => void = () => {},
): Promise<GetSample[]> {
  const samples: GetSample[] = new Array(keys.length);
  progress.start(label, keys.length);
  await runOps(
    swarm,
    keys.length,
    concurrency,
    (i, done) => {
      const start = swarm.now();
      swarm.findValue(0, keys[i], (result, ms) => {
        const want = expected(i);
        const got = result.value === null ? null : decoder.decode(result.value);
        samples[i] = { key: keys[i], start, ms, hops: result.hops, queried: result.queried, found: got !== null, correct: got === want };
        record(samples[i]);
        done();
      });
    },
    progress,
  );
  progress.stop();
  return samples;
}

/** Stops a fraction of the nodes (never the entry), chosen by the seeded `pick`. */
export function churn(swarm: Swarm, fraction: number, pick: () => number): number {
  const candidates = Array.from({ length: swarm.size - 1 }, (_, i) => i + 1);
  const kill = Math.round(candidates.length * fraction);
  for (let n = 0; n < kill; n++) {
    const at = n + Math.floor(pick() * (candidates.length - n));
    [candidates[n], candidates[at]] = [candidates[at], candidates[n]];
    swarm.stop(candidates[n]);
  }
  return kill;
}
