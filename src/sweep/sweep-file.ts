// An experiment file for `kademlia sweep`: the stress flags every run shares, a grid of
// flags to vary, and the seeds each setting runs with. JSON or YAML:
//
//   name: k-against-churn
//   base: { transport: sim, nodes: 3000, duration: 2h, lookup-interval: 10m }
//   grid: { k: [8, 20], sessions: [exp:30m, exp:1h, exp:2h] }
//   seeds: [1, 2, 3]          # or repetitions: 3 (seeds 1..3)
import { parse as parseYaml } from 'yaml';

/** Flags the sweep sets itself, for every run. */
const OWN_FLAGS = ['seed', 'json', 'csv', 'report', 'http', 'no-progress', 'help'];

export interface SweepPoint {
  /** The grid's flags for this setting, by name. */
  settings: Record<string, string>;
  /** "k=8 sessions=exp:30m". */
  label: string;
}

export interface SweepRun {
  /** Its place in the sweep (0-based): runs go setting by setting, seed by seed. */
  index: number;
  point: number;
  seed: number;
  /** The stress command line, without --json and --no-progress (the runner adds them). */
  args: string[];
}

export interface SweepPlan {
  name: string;
  base: Record<string, string>;
  /** The grid's flag names, in the file's order. */
  axes: string[];
  points: SweepPoint[];
  seeds: number[];
  runs: SweepRun[];
}

type FlagValue = string | number;

/** A flag's value as the command line takes it. */
function flagText(flag: string, value: unknown, where: string): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new Error(`${where}: the value of ${flag} must be a string or a number (got ${JSON.stringify(value)})`);
}

function flagsOf(record: unknown, where: string): Record<string, FlagValue> {
  if (record === undefined) return {};
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    throw new Error(`${where} must be a map of flag names to values`);
  return record as Record<string, FlagValue>;
}

const toArgs = (flags: Record<string, string>) => Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]);

/** Reads an experiment file (JSON, or YAML, a superset of it). The flags' values are the stress command's to check. */
export function parseSweepFile(text: string, file = 'the experiment file'): SweepPlan {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new Error(`${file}: not JSON or YAML (${(error as Error).message.split('\n')[0]})`, { cause: error });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${file}: expected a map with base, grid and seeds`);
  const { name, base, grid, seeds, repetitions, ...rest } = doc as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new Error(`${file}: unknown field ${unknown[0]} (the fields are name, base, grid, seeds, repetitions)`);
  const baseGiven = flagsOf(base, `${file}: base`);
  const gridFlags = flagsOf(grid, `${file}: grid`);
  const axes = Object.keys(gridFlags);
  for (const flag of [...Object.keys(baseGiven), ...axes]) {
    if (OWN_FLAGS.includes(flag))
      throw new Error(`${file}: --${flag} is set by the sweep itself${flag === 'seed' ? ' (use seeds or repetitions)' : ''}`);
    if (axes.includes(flag) && flag in baseGiven) throw new Error(`${file}: ${flag} is both in base and in grid`);
  }
  const baseFlags = Object.fromEntries(Object.entries(baseGiven).map(([k, v]) => [k, flagText(k, v, `${file}: base`)]));
  const values: string[][] = axes.map((axis) => {
    const list = gridFlags[axis] as unknown;
    if (!Array.isArray(list) || list.length === 0) throw new Error(`${file}: grid.${axis} must be a list of values`);
    return list.map((v) => flagText(axis, v, `${file}: grid.${axis}`));
  });
  let seedList: number[];
  if (seeds !== undefined && repetitions !== undefined) throw new Error(`${file}: give seeds or repetitions, not both`);
  if (seeds !== undefined) {
    if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= 0xffffffff))
      throw new Error(`${file}: seeds must be a list of integers from 0 to 4294967295`);
    seedList = seeds as number[];
  } else {
    const count = repetitions ?? 1;
    if (!Number.isInteger(count) || (count as number) < 1) throw new Error(`${file}: repetitions must be a positive integer`);
    seedList = Array.from({ length: count as number }, (_, i) => i + 1);
  }
  // every combination of the grid's values, the first axis slowest
  let combos: Array<Record<string, string>> = [{}];
  axes.forEach((axis, a) => (combos = combos.flatMap((combo) => values[a].map((v) => ({ ...combo, [axis]: v })))));
  const points = combos.map((settings) => ({ settings, label: axes.map((axis) => `${axis}=${settings[axis]}`).join(' ') || 'base' }));
  const runs: SweepRun[] = [];
  points.forEach((point, p) =>
    seedList.forEach((seed) =>
      runs.push({ index: runs.length, point: p, seed, args: [...toArgs(baseFlags), ...toArgs(point.settings), '--seed', String(seed)] }),
    ),
  );
  return { name: typeof name === 'string' && name !== '' ? name : 'sweep', base: baseFlags, axes, points, seeds: seedList, runs };
}
