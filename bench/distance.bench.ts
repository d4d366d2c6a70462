// `npm run bench` (first table): the distance primitives and the routing table, pure TS vs native vs
// npm k-bucket, on the same seeded inputs. Prints one table of median ns per operation.
//
// Sub-microsecond operations run INNER times per timed sample so the timer's own cost
// (~30-50 ns) does not swamp them; ns/op = median sample / INNER.
import { Bench } from 'tinybench';
import KBucket from 'k-bucket';
import os from 'node:os';
import type { DistanceEngine } from '../src/distance/engine.js';
import { loadNativeAddon, type NativeAddon } from '../src/native/binding.js';
import { nativeEngine } from '../src/distance/native-engine.js';
import { tsEngine } from '../src/distance/ts-engine.js';
import { ContactArena } from '../src/routing/contact-arena.js';
import { RoutingTable } from '../src/routing/routing-table.js';
import { idAt, seededIds } from './inputs.js';

const quick = process.argv.includes('--quick');
const loaded = loadNativeAddon();
if (!loaded.ok) console.error(`native addon not loadable (${loaded.reason}): native column left empty`);
const addon: NativeAddon | undefined = loaded.ok ? loaded.addon : undefined;
const native: DistanceEngine | undefined = addon ? nativeEngine(addon) : undefined;

type Impl = 'ts' | 'native' | 'k-bucket';
interface Row {
  label: string;
  perOp: string; // what one "op" is, for per-id rows
  divisor: number; // ns per sample / divisor = reported figure
  ns: Partial<Record<Impl, number>>;
}
const rows: Row[] = [];
let sink = 0; // results feed this so the JIT cannot drop the work

async function measure(label: string, divisor: number, perOp: string, impls: Partial<Record<Impl, () => void>>): Promise<void> {
  // throws: an operation that fails must stop the bench, not leave an empty cell
  const bench = new Bench({ time: quick ? 60 : 400, warmupTime: quick ? 20 : 100, throws: true });
  for (const [name, fn] of Object.entries(impls)) bench.add(name, fn);
  await bench.run();
  const row: Row = { label, perOp, divisor, ns: {} };
  for (const task of bench.tasks) {
    const result = task.result as { latency?: { p50?: number } } | undefined;
    const p50 = result?.latency?.p50;
    if (p50 !== undefined) row.ns[task.name as Impl] = (p50 * 1e6) / divisor;
  }
  rows.push(row);
  process.stderr.write(`  measured ${label}\n`);
}

function repeat(times: number, op: () => void): () => void {
  return () => {
    for (let i = 0; i < times; i++) op();
  };
}

const INNER = 1000;
const ids = seededIds(1, 1_000_000 + 1);
const target = idAt(ids, 1_000_000);
const a = idAt(ids, 0);
const b = idAt(ids, 1);

// --- call-cost baseline
if (addon) {
  const noop = addon.noop;
  await measure('native no-op call (baseline)', INNER, 'call', { native: repeat(INNER, () => noop()) });
}

// --- pairwise
// Per-pair rows call the addon directly: they are why the native backend leaves
// per-pair work to TS (a Node-API call costs more than the whole TS computation).
await measure('xorDistance (per pair; native = raw addon call)', INNER, 'pair', {
  ts: repeat(INNER, () => {
    sink ^= tsEngine.xorDistance(a, b)[0];
  }),
  ...(addon && {
    native: repeat(INNER, () => {
      sink ^= addon.xorDistance(a, b)[0];
    }),
  }),
  'k-bucket': repeat(INNER, () => {
    sink ^= KBucket.distance(a, b) & 1; // k-bucket's XOR distance (as a float)
  }),
});
await measure('commonPrefixLength (per pair; native = raw addon call)', INNER, 'pair', {
  ts: repeat(INNER, () => {
    sink ^= tsEngine.commonPrefixLength(a, b);
  }),
  ...(addon && {
    native: repeat(INNER, () => {
      sink ^= addon.commonPrefixLength(a, b);
    }),
  }),
});

// --- batch prefix lengths
const batch = ids.subarray(20, 20 + 1024 * 20);
const batchOut = new Uint8Array(1024);
await measure('commonPrefixLength (batch of 1024), per id', 1024 * 10, 'id', {
  ts: repeat(10, () => {
    sink ^= tsEngine.commonPrefixLengths(target, batch, batchOut)[7];
  }),
  ...(native && {
    native: repeat(10, () => {
      sink ^= native.commonPrefixLengths(target, batch, batchOut)[7];
    }),
  }),
});

// --- closest(20) over packed ids
for (const n of [1_000, 100_000, 1_000_000]) {
  const packed = ids.subarray(0, n * 20);
  const reps = n === 1_000 ? 50 : 1;
  const nice = n.toLocaleString('en-US');
  await measure(`closest(20) over ${nice} ids, per call`, reps, 'call', {
    ts: repeat(reps, () => {
      sink ^= tsEngine.closest(target, packed, 20)[0];
    }),
    ...(native && {
      native: repeat(reps, () => {
        sink ^= native.closest(target, packed, 20)[0];
      }),
    }),
  });
  rows.push({
    ...rows[rows.length - 1],
    label: `  ... same, per id scanned`,
    divisor: 1,
    ns: Object.fromEntries(Object.entries(rows[rows.length - 1].ns).map(([k, v]) => [k, v / n])),
  });
}

/**
 * Interns a contact and holds it, as a node holds the contacts it keeps: the arena frees a
 * contact nobody holds (a table drops a newcomer it has no room for), and its slot is reused.
 */
function held(arena: ContactArena, id: Uint8Array, port: number): number {
  const contact = arena.intern(id, '127.0.0.1', port);
  arena.retain(contact);
  return contact;
}

// --- routing table of ~300 contacts, built from one seeded stream for all three
const arena = new ContactArena(4096);
const selfId = idAt(ids, 500_000);
const self = held(arena, selfId, 1);
const tsTable = new RoutingTable(arena, self, { engine: tsEngine });
const nativeTable = native ? new RoutingTable(arena, self, { engine: native }) : undefined;
const kbucket = new KBucket({ localNodeId: selfId, numberOfNodesPerKBucket: 20 });
const contactPool = seededIds(2, 20_000);
for (let i = 0; tsTable.size < 300 && i < 20_000; i++) {
  // a network of ~20k nodes: our table ends up with ~300 contacts, like a real node's
  const id = idAt(contactPool, i);
  const c = held(arena, id, 10_000 + i);
  tsTable.observe(c, 0);
  nativeTable?.observe(c, 0);
  kbucket.add({ id: id.slice(), port: 10_000 + i });
}
const queries = seededIds(3, 256);
let q = 0;
const nextQuery = () => idAt(queries, q++ & 255);
const out20 = new Uint32Array(20);
process.stderr.write(`  routing tables: ours ${tsTable.size} contacts, k-bucket ${kbucket.count()} contacts\n`);
await measure(`table closestContacts(20), ${tsTable.size} contacts`, INNER, 'query', {
  ts: repeat(INNER, () => {
    sink ^= tsTable.closestContactsInto(nextQuery(), out20);
  }),
  ...(nativeTable && {
    native: repeat(INNER, () => {
      sink ^= nativeTable.closestContactsInto(nextQuery(), out20);
    }),
  }),
  'k-bucket': repeat(INNER, () => {
    sink ^= kbucket.closest(nextQuery(), 20).length;
  }),
});
await measure('  ... same, returning a new array', INNER, 'query', {
  ts: repeat(INNER, () => {
    sink ^= tsTable.closestContacts(nextQuery(), 20).length;
  }),
  ...(nativeTable && {
    native: repeat(INNER, () => {
      sink ^= nativeTable.closestContacts(nextQuery(), 20).length;
    }),
  }),
});

// --- routing-table insert: fill an empty table from 1,000 new contacts (mix of added and
// bucket-full outcomes, as in a live node), per insert.
const insertIds = seededIds(4, 1000);
const insertContacts = Array.from({ length: 1000 }, (_, i) => held(arena, idAt(insertIds, i), 40_000 + i));
const insertKbIds = Array.from({ length: 1000 }, (_, i) => ({ id: idAt(insertIds, i).slice() }));
await measure('table insert (observe), per contact', 1000, 'insert', {
  ts: () => {
    const table = new RoutingTable(arena, self, { engine: tsEngine });
    for (const c of insertContacts) table.observe(c, 1);
    sink ^= table.size;
  },
  'k-bucket': () => {
    const table = new KBucket({ localNodeId: selfId });
    for (const c of insertKbIds) table.add(c);
    sink ^= table.count();
  },
});

// --- memory per table: 2,000 tables of ~300 contacts over one shared arena
function memoryPerTable(): { bytesPerTable: number; contacts: number } {
  const memArena = new ContactArena(1 << 16);
  const pool = seededIds(5, 60_000);
  const poolContacts = Array.from({ length: 60_000 }, (_, i) => held(memArena, idAt(pool, i), i));
  globalThis.gc?.();
  const before = process.memoryUsage();
  const tables: RoutingTable[] = [];
  let contacts = 0;
  for (let t = 0; t < 2000; t++) {
    const table = new RoutingTable(memArena, poolContacts[t]);
    for (let i = 0; table.size < 300 && i < 60_000; i += 1 + (t % 7)) table.observe(poolContacts[(i + t * 31) % 60_000], 0);
    contacts += table.size;
    tables.push(table);
  }
  globalThis.gc?.();
  const after = process.memoryUsage();
  const bytes = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  sink ^= tables.length;
  return { bytesPerTable: bytes / tables.length, contacts: contacts / tables.length };
}
const memory = memoryPerTable();

// --- report
const fmt = (v: number | undefined) =>
  v === undefined ? '-' : v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
const ratio = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? '-' : `${(x / y).toFixed(2)}x`);
console.log(
  `\nkadswarm distance bench: ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}, ${os.platform()} ${os.arch()}`,
);
console.log('median ns per op (lower is better); "ours" = native when loaded, else TS');
console.log('per-pair ops: the native backend runs the TS code, since one Node-API call costs more\n');
console.log('| operation | TS ns | native ns | k-bucket ns | native/TS | k-bucket/ours |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const row of rows) {
  // per-pair rows: the native backend runs TS (see the note above), so TS is "ours" there
  const ours = row.label.includes('per pair') ? row.ns.ts : (row.ns.native ?? row.ns.ts);
  console.log(
    `| ${row.label} | ${fmt(row.ns.ts)} | ${fmt(row.ns.native)} | ${fmt(row.ns['k-bucket'])} | ${ratio(row.ns.native, row.ns.ts)} | ${ratio(row.ns['k-bucket'], ours)} |`,
  );
}
console.log(
  `\nmemory: ${Math.round(memory.bytesPerTable).toLocaleString('en-US')} bytes per routing table of ${memory.contacts.toFixed(0)} contacts (2,000 tables, shared arena not counted)`,
);
if (sink === 0.5) console.log(''); // keep `sink` observable
