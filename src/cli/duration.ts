// Durations on the command line: 500ms, 30s, 10m, 2h, 1d (the ms package's forms), or a
// bare number of milliseconds.
import ms from 'ms';
import { UsageError } from './usage-error.js';

/** Timers hold at most 2^31 - 1 ms (~24.8 days). */
export const MAX_DURATION_MS = 2_147_483_647;

/** The ms package's reading of `text`; it throws on an empty string, which is just bad input here. */
function parsed(text: string): number | undefined {
  try {
    return ms(text as ms.StringValue);
  } catch {
    return undefined;
  }
}

/** --name as whole milliseconds from `min` to `max`; `fallback` when the flag is absent. */
export function durationFlag(name: string, text: string | undefined, fallback: number, min = 1, max = MAX_DURATION_MS): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : parsed(text);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a duration like 500ms, 30s, 10m or 2h, from ${ms(min)} to ${ms(max)} (got "${text}")`);
  }
  return value;
}
