// A churn trace: who joins and who leaves when, as a CSV file of `time,node,event` rows
// (time in seconds from the experiment's start, any label for the node, join or leave),
// replayed exactly. A measured trace (Kad, Mainline crawls) drops straight in.
import { parse } from 'csv-parse/sync';

export interface TraceEvent {
  timeMs: number;
  /** The node, numbered by first appearance in the trace (0, 1, ...). */
  node: number;
  join: boolean;
}

export interface ChurnTrace {
  events: TraceEvent[];
  /** The node labels, by number. */
  labels: string[];
}

/** Reads a trace; throws one line naming the row for anything that is not a valid trace. */
export function parseChurnTrace(text: string, name = 'trace'): ChurnTrace {
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, comment: '#', relax_column_count: true }) as string[][];
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const header = rows.length > 0 && rows[0][0]?.toLowerCase() === 'time' ? 1 : 0;
  rows = rows.slice(header);
  const numbers = new Map<string, number>();
  const labels: string[] = [];
  const up: boolean[] = [];
  const events: TraceEvent[] = [];
  // validated in time order (a stable sort keeps rows of one instant as written)
  const ordered = rows
    .map((row, at) => ({ row, line: at + 1 + header, seconds: Number(row[0]) }))
    .sort((a, b) => (Number.isNaN(a.seconds) || Number.isNaN(b.seconds) ? 0 : a.seconds - b.seconds));
  for (const { row, line, seconds } of ordered) {
    const where = `${name} row ${line}`; // rows as written, the header counted, blank and comment lines not
    if (row.length !== 3) throw new Error(`${where}: expected time,node,event (got ${row.length} fields)`);
    const [, label, event] = row;
    if (row[0] === '' || !Number.isFinite(seconds) || seconds < 0) throw new Error(`${where}: time must be seconds >= 0 (got "${row[0]}")`);
    if (label === '') throw new Error(`${where}: the node is empty`);
    if (event !== 'join' && event !== 'leave') throw new Error(`${where}: event must be join or leave (got "${event}")`);
    let node = numbers.get(label);
    if (node === undefined) {
      node = labels.length;
      numbers.set(label, node);
      labels.push(label);
      up.push(false);
    }
    const join = event === 'join';
    if (join === up[node]) throw new Error(`${where}: node ${label} ${join ? 'joins while it is up' : 'leaves while it is down'}`);
    up[node] = join;
    events.push({ timeMs: Math.round(seconds * 1000), node, join });
  }
  return { events, labels };
}
