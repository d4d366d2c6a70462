// --http HOST:PORT on `kademlia -l`, `stress` and `host`, with --http-token (or the
// KADSWARM_HTTP_TOKEN environment variable) and --http-allow-host NAME: starts the gateway
// and says on stderr where it listens and whether uWebSockets.js runs natively or as its
// JS fallback. A gateway off loopback without a token is a usage error (exit 2).
import { isLoopback, TOKEN_ENV } from '../gateway/access.js';
import { type Gateway, startGateway } from '../gateway/gateway.js';
import type { GatewayTarget } from '../gateway/target.js';
import type { Address } from '../net/transport.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { parseAddress } from './address.js';
import { UsageError } from './usage-error.js';

/** The flags, for parseFlags. */
export const HTTP_FLAGS = {
  http: { type: 'string' },
  'http-token': { type: 'string' },
  'http-allow-host': { type: 'string', multiple: true },
} as const;

export const HTTP_HELP = `  --http HOST:PORT  serve the HTTP/WebSocket gateway and dashboard (port 0: any free port)
  --http-token T    bearer token that PUT and DELETE must carry (default: $${TOKEN_ENV});
                    required when HOST is not a loopback address
  --http-allow-host NAME  a host name browsers may use for the gateway, besides IP
                    addresses and localhost (repeatable)`;

export interface HttpSetting {
  address: Address;
  token: string | undefined;
  allowedHosts: string[];
}

export function parseHttpFlags(values: { http?: string; 'http-token'?: string; 'http-allow-host'?: string[] }): HttpSetting | undefined {
  const token = values['http-token'] ?? process.env[TOKEN_ENV] ?? undefined;
  if (values.http === undefined) {
    if (values['http-token'] !== undefined || values['http-allow-host'] !== undefined)
      throw new UsageError('--http-token and --http-allow-host need --http');
    return undefined;
  }
  const address = parseAddress(values.http, '--http', { allowPortZero: true });
  if (token !== undefined && token.length < 16) throw new UsageError('--http-token must be at least 16 characters');
  if (token === undefined && !isLoopback(address.host)) {
    throw new UsageError(`--http ${values.http} is not a loopback address: writes need a token (--http-token or $${TOKEN_ENV})`);
  }
  return { address, token, allowedHosts: values['http-allow-host'] ?? [] };
}

export async function startCliGateway(setting: HttpSetting, target: GatewayTarget, telemetry: Telemetry): Promise<Gateway> {
  const { address, token, allowedHosts } = setting;
  const gateway = await startGateway({ host: address.host, port: address.port, target, telemetry, token, allowedHosts });
  const server = gateway.native ? 'uWebSockets.js native server' : 'uWebSockets.js JS fallback';
  process.stderr.write(`gateway: ${gateway.url}/ (${server}${token ? ', writes need the token' : ''})\n`);
  return gateway;
}
