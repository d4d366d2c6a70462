// --csv: one row per operation, for people's own analysis (pandas, R, a spreadsheet).
import { stringify } from 'csv-stringify/sync';
import type { Operation } from './experiment.js';

export const OPERATION_COLUMNS = ['kind', 'node', 'key', 'start_ms', 'latency_ms', 'hops', 'messages', 'outcome'] as const;

/** Times in ms to the microsecond: enough for any latency, and the same text for the same run. */
const ms = (v: number) => Math.round(v * 1000) / 1000;

export function operationsCsv(operations: readonly Operation[]): string {
  return stringify(
    operations.map((op) => [op.kind, op.node, op.key, ms(op.start), ms(op.latency), op.hops, op.messages, op.outcome]),
    { header: true, columns: [...OPERATION_COLUMNS] },
  );
}
