// Every setting of a node as a command-line flag, with units, checked by flag name: the
// protocol's knobs (k, alpha, intervals) and its defences (rate limits, per-IP caps,
// BEP 42). What a flag leaves out keeps the node's default (docs/api.md, NodeOptions).
import type { NodeOptions } from '../node/options.js';
import { MAX_CONTACTS_PER_MESSAGE, MAX_TTL_MS } from '../protocol/limits.js';
import { durationFlag } from './duration.js';
import { numberFlag } from './flags.js';
import { UsageError } from './usage-error.js';

export const NODE_FLAGS = {
  k: { type: 'string' },
  alpha: { type: 'string' },
  ttl: { type: 'string' },
  republish: { type: 'string' },
  replicate: { type: 'string' },
  refresh: { type: 'string' },
  maintenance: { type: 'string' },
  'good-for': { type: 'string' },
  'upkeep-concurrency': { type: 'string' },
  'replacement-cache': { type: 'string' },
  'failures-before-eviction': { type: 'string' },
  'max-contacts-per-ip': { type: 'string' },
  'max-published': { type: 'string' },
  'rate-limit': { type: 'string' },
  'unproven-budget': { type: 'string' },
  'id-from-ip': { type: 'string' },
} as const;

export const NODE_FLAGS_HELP = `Node settings (every node of the run; durations take ms, s, m, h or d):
  --k N              contacts per bucket and per answer (default 20, at most ${MAX_CONTACTS_PER_MESSAGE})
  --alpha N          requests in flight per lookup (default 3, at most 64)
  --ttl D            how long a stored value lives (default 1h)
  --republish D      how often a publisher stores its values again (default 0.9 x ttl)
  --replicate D      how often a holder re-stores what it holds (default 1h)
  --refresh D        a bucket idle this long is refreshed with a lookup (default 1h)
  --maintenance D    how often a node checks what upkeep is due (default 1m)
  --good-for D       a contact heard from this recently is not pinged (default 15m)
  --upkeep-concurrency N   upkeep operations in flight per node (default 1)
  --replacement-cache N    contacts waiting per full bucket (default 5, 0-1024)
  --failures-before-eviction N   unanswered requests in a row before a contact goes (default 2)
  --max-contacts-per-ip N  contacts one IP may hold in a table (default 4; "unlimited")
  --max-published N  values one node republishes at most (default 10000)
  --rate-limit R[/B] datagrams per second one IP may send a node, bursts of B (default
                     250/500; "off")
  --unproven-budget R[/B]  answer bytes per second to askers that have not proven their
                     address (default 4194304/4194304; "off")
  --id-from-ip P     BEP 42: all, public (local addresses exempt) or off (default: all
                     where the run's nodes have addresses of their own, else public)`;

type NodeFlagValues = { [K in keyof typeof NODE_FLAGS]?: string };

const int = (v: number) => Number.isInteger(v);
const count = (values: NodeFlagValues, name: keyof typeof NODE_FLAGS, min: number, max: number) =>
  numberFlag(name, values[name], NaN, (v) => int(v) && v >= min && v <= max, `an integer from ${min} to ${max}`);

/** A token bucket flag: RATE or RATE/BURST (burst defaults to twice the rate), or off. */
function bucketFlag<T>(name: string, text: string, make: (rate: number, burst: number) => T): T | false {
  if (text === 'off') return false;
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text);
  const rate = m ? Number(m[1]) : 0;
  const burst = m?.[2] !== undefined ? Number(m[2]) : rate * 2;
  if (!m || rate < 1 || burst < 1 || !Number.isSafeInteger(burst))
    throw new UsageError(`--${name} must be RATE or RATE/BURST (positive integers) or off (got "${text}")`);
  return make(rate, burst);
}

/** The node settings the flags give (only those given), checked as the node will check them. */
export function parseNodeFlags(values: NodeFlagValues): NodeOptions {
  const options: NodeOptions = {};
  const set = <K extends keyof NodeOptions>(flag: keyof typeof NODE_FLAGS, key: K, read: () => NodeOptions[K]) => {
    if (values[flag] !== undefined) options[key] = read();
  };
  set('k', 'k', () => count(values, 'k', 1, MAX_CONTACTS_PER_MESSAGE));
  set('alpha', 'alpha', () => count(values, 'alpha', 1, 64));
  set('ttl', 'ttlMs', () => durationFlag('ttl', values.ttl, 0, 1, MAX_TTL_MS));
  set('republish', 'republishMs', () => durationFlag('republish', values.republish, 0));
  set('replicate', 'replicateMs', () => durationFlag('replicate', values.replicate, 0));
  set('refresh', 'refreshMs', () => durationFlag('refresh', values.refresh, 0));
  set('maintenance', 'maintenanceMs', () => durationFlag('maintenance', values.maintenance, 0));
  set('good-for', 'goodForMs', () => durationFlag('good-for', values['good-for'], 0, 0));
  set('upkeep-concurrency', 'upkeepConcurrency', () => count(values, 'upkeep-concurrency', 1, 1024));
  set('replacement-cache', 'replacementCacheSize', () => count(values, 'replacement-cache', 0, 1024));
  set('failures-before-eviction', 'failuresBeforeEviction', () => count(values, 'failures-before-eviction', 1, 1024));
  set('max-contacts-per-ip', 'maxContactsPerIp', () =>
    values['max-contacts-per-ip'] === 'unlimited' ? Infinity : count(values, 'max-contacts-per-ip', 1, 1024),
  );
  set('max-published', 'maxPublished', () => count(values, 'max-published', 1, Number.MAX_SAFE_INTEGER));
  set('rate-limit', 'rateLimit', () => bucketFlag('rate-limit', values['rate-limit']!, (perSecond, burst) => ({ perSecond, burst })));
  set('unproven-budget', 'unprovenBudget', () =>
    bucketFlag('unproven-budget', values['unproven-budget']!, (bytesPerSecond, burst) => ({ bytesPerSecond, burst })),
  );
  set('id-from-ip', 'idFromIp', () => {
    const policy = values['id-from-ip'];
    if (policy !== 'all' && policy !== 'public' && policy !== 'off')
      throw new UsageError(`--id-from-ip must be all, public or off (got "${policy}")`);
    return policy;
  });
  return options;
}
