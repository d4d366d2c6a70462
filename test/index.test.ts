// What `import 'kadswarm'` loads, seen from outside the checkout (a project whose
// node_modules/kadswarm is this package, as `npm install <path>` makes it): the engine
// alone. The gateway (uWebSockets.js, prom-client) and the harness (stress runs, the CLI,
// progress bars) load only through their own entry points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every module a fresh process resolves (ESM resolve hook) or requires (CJS cache) while importing `specifier`. */
function modulesLoadedBy(specifier: string): { loaded: string[]; exports: string[] } {
  const project = mkdtempSync(join(tmpdir(), 'kadswarm-import-'));
  try {
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(PACKAGE_ROOT, join(project, 'node_modules', 'kadswarm'), 'dir');
    const log = join(project, 'loaded.txt');
    writeFileSync(
      join(project, 'hook.mjs'),
      `import { appendFileSync } from 'node:fs';
       export async function resolve(specifier, context, next) {
         const result = await next(specifier, context);
         appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
         return result;
       }`,
    );
    writeFileSync(join(project, 'register.mjs'), `import { register } from 'node:module'; register('./hook.mjs', import.meta.url);`);
    writeFileSync(
      join(project, 'main.mjs'),
      `import { createRequire } from 'node:module';
       import { appendFileSync } from 'node:fs';
       const loaded = await import(${JSON.stringify(specifier)});
       appendFileSync(${JSON.stringify(log)}, Object.keys(createRequire(import.meta.url).cache).join('\\n') + '\\n');
       console.log(JSON.stringify(Object.keys(loaded).sort()));`,
    );
    const run = spawnSync(process.execPath, ['--import', './register.mjs', 'main.mjs'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 0, run.stderr);
    return { loaded: readFileSync(log, 'utf8').split('\n').filter(Boolean), exports: JSON.parse(run.stdout) as string[] };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

const HARNESS = [/uWebSockets\.js/, /prom-client/, /cli-progress/, /\/src\/(gateway|telemetry|stress|cli)\//];

test("import 'kadswarm' loads the engine and nothing of the gateway or the harness", () => {
  const { loaded, exports } = modulesLoadedBy('kadswarm');
  assert.ok(
    loaded.some((url) => url.includes('/dist/src/node/kademlia-node.js')),
    'the node is loaded',
  );
  for (const pattern of HARNESS)
    assert.deepEqual(
      loaded.filter((url) => pattern.test(url)),
      [],
      `nothing matching ${pattern}`,
    );
  for (const name of [
    'KademliaNode',
    'UdpTransport',
    'MemoryNetwork',
    'RealClock',
    'VirtualClock',
    'keyFromString',
    'closest',
    'backend',
  ]) {
    assert.ok(exports.includes(name), `exports ${name}`);
  }
  for (const name of ['startGateway', 'Telemetry', 'nodeTarget']) assert.ok(!exports.includes(name), `${name} is kadswarm/gateway's`);
});

test("import 'kadswarm/gateway' is where prom-client loads (and uWebSockets.js, once a gateway starts)", () => {
  const { loaded, exports } = modulesLoadedBy('kadswarm/gateway');
  assert.ok(
    loaded.some((url) => /prom-client/.test(url)),
    'prom-client: the check above can see a package load',
  );
  assert.ok(
    loaded.some((url) => url.includes('/dist/src/gateway/gateway.js')),
    'the gateway',
  );
  assert.deepEqual(exports, ['Telemetry', 'nodeTarget', 'startGateway']);
});

/** Every .ts file under dir, as paths relative to the package root. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(join(PACKAGE_ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourcesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

test('one module loads the native addon: no other source names the .node file', () => {
  const naming = sourcesUnder('src').filter((path) => readFileSync(join(PACKAGE_ROOT, path), 'utf8').includes('kadswarm.node'));
  assert.deepEqual(naming, ['src/native/binding.ts']);
});
