// A file named on the command line (a trace, a sweep file), read whole.
import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

/** The file's text; a UsageError naming the file and why it could not be read (ENOENT, EACCES...), with `context` before it. */
export function readInputFile(file: string, context = ''): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${context}cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
