// `npm test`: the whole suite under node --test, once per backend (KADEMLIA_NATIVE=1, then 0),
// printed as it runs. If the addon was not built, the native pass is skipped with a message,
// never faked. The files are found from test/**/*.test.ts, so a compiled test whose source
// is gone never runs. `npm test -- routing` runs only the files whose path contains "routing".
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function testSources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testSources(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const filter = process.argv.slice(2);
const files = testSources('test')
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .map((f) => join('dist', f.replace(/\.ts$/, '.js')))
  .sort();
const missing = files.filter((f) => !existsSync(f));
if (missing.length > 0) {
  console.error(`not compiled: ${missing.join(', ')} (npm test compiles first; run tsc -p tsconfig.json)`);
  process.exit(1);
}
if (files.length === 0) {
  console.error(`no test file matches ${filter.join(' ')}`);
  process.exit(1);
}
const passes = existsSync('build/Release/kadswarm.node') ? ['1', '0'] : ['0'];
if (passes.length === 1) console.log('kadswarm: native addon not built; running the TS pass only');

/** Runs one pass, echoing its output as it comes; resolves with its pass and fail counts. */
function runPass(native) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--test', '--test-reporter=spec', ...files], {
      env: { ...process.env, KADEMLIA_NATIVE: native },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4096); // the summary comes last
    });
    child.on('close', (status) => {
      const passed = Number(/ℹ pass (\d+)/.exec(tail)?.[1] ?? 0);
      const failed = Number(/ℹ fail (\d+)/.exec(tail)?.[1] ?? 0);
      resolve({ passed, failed: failed || (status === 0 ? 0 : 1) });
    });
  });
}

let passed = 0;
let failed = 0;
const started = performance.now();
for (const native of passes) {
  console.log(`\n=== KADEMLIA_NATIVE=${native} (${native === '1' ? 'native' : 'ts'} backend) ===`);
  const result = await runPass(native);
  passed += result.passed;
  failed += result.failed;
}
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
console.log(`\n${passed} passed, ${failed} failed (${minutes} min)`);
process.exit(failed === 0 ? 0 : 1);
