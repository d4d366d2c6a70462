import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readInputFile } from '../../src/cli/input-file.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { tempDir } from '../helpers/temp-dir.js';

test('an input file is read whole; one that cannot be read is one usage line naming it and why', () => {
  const dir = tempDir('input');
  const file = join(dir, 'plan.yaml');
  writeFileSync(file, 'base: {}\n');
  assert.equal(readInputFile(file), 'base: {}\n');
  const missing = join(dir, 'missing.csv');
  assert.throws(
    () => readInputFile(missing, '--trace: '),
    (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, `--trace: cannot read ${missing} (ENOENT)`);
      return true;
    },
  );
  assert.throws(() => readInputFile(dir), { message: `cannot read ${dir} (EISDIR)` });
});
