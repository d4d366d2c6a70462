// A sweep's results: one row per run (CSV and JSON), and per setting the means over its
// seeds, with the lower convex hull of latency against bandwidth that Li et al. (IPTPS
// 2004) draw to compare designs: the best latency any setting buys with a given bandwidth.
import { stringify } from 'csv-stringify/sync';
import type { StressReport } from '../stress/report.js';
import type { SweepPlan } from './sweep-file.js';
import type { RunOutcome } from './sweep-runner.js';

/** What a run measured, the same fields whether it ran an experiment or the seed's read-back. */
export interface RunFigures {
  lookups: number;
  /** Lookups for stored keys that found the right value, over those lookups. */
  lookup_success: number;
  lookup_ms_p50: number;
  lookup_ms_p99: number;
  hops: number;
  messages_per_node_s: number;
  bytes_per_node_s: number;
  churn_per_node_h: number;
  messages: number;
  wall_ms: number;
  cpu_ms: number;
}

export interface SweepRow extends Partial<RunFigures> {
  run: number;
  setting: string;
  seed: number;
  /** The grid's flags, by name. */
  settings: Record<string, string>;
  error: string | null;
}

export interface SettingSummary {
  setting: string;
  settings: Record<string, string>;
  runs: number;
  failed: number;
  /** Means over the setting's runs that finished (null: none did). */
  mean: RunFigures | null;
}

/** A run's figures, in the order of the CSV's columns and the page's table. */
export const FIGURES: Array<keyof RunFigures> = [
  'lookups',
  'lookup_success',
  'lookup_ms_p50',
  'lookup_ms_p99',
  'hops',
  'messages_per_node_s',
  'bytes_per_node_s',
  'churn_per_node_h',
  'messages',
  'wall_ms',
  'cpu_ms',
];

/** A report's figures: the experiment's after its warm-up, or else the read-back's over the run's whole time. */
export function runFigures(r: StressReport): RunFigures {
  const machine = { messages: r.messages, wall_ms: r.wall_ms, cpu_ms: r.cpu_ms };
  const e = r.experiment;
  if (e) {
    return {
      lookups: e.lookups + e.misses,
      lookup_success: e.lookup_success,
      lookup_ms_p50: e.lookup_ms_p50,
      lookup_ms_p99: e.lookup_ms_p99,
      hops: e.lookup_hops_mean,
      messages_per_node_s: e.messages_per_node_s,
      bytes_per_node_s: e.bytes_per_node_s,
      churn_per_node_h: e.churn_per_node_h,
      ...machine,
    };
  }
  const seconds = (r.join_ms + r.store_ms + r.attack_ms + r.churn_ms + r.get_ms) / 1000;
  const perNodeS = (n: number, scale: number) => (seconds > 0 ? Math.round((n / r.nodes / seconds) * scale) / scale : 0);
  return {
    lookups: r.keys + r.misses,
    lookup_success: r.keys === 0 ? 0 : r.found / r.keys,
    lookup_ms_p50: r.hit_ms_p50,
    lookup_ms_p99: r.hit_ms_p99,
    hops: r.hops_p50,
    messages_per_node_s: perNodeS(r.messages, 1000),
    bytes_per_node_s: perNodeS(r.bytes, 10),
    churn_per_node_h: 0,
    ...machine,
  };
}

export function sweepRows(plan: SweepPlan, outcomes: readonly RunOutcome[]): SweepRow[] {
  return outcomes.map(({ run, report, error }) => ({
    run: run.index,
    setting: plan.points[run.point].label,
    seed: run.seed,
    settings: plan.points[run.point].settings,
    error,
    ...(report ? runFigures(report) : {}),
  }));
}

export function settingSummaries(plan: SweepPlan, rows: readonly SweepRow[]): SettingSummary[] {
  return plan.points.map((point) => {
    const mine = rows.filter((row) => row.setting === point.label);
    const done = mine.filter((row) => row.error === null);
    const mean =
      done.length === 0
        ? null
        : (Object.fromEntries(
            FIGURES.map((f) => [f, Math.round((done.reduce((s, row) => s + (row[f] ?? 0), 0) / done.length) * 1000) / 1000]),
          ) as unknown as RunFigures);
    return { setting: point.label, settings: point.settings, runs: mine.length, failed: mine.length - done.length, mean };
  });
}

/**
 * The lower convex hull of (x, y) points, from the least x to the least y: the frontier no
 * setting beats on both. Returns the indexes of the points on it, in order of x.
 */
export function lowerHull(points: ReadonlyArray<[number, number]>): number[] {
  const order = points.map((_, i) => i).sort((a, b) => points[a][0] - points[b][0] || points[a][1] - points[b][1]);
  const hull: number[] = [];
  const cross = (o: number, a: number, b: number) =>
    (points[a][0] - points[o][0]) * (points[b][1] - points[o][1]) - (points[a][1] - points[o][1]) * (points[b][0] - points[o][0]);
  for (const i of order) {
    while (hull.length >= 2 && cross(hull[hull.length - 2], hull[hull.length - 1], i) <= 0) hull.pop();
    hull.push(i);
  }
  // past the lowest point the lower hull climbs again: more bandwidth for worse latency is no tradeoff
  let lowest = 0;
  hull.forEach((i, at) => {
    if (points[i][1] < points[hull[lowest]][1]) lowest = at;
  });
  return hull.slice(0, lowest + 1);
}

export function sweepCsv(plan: SweepPlan, rows: readonly SweepRow[]): string {
  const columns = ['run', 'setting', ...plan.axes, 'seed', ...FIGURES, 'error'];
  return stringify(
    rows.map((row) => [
      row.run,
      row.setting,
      ...plan.axes.map((a) => row.settings[a]),
      row.seed,
      ...FIGURES.map((f) => row[f] ?? ''),
      row.error ?? '',
    ]),
    { header: true, columns },
  );
}
