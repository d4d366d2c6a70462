// Who may use the gateway. Every request: at most MAX_HEADERS headers (431); a Host that
// is an IP literal, "localhost" or a name the operator allowed, so a web page cannot reach
// the gateway through a DNS name it controls (DNS rebinding; 403); and no Origin but the
// gateway's own, so another site's page cannot read stats or events from a visitor's
// browser (403). Writes (PUT, DELETE) also need the bearer token when one is set (401),
// and one must be set for a gateway on a non-loopback address (startGateway refuses).
import { timingSafeEqual, createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { HttpRequest } from 'uWebSockets.js';
import { headerCount, type Reply, text } from './http.js';

/** Headers a request may carry (uWebSockets.js itself drops a connection past 48). */
export const MAX_HEADERS = 32;

/** The environment variable read when no --http-token is given. */
export const TOKEN_ENV = 'KADSWARM_HTTP_TOKEN';

export interface AccessPolicy {
  /** Bearer token writes must carry, or null (allowed only on loopback). */
  token: string | null;
  /** Host names besides IP literals and localhost (lowercase, without port). */
  allowedHosts: readonly string[];
}

/** Whether `host` is a loopback address (127.0.0.0/8, ::1) or localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** The host name of a Host header or an origin's authority, without port or brackets, lowercase. */
function hostName(authority: string): string {
  const trimmed = authority.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(1, trimmed.indexOf(']'));
  const colon = trimmed.lastIndexOf(':');
  return colon >= 0 && trimmed.indexOf(':') === colon ? trimmed.slice(0, colon) : trimmed;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares in constant time (over the digests, so lengths leak nothing either). */
function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The reply refusing the request, or null when it may go on. Reads the request's headers
 * now (uWebSockets.js requests are only valid in the handler's synchronous part).
 */
export function refusal(policy: AccessPolicy, req: HttpRequest, write: boolean): Reply | null {
  const headers = headerCount(req);
  if (headers > MAX_HEADERS) return text(431, `too many headers (${headers}; the limit is ${MAX_HEADERS})`, { connection: 'close' });
  const host = req.getHeader('host');
  if (host === '') return text(400, 'no Host header');
  const name = hostName(host);
  if (!(isIP(name) !== 0 || name === 'localhost' || policy.allowedHosts.includes(name))) {
    return text(403, `host "${name}" is not allowed (use an IP address or localhost, or allow the name with --http-allow-host)`);
  }
  const origin = req.getHeader('origin');
  if (origin !== '' && origin.toLowerCase() !== `http://${host.trim().toLowerCase()}`) {
    return text(403, `origin "${origin}" is not allowed: only the gateway's own pages may call it from a browser`);
  }
  if (write && policy.token !== null) {
    const auth = req.getHeader('authorization');
    const given = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
    if (!sameToken(given, policy.token)) {
      return text(401, 'a bearer token is required to write (Authorization: Bearer <token>)', { 'www-authenticate': 'Bearer' });
    }
  }
  return null;
}
