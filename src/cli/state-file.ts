// `--state DIR`: a node's saved state as one JSON file, written atomically (a temporary
// file, then a rename) every few minutes and at shutdown, and read at start. A missing or
// unreadable file is one warning line and a fresh start, never a crash.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { idFromHex, idToHex } from '../id/id.js';
import type { KademliaNode, NodeState, SavedValue } from '../node/kademlia-node.js';
import type { ItemAuth } from '../protocol/messages.js';
import { isProtocolName, PROTOCOLS, type ProtocolName } from '../protocol/wire-codec.js';
import { UsageError } from './usage-error.js';
import type { NodeOptions } from '../node/options.js';
import { Ed25519Key } from '../node/security/crypto-suite.js';
import { idAllowedAt } from '../node/security/id-admission.js';

const FORMAT = 'kadswarm-node-state';
const VERSION = 1;
/** How often a running node saves its state. */
export const SAVE_EVERY_MS = 5 * 60 * 1000;

export interface LoadedState extends NodeState {
  /** The protocol the contacts were saved under: contacts of another protocol are not kept. */
  protocol: ProtocolName;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function bytes(value: unknown, what: string, length?: number): Uint8Array {
  if (typeof value !== 'string' || !/^([0-9a-f]{2})*$/.test(value)) throw new Error(`${what} must be lowercase hex`);
  const out = new Uint8Array(Buffer.from(value, 'hex'));
  if (length !== undefined && out.length !== length) throw new Error(`${what} must be ${length} bytes`);
  return out;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} must be a list`);
  return value;
}

function authFrom(value: unknown): ItemAuth | null {
  if (value === null) return null;
  const a = object(value, 'auth');
  if (!Number.isSafeInteger(a.seq) || (a.seq as number) < 0) throw new Error('auth.seq must be a non-negative integer');
  return {
    publicKey: bytes(a.publicKey, 'auth.publicKey', 32),
    seq: a.seq as number,
    signature: bytes(a.signature, 'auth.signature', 64),
    salt: a.salt === null ? null : bytes(a.salt, 'auth.salt'),
  };
}

/** The state as JSON text. */
export function stateToJson(state: NodeState, protocol: ProtocolName): string {
  const authToJson = (auth: ItemAuth | null) =>
    auth && { publicKey: hex(auth.publicKey), seq: auth.seq, signature: hex(auth.signature), salt: auth.salt && hex(auth.salt) };
  return JSON.stringify(
    {
      format: FORMAT,
      version: VERSION,
      protocol,
      id: idToHex(state.id),
      keySeed: state.keySeed && hex(state.keySeed),
      contacts: state.contacts.map((c) => ({ id: idToHex(c.id), host: c.host, port: c.port })),
      published: state.published.map((v) => ({
        key: idToHex(v.key),
        value: Buffer.from(v.value).toString('base64'),
        auth: authToJson(v.auth),
      })),
    },
    null,
    1,
  );
}

/** Reads JSON text back; throws an Error saying what is wrong. */
export function stateFromJson(text: string): LoadedState {
  const s = object(JSON.parse(text), 'the state');
  if (s.format !== FORMAT || s.version !== VERSION) throw new Error(`not a ${FORMAT} file of version ${VERSION}`);
  if (!isProtocolName(s.protocol)) throw new Error(`protocol must be ${PROTOCOLS.join(' or ')}`);
  const contacts = list(s.contacts, 'contacts').map((c, i) => {
    const o = object(c, `contacts[${i}]`);
    if (typeof o.host !== 'string' || o.host === '') throw new Error(`contacts[${i}].host must be a host`);
    if (!Number.isInteger(o.port) || (o.port as number) < 1 || (o.port as number) > 65535)
      throw new Error(`contacts[${i}].port must be 1-65535`);
    return { id: bytes(o.id, `contacts[${i}].id`, 20), host: o.host, port: o.port as number };
  });
  const published = list(s.published, 'published').map((v, i): SavedValue => {
    const o = object(v, `published[${i}]`);
    if (typeof o.value !== 'string') throw new Error(`published[${i}].value must be base64`);
    return { key: bytes(o.key, `published[${i}].key`, 20), value: new Uint8Array(Buffer.from(o.value, 'base64')), auth: authFrom(o.auth) };
  });
  return {
    protocol: s.protocol,
    id: idFromHex(String(s.id)),
    keySeed: s.keySeed === null ? null : bytes(s.keySeed, 'keySeed', 32),
    contacts,
    published,
  };
}

/** The saved id and key, when the id still fits our address (BEP 42); else a warning and a new id. */
export function identityOf(saved: LoadedState, host: string, warn: (line: string) => void): Pick<NodeOptions, 'id' | 'key'> {
  const key = saved.keySeed ? { key: Ed25519Key.fromSeed(saved.keySeed) } : {};
  if (idAllowedAt('public', saved.id, host)) return { id: saved.id, ...key };
  warn(`the saved id ${idToHex(saved.id)} does not fit ${host} (BEP 42): this node takes a new one`);
  return key;
}

/** A node's state file in DIR. */
export class StateFile {
  readonly path: string;

  /** Makes DIR if needed; a UsageError (exit 2) if it cannot. */
  constructor(
    readonly dir: string,
    name = 'node.json',
  ) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new UsageError(
        `--state ${dir}: cannot use it as a folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    this.path = join(dir, name);
  }

  /** The saved state, or null after one warning line (no file yet, or one that cannot be read). */
  load(warn: (line: string) => void): LoadedState | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      warn(code === 'ENOENT' ? `no saved state in ${this.path} yet: starting fresh` : `cannot read ${this.path} (${code}): starting fresh`);
      return null;
    }
    try {
      return stateFromJson(text);
    } catch (error) {
      warn(`${this.path} is not a usable saved state (${(error as Error).message.split('\n')[0]}): starting fresh`);
      return null;
    }
  }

  /** Writes the state atomically: readers see the old file or the new one, never half of one. Failures are one warning line. */
  save(state: NodeState, protocol: ProtocolName, warn: (line: string) => void): boolean {
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, stateToJson(state, protocol));
      renameSync(temporary, this.path);
      return true;
    } catch (error) {
      warn(`could not save the state to ${this.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return false;
    }
  }

  /** Saves `node` every SAVE_EVERY_MS; returns a stop function that saves once more. */
  keepSaving(node: KademliaNode, protocol: ProtocolName, warn: (line: string) => void): () => void {
    return saveEvery(() => this.save(node.savedState(), protocol, warn));
  }
}

/** Runs `save` every SAVE_EVERY_MS (the timer does not keep the process alive); returns a stop function that saves once more. */
export function saveEvery(save: () => void): () => void {
  const timer = setInterval(save, SAVE_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    save();
  };
}

/** The saved contacts a node may ping: none when they were saved under the other protocol. */
export function contactsFor(saved: LoadedState, protocol: ProtocolName): LoadedState['contacts'] {
  return saved.protocol === protocol ? saved.contacts : [];
}
