// The one loader of the native addon: where it loads from (KADEMLIA_NATIVE_ADDON points at
// another build), and what a failure to load looks like.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addonPath, loadNativeAddon } from '../../src/native/binding.js';

const BUILT = fileURLToPath(new URL('../../../build/Release/kadswarm.node', import.meta.url));
const INDEX = new URL('../../src/index.js', import.meta.url).href;
const skip = existsSync(BUILT) ? false : 'the addon was not built';

/** The backend a fresh process picks under `env`, or its error. */
function backendUnder(env: Record<string, string>) {
  const script = `import(${JSON.stringify(INDEX)}).then((m) => console.log(m.backend))`;
  return spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 });
}

test('the addon comes from the build unless KADEMLIA_NATIVE_ADDON names another file', () => {
  assert.equal(addonPath(undefined), BUILT);
  assert.equal(addonPath(''), BUILT);
  assert.equal(addonPath('/opt/debug/kadswarm.node'), '/opt/debug/kadswarm.node');
});

test('KADEMLIA_NATIVE_ADDON loads that file: a copy of the build works', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kadswarm-addon-'));
  try {
    const copy = join(dir, 'other.node');
    copyFileSync(BUILT, copy);
    const run = backendUnder({ KADEMLIA_NATIVE: '1', KADEMLIA_NATIVE_ADDON: copy });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'native');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an addon that is not there: KADEMLIA_NATIVE=1 refuses, naming the file; unset falls back to TS', () => {
  const missing = { KADEMLIA_NATIVE_ADDON: '/nonexistent/kadswarm.node' };
  const required = backendUnder({ ...missing, KADEMLIA_NATIVE: '1' });
  assert.notEqual(required.status, 0);
  assert.match(required.stderr, /KADEMLIA_NATIVE=1 but the native addon could not be loaded from \/nonexistent\/kadswarm\.node: /);
  const fallback = backendUnder({ ...missing, KADEMLIA_NATIVE: '' });
  assert.equal(fallback.status, 0, fallback.stderr);
  assert.equal(fallback.stdout.trim(), 'ts');
});

test('a load failure is a reason, never an exception, and is remembered', () => {
  const first = loadNativeAddon();
  assert.equal(loadNativeAddon(), first, 'loaded once per thread');
  if (!first.ok) assert.match(first.reason, /\S/);
  assert.equal(first.path, addonPath());
});
