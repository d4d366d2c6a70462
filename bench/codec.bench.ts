// `npm run bench` (second table): the wire codecs on the messages that dominate a lookup,
// a FIND_NODE query and its answer of 20 IPv4 contacts. KRPC is our Mainline codec
// (src/protocol/krpc-codec.ts: our bencode.ts, validation, and the mapping to our
// messages, whole); "bencode package" encodes and decodes the same dictionary with the
// npm bencode package and nothing else: what KRPC would cost on it before any checks.
import { Bench } from 'tinybench';
import os from 'node:os';
import bencode from 'bencode';
import { decodeMessage, encodeMessage } from '../src/protocol/codec.js';
import { packNodes } from '../src/protocol/compact-info.js';
import { decodeKrpc, encodeKrpc } from '../src/protocol/krpc-codec.js';
import type { Message, ResponseBody } from '../src/protocol/messages.js';
import { idAt, seededIds } from './inputs.js';

const quick = process.argv.includes('--quick');
const ids = seededIds(9, 22);
const to = { host: '10.1.2.3', port: 6881 };
const contacts = Array.from({ length: 20 }, (_, i) => ({ id: idAt(ids, i), host: `10.0.${i}.1`, port: 6000 + i }));
const requestId = new Uint8Array(8).fill(7);
const token = new Uint8Array(8).fill(3);
const query: Message = { requestId, sender: idAt(ids, 20), body: { type: 'FIND_NODE', target: idAt(ids, 21) } };
const answer: Message = { requestId, sender: idAt(ids, 20), body: { type: 'NODES', contacts, token } };
const pending = (type: ResponseBody['type'] | null) => ({ expectedFor: () => type });

const bareAnswer = () => ({ t: requestId, y: 'r', r: { id: answer.sender, nodes: packNodes(contacts, 4), token }, ip: new Uint8Array(6) });
const bareQuery = () => ({ t: requestId, y: 'q', q: 'find_node', a: { id: query.sender, target: idAt(ids, 21) } });

const rows: Array<[string, Record<string, () => unknown>]> = [
  [
    'encode FIND_NODE',
    { MessagePack: () => encodeMessage(query), KRPC: () => encodeKrpc(query, to), 'bencode package': () => bencode.encode(bareQuery()) },
  ],
  [
    'decode FIND_NODE',
    (() => {
      const mp = encodeMessage(query);
      const krpc = encodeKrpc(query, to);
      return {
        MessagePack: () => decodeMessage(mp),
        KRPC: () => decodeKrpc(krpc, to, pending(null)),
        'bencode package': () => bencode.decode(krpc),
      };
    })(),
  ],
  [
    'encode NODES (20 contacts)',
    { MessagePack: () => encodeMessage(answer), KRPC: () => encodeKrpc(answer, to), 'bencode package': () => bencode.encode(bareAnswer()) },
  ],
  [
    'decode NODES (20 contacts)',
    (() => {
      const mp = encodeMessage(answer);
      const krpc = encodeKrpc(answer, to);
      return {
        MessagePack: () => decodeMessage(mp),
        KRPC: () => decodeKrpc(krpc, to, pending('NODES')),
        'bencode package': () => bencode.decode(krpc),
      };
    })(),
  ],
];

const columns = ['MessagePack', 'KRPC', 'bencode package'];
const table: string[] = [];
for (const [label, impls] of rows) {
  const bench = new Bench({ time: quick ? 60 : 400, warmupTime: quick ? 20 : 100, throws: true });
  for (const [name, fn] of Object.entries(impls)) bench.add(name, fn);
  await bench.run();
  const ns: Record<string, number> = {};
  for (const task of bench.tasks) {
    const p50 = (task.result as { latency?: { p50?: number } } | undefined)?.latency?.p50;
    if (p50 !== undefined) ns[task.name] = p50 * 1e6;
  }
  const cell = (name: string) => (ns[name] === undefined ? '-' : Math.round(ns[name]).toLocaleString('en-US'));
  table.push(`| ${label} | ${columns.map(cell).join(' | ')} | ${(ns.KRPC / ns['bencode package']).toFixed(2)}x |`);
  process.stderr.write(`  measured ${label}\n`);
}
const sizes = [encodeMessage(answer).length, encodeKrpc(answer, to).length];
console.log(`\nkadswarm codec bench: ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}`);
console.log(`median ns per message (lower is better); a NODES answer is ${sizes[0]} bytes in MessagePack, ${sizes[1]} in KRPC\n`);
console.log('| operation | MessagePack ns | KRPC ns | bencode package ns | KRPC / bencode package |');
console.log('|---|---:|---:|---:|---:|');
for (const line of table) console.log(line);
