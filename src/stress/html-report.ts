// --report FILE.html: one self-contained page for a run (uPlot, its style, our script and
// the run's data inlined), which opens offline from a file and can be mailed or archived.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Operation } from './experiment.js';
import type { StressReport } from './report.js';

const REPORT_DIR = new URL('../../../static/report/', import.meta.url);
/** Points a CDF keeps: enough for a smooth curve, few enough for a small page. */
const CDF_POINTS = 400;

/** What the page draws, worked out here so that the page holds figures, not every operation. */
export interface RunPageData {
  title: string;
  report: StressReport;
  /** Successful lookups by hops: hops[i] rounds, count[i] lookups. */
  hops: { hops: number[]; count: number[] };
  /** Latency CDFs: [ms, fraction] points, of lookups that found their value and of misses. */
  hits: [number[], number[]];
  misses: [number[], number[]];
  /** Messages sent in each phase of the run. */
  phases: { names: string[]; messages: number[] };
}

/** [ms, fraction] at most CDF_POINTS points (evenly spaced ranks), ending at 1. */
export function cdf(latencies: number[]): [number[], number[]] {
  const sorted = Float64Array.from(latencies).sort();
  const n = sorted.length;
  if (n === 0) return [[], []];
  const xs: number[] = [];
  const ys: number[] = [];
  const points = Math.min(n, CDF_POINTS);
  for (let p = 1; p <= points; p++) {
    const rank = Math.ceil((p / points) * n) - 1;
    xs.push(Math.round(sorted[rank] * 100) / 100);
    ys.push((rank + 1) / n);
  }
  return [xs, ys];
}

export function runPageData(report: StressReport, operations: readonly Operation[]): RunPageData {
  const found = operations.filter((op) => op.kind === 'lookup' && op.outcome === 'found');
  const most = found.reduce((m, op) => Math.max(m, op.hops), 0);
  const count = new Array<number>(found.length === 0 ? 0 : most + 1).fill(0);
  for (const op of found) count[op.hops]++;
  const phases = (['join', 'store', 'attack', 'churn', 'experiment', 'get'] as const).filter((p) => report[`${p}_messages`] > 0);
  return {
    title: `kadswarm stress: ${report.nodes.toLocaleString('en-US')} nodes, ${report.transport}, seed ${report.seed}`,
    report,
    hops: { hops: count.map((_, h) => h), count },
    hits: cdf(found.map((op) => op.latency)),
    misses: cdf(operations.filter((op) => op.kind === 'miss').map((op) => op.latency)),
    phases: { names: phases, messages: phases.map((p) => report[`${p}_messages`]) },
  };
}

/** Text for inside a <script> or <style> element: nothing in it can close the element early. */
const inline = (text: string) => text.replace(/<\/(script|style)/gi, '<\\/$1');

/** A page with `data` as window.kadswarmReport and `script` drawing it: everything inlined. */
export function selfContainedPage(title: string, data: unknown, script: 'run' | 'sweep'): string {
  const resolve = createRequire(import.meta.url).resolve;
  const read = (url: URL | string) => readFileSync(url, 'utf8');
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>${escape(title)}</title>
<style>${inline(read(resolve('uplot/dist/uPlot.min.css')))}</style>
<style>${inline(read(new URL('report.css', REPORT_DIR)))}</style>
</head>
<body>
<main id="report"></main>
<script>window.kadswarmReport = ${inline(JSON.stringify(data))};</script>
<script>${inline(read(resolve('uplot/dist/uPlot.iife.min.js')))}</script>
<script>${inline(read(new URL('common.js', REPORT_DIR)))}</script>
<script>${inline(read(new URL(`${script}.js`, REPORT_DIR)))}</script>
</body>
</html>
`;
}

export function runReportPage(report: StressReport, operations: readonly Operation[]): string {
  const data = runPageData(report, operations);
  return selfContainedPage(data.title, data, 'run');
}
