// What a stress run records of itself, so that two reports can be told apart: every
// setting its nodes ran with (defaults included) and the package version.
import { type NodeOptions, resolveNodeOptions, type ResolvedNodeOptions } from '../node/options.js';

/** Every node setting of a run, defaults included, as report fields (snake case, ms for times). */
export function nodeParameters(options: NodeOptions): Record<string, number | string | boolean | null> {
  const r: ResolvedNodeOptions = resolveNodeOptions(options);
  const bucket = (b: false | { burst: number }, rate: number | undefined) => (b === false ? 'off' : `${rate}/${b.burst}`);
  return {
    k: r.k,
    alpha: r.alpha,
    request_timeout_ms: r.requestTimeoutMs,
    ttl_ms: r.ttlMs,
    republish_ms: r.republishMs,
    replicate_ms: r.replicateMs,
    refresh_ms: r.refreshMs,
    maintenance_ms: r.maintenanceMs,
    good_for_ms: r.goodForMs,
    upkeep_concurrency: r.upkeepConcurrency,
    replacement_cache: r.replacementCacheSize,
    failures_before_eviction: r.failuresBeforeEviction,
    max_contacts_per_ip: r.maxContactsPerIp === Infinity ? null : r.maxContactsPerIp,
    max_published: r.maxPublished,
    rate_limit: bucket(r.rateLimit, r.rateLimit === false ? undefined : r.rateLimit.perSecond),
    unproven_budget: bucket(r.unprovenBudget, r.unprovenBudget === false ? undefined : r.unprovenBudget.bytesPerSecond),
    id_from_ip: r.idFromIp,
    refresh_on_join: r.refreshOnJoin,
    crypto: r.crypto,
    protocol: r.protocol,
    read_only: r.readOnly,
  };
}
