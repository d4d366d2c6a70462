// --http HOST:PORT on `kademlia -l`, `stress` and `host`: starts the gateway and says on
// stderr where it listens and whether uWebSockets.js runs natively or as its JS fallback.
import { type Gateway, startGateway } from '../gateway/gateway.js';
import type { GatewayTarget } from '../gateway/target.js';
import type { Address } from '../net/transport.js';
import type { Telemetry } from '../telemetry/telemetry.js';

export async function startCliGateway(address: Address, target: GatewayTarget, telemetry: Telemetry): Promise<Gateway> {
  const gateway = await startGateway({ host: address.host, port: address.port, target, telemetry });
  const server = gateway.native ? 'uWebSockets.js native server' : 'uWebSockets.js JS fallback';
  process.stderr.write(`gateway: ${gateway.url}/ (${server})\n`);
  return gateway;
}
