// `npm test`: the whole suite under node --test, once per backend (KADEMLIA_NATIVE=1, then 0).
// If the addon was not built, the native pass is skipped with a message, never faked.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

const filter = process.argv.slice(2);
const files = testFiles('dist/test').filter((f) => filter.length === 0 || filter.some((x) => f.includes(x))).sort();
const passes = existsSync('build/Release/kadswarm.node') ? ['1', '0'] : ['0'];
if (passes.length === 1) console.log('kadswarm: native addon not built; running the TS pass only');

let passed = 0;
let failed = 0;
for (const native of passes) {
  console.log(`\n=== KADEMLIA_NATIVE=${native} (${native === '1' ? 'native' : 'ts'} backend) ===`);
  const run = spawnSync(process.execPath, ['--expose-gc', '--test', '--test-reporter=spec', ...files], {
    env: { ...process.env, KADEMLIA_NATIVE: native },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(run.stdout);
  passed += Number(/ℹ pass (\d+)/.exec(run.stdout)?.[1] ?? 0);
  const failedHere = Number(/ℹ fail (\d+)/.exec(run.stdout)?.[1] ?? 0);
  failed += failedHere || (run.status === 0 ? 0 : 1);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
