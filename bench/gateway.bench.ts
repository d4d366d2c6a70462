// `npm run bench:gateway`: requests/s for GET of a stored key through the HTTP gateway
// (uWebSockets.js), measured with autocannon on loopback. The node runs in its own
// process (`kademlia -l ... --http ...`), so the load generator does not share its core.
//   npm run bench:gateway -- [--seconds S] [--connections C] [--runs R]
import { parseArgs } from 'node:util';
import os from 'node:os';
import autocannon from 'autocannon';
import { CliProcess } from '../test/helpers/cli-process.js';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, connections: { type: 'string' }, runs: { type: 'string' } } });
const seconds = Number(values.seconds ?? 10);
const connections = Number(values.connections ?? 100);
const runs = Number(values.runs ?? 3);

const node = await CliProcess.node(['--http', '127.0.0.1:0']);
try {
  await node.until(() => node.gatewayUrl !== '', 10_000, 'the gateway line');
  const url = `${node.gatewayUrl}/v1/keys/bench-key`;
  const put = await fetch(url, { method: 'PUT', body: 'a value of about forty bytes, stored once' });
  if (put.status !== 201) throw new Error(`PUT answered ${put.status}`);
  const server = node.stderr.find((line) => line.startsWith('gateway:')) ?? '';
  console.log(`bench:gateway: GET ${url.replace(node.gatewayUrl, '')} for ${seconds} s x ${runs} runs, ${connections} connections`);
  console.log(`${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}; ${server}`);

  const results = [];
  for (let run = 0; run < runs; run++) {
    const r = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
    const ok = r['2xx'];
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`run ${run + 1}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    results.push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok });
    console.log(
      `  run ${run + 1}: ${Math.round(r.requests.average).toLocaleString('en-US')} req/s, latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${ok.toLocaleString('en-US')} x 200`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rps = median(results.map((r) => r.rps));
  console.log(
    `median: ${Math.round(rps).toLocaleString('en-US')} req/s (target >= 20,000: ${rps >= 20_000 ? 'met' : 'NOT met'}), latency p50 ${median(results.map((r) => r.p50))} ms, p99 ${median(results.map((r) => r.p99))} ms`,
  );
} finally {
  node.child.kill('SIGTERM');
}
