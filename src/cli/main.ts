#!/usr/bin/env -S node --max-semi-space-size=64
// The `kademlia` executable. Everything is loaded dynamically so that a startup failure
// (even the native backend refusing to load under KADEMLIA_NATIVE=1) is one line, exit 2.
// The flag: a larger young generation. A simulation's in-flight messages and timers live
// for thousands of events; in the default nursery they get promoted to the old generation
// and collected expensively (a 3,000-node sim runs ~20% faster with it).
import { UsageError } from './usage-error.js';

try {
  const { runCli } = await import('./run.js');
  await runCli(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`kademlia: ${message}${error instanceof UsageError ? ' (see kademlia --help)' : ''}\n`);
  process.exit(2);
}
