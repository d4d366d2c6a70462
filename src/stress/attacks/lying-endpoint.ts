// An attacker's endpoint for eclipse and sybil: it answers every lookup with its fellow
// attackers and no value, and says "stored" to every STORE while keeping nothing.
import { ID_BYTES } from '../../id/id.js';
import type { Address, Transport } from '../../net/transport.js';
import { decodeMessage, encodeMessage } from '../../protocol/codec.js';
import { TOKEN_BYTES } from '../../protocol/limits.js';
import type { Message, ResponseBody } from '../../protocol/messages.js';
import type { Peer } from '../../routing/peer.js';

const NO_TOKEN = new Uint8Array(TOKEN_BYTES);

export class LyingEndpoint {
  /** Requests it answered with a lie. */
  lies = 0;
  /** Other attackers it names in every answer (set once they all exist). */
  fellows: Peer[] = [];

  constructor(
    readonly transport: Transport,
    readonly id: Uint8Array,
  ) {
    if (id.length !== ID_BYTES) throw new RangeError('id must be 20 bytes');
    transport.onMessage?.((message, from) => this.answer(message, from));
    transport.onDatagram((datagram, from) => {
      const decoded = decodeMessage(datagram);
      if (decoded.ok) this.answer(decoded.message, from);
    });
  }

  get peer(): Peer {
    return { id: this.id, host: this.transport.local.host, port: this.transport.local.port };
  }

  /** Introduces itself: a PING, so that `to` may put it in its routing table. */
  ping(to: Address, requestId: Uint8Array): void {
    this.send(to, { requestId, sender: this.id, body: { type: 'PING' } });
  }

  close(): void {
    this.transport.close();
  }

  private answer(message: Message, from: Address): void {
    let body: ResponseBody;
    switch (message.body.type) {
      case 'PING':
        body = { type: 'PONG' };
        break;
      case 'STORE':
        body = { type: 'STORED', ok: true, reason: '' };
        break;
      case 'FIND_NODE':
        body = { type: 'NODES', contacts: this.fellows, token: NO_TOKEN };
        break;
      case 'FIND_VALUE':
        body = { type: 'VALUE', value: null, ttlMs: 0, contacts: this.fellows, token: NO_TOKEN, auth: null, withheld: false };
        break;
      default:
        return; // answers to its own pings
    }
    this.lies++;
    this.send(from, { requestId: message.requestId, sender: this.id, body });
  }

  private send(to: Address, message: Message): void {
    if (this.transport.sendMessage) this.transport.sendMessage(to, message);
    else this.transport.send(to, encodeMessage(message));
  }
}
