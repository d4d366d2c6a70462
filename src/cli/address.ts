// HOST:PORT arguments: IPv4 (127.0.0.1:8080), bracketed IPv6 ([::1]:8080) or localhost.
import { isIP } from 'node:net';
import type { Address } from '../net/transport.js';
import { UsageError } from './usage-error.js';

export function parseAddress(text: string, flag: string, options: { allowPortZero?: boolean } = {}): Address {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  if (!match) throw new UsageError(`${flag} expects HOST:PORT (got "${text}")`);
  let host = match[1] ?? match[2];
  if (host === 'localhost') host = '127.0.0.1';
  if (isIP(host) === 0) throw new UsageError(`${flag}: "${host}" is not an IP address`);
  const port = Number(match[3]);
  if (port > 65535 || (port === 0 && !options.allowPortZero))
    throw new UsageError(`${flag}: port must be ${options.allowPortZero ? '0' : '1'}..65535 (got ${port})`);
  return { host, port };
}
