// `npm install` hook: build the C++ addon with node-gyp. A failed build must not fail the
// install: the pure-TS backend takes over, and we say so in one line.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
let nodeGyp;
try {
  nodeGyp = join(dirname(require.resolve('node-gyp/package.json')), 'bin', 'node-gyp.js');
} catch {
  nodeGyp = null;
}
// Build against the headers of the Node running us (never download any): npm passes its
// nodedir setting as npm_config_nodedir; outside npm, use this Node's own prefix.
const args = [nodeGyp, 'rebuild', '--release'];
const prefix = resolve(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const quiet = !process.argv.includes('--verbose');
const result = nodeGyp
  ? spawnSync(process.execPath, args, {
      stdio: quiet ? ['ignore', 'ignore', 'pipe'] : 'inherit',
      encoding: 'utf8',
    })
  : { status: 1, stderr: 'node-gyp is not installed' };
if (result.status === 0) {
  console.error('kadswarm: native addon built (build/Release/kadswarm.node)');
} else {
  const firstError = (result.stderr ?? '').split('\n').find((l) => /error|ERR!/i.test(l)) ?? 'unknown error';
  console.error(`kadswarm: native addon build failed (${firstError.trim()}); the pure-TS backend will be used`);
}
