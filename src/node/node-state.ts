// What a node keeps across restarts (`--state DIR`): its identity (id and signing key),
// the contacts of its routing table, and the values it publishes. Plain data: reading
// and writing it is the harness's business (src/cli/state-file.ts).
import type { ItemAuth, PeerAddress } from '../protocol/messages.js';

export interface SavedContact extends PeerAddress {
  id: Uint8Array;
}

export interface SavedValue {
  key: Uint8Array;
  value: Uint8Array;
  /** null: an immutable item. A plain value is signed again (next seq) when republished; items go out as they were signed. */
  auth: ItemAuth | null;
}

export interface NodeState {
  id: Uint8Array;
  /** The ed25519 seed of the key that signs what we publish (null: a key that cannot be saved, such as the simulator's model). */
  keySeed: Uint8Array | null;
  contacts: SavedContact[];
  published: SavedValue[];
}
