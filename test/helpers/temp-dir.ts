// Temporary folders for a test file, removed when its process exits (pass or fail).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under the system's temporary folder, named kadswarm-NAME-XXXXXX. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kadswarm-${name}-`));
  made.push(dir);
  return dir;
}
