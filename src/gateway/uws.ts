// Loads uWebSockets.js (installed under that name from @trufflesuite/uws-js-unofficial,
// the build that ships a Linux x64 binary for Node 20). When its native binary cannot
// load, the package falls back to a JS implementation on its own; we say which one runs.
import { createRequire } from 'node:module';

export type Uws = typeof import('uWebSockets.js');

let loaded: { uws: Uws; native: boolean } | null = null;

export function loadUws(): { uws: Uws; native: boolean } {
  if (loaded) return loaded;
  // The package announces its fallback with console.log/warn; stdout belongs to command
  // results, so anything it prints goes to stderr.
  const log = console.log;
  const warn = console.warn;
  const toStderr = (...parts: unknown[]) => process.stderr.write(`uWebSockets.js: ${parts.join(' ').trim().split('\n')[0]}\n`);
  console.log = toStderr;
  console.warn = toStderr;
  try {
    const uws = createRequire(import.meta.url)('uWebSockets.js') as Uws;
    // only the native binary has getParts (and H3App); the fallback has neither
    loaded = { uws, native: typeof (uws as unknown as { getParts?: unknown }).getParts === 'function' };
    return loaded;
  } finally {
    console.log = log;
    console.warn = warn;
  }
}
