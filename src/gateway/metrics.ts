// Prometheus exposition (/metrics): the telemetry's histograms plus counters and gauges read
// from the target's nodes at scrape time. Formatting is prom-client's.
import { Counter, Gauge } from 'prom-client';
import type { StatsSampler, Totals } from './stats.js';

/** Registers the target's metrics next to the telemetry's histograms; returns the scrape function. */
export function registerMetrics(sampler: StatsSampler): () => Promise<string> {
  const registry = sampler.telemetry.registry;
  let cached: { at: number; totals: Totals } | null = null;
  // one pass over the nodes per scrape, however many metrics read it
  const totals = (): Totals => {
    const now = performance.now();
    if (!cached || now - cached.at > 100) cached = { at: now, totals: sampler.totals() };
    return cached.totals;
  };
  const counter = (name: string, help: string, read: (t: Totals) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read(totals()));
      },
    });
  const gauge = (name: string, help: string, read: (t: Totals) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(totals()));
      },
    });
  counter('kadswarm_messages_received_total', 'Messages received by the nodes.', (t) => t.messagesIn);
  counter('kadswarm_messages_sent_total', 'Messages sent by the nodes (requests and responses).', (t) => t.messagesOut);
  counter(
    'kadswarm_messages_dropped_total',
    'Datagrams lost on the way (loss, dead receivers, kernel drops, send errors).',
    (t) => t.dropped,
  );
  counter('kadswarm_lookups_total', 'Iterative lookups started.', (t) => t.lookups);
  counter('kadswarm_request_timeouts_total', 'Requests that got no answer in time.', (t) => t.timeouts);
  counter(
    'kadswarm_internal_errors_total',
    'Exceptions the nodes caught and counted instead of crashing (0 unless there is a bug).',
    (t) => t.internalErrors,
  );
  gauge('kadswarm_nodes', 'Nodes in this process.', (t) => t.nodes);
  gauge('kadswarm_nodes_alive', 'Nodes running.', (t) => t.alive);
  gauge('kadswarm_storage_entries', 'Values held by the live nodes.', (t) => t.storedEntries);
  gauge('kadswarm_storage_bytes', 'Bytes of values held by the live nodes.', (t) => t.storedBytes);
  gauge('kadswarm_routing_contacts', 'Contacts in the routing tables of the live nodes.', (t) => t.contacts);
  new Gauge({
    name: 'kadswarm_resident_memory_bytes',
    help: 'Resident set size of this process.',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().rss);
    },
  });
  new Gauge({
    name: 'kadswarm_phase_progress_ratio',
    help: 'Progress of the current phase (0..1), labelled by phase.',
    labelNames: ['phase'] as const,
    registers: [registry],
    collect() {
      const phase = sampler.telemetry.phase;
      this.reset();
      this.set({ phase: phase.name }, phase.total === 0 ? (phase.name === 'done' ? 1 : 0) : phase.done / phase.total);
    },
  });
  return () => registry.metrics();
}
