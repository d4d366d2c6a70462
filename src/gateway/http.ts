// Small helpers for uWebSockets.js responses: a reply written in one corked batch, replies
// after an await that respect an aborted request, and a request body read with a limit.
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';

export const STATUS = {
  200: '200 OK',
  201: '201 Created',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  413: '413 Payload Too Large',
  431: '431 Request Header Fields Too Large',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
  507: '507 Insufficient Storage',
} as const;

export type Status = keyof typeof STATUS;

export interface Reply {
  status: Status;
  body: string | Uint8Array;
  contentType: string;
  headers?: Record<string, string>;
}

export const text = (status: Status, line: string, headers?: Record<string, string>): Reply => ({
  status,
  body: `${line}\n`,
  contentType: 'text/plain; charset=utf-8',
  headers,
});
export const json = (status: Status, value: unknown): Reply => ({ status, body: JSON.stringify(value), contentType: 'application/json' });

/** A response that may be answered later: tracks aborts, answers at most once. */
export class PendingResponse {
  private finished = false;

  constructor(private readonly res: HttpResponse) {
    res.onAborted(() => {
      this.finished = true;
    });
  }

  send(reply: Reply): void {
    if (this.finished) return;
    this.finished = true;
    this.res.cork(() => write(this.res, reply));
  }
}

/** Writes a whole reply now (inside a handler's synchronous part, or corked). */
export function write(res: HttpResponse, reply: Reply): void {
  res.writeStatus(STATUS[reply.status]);
  res.writeHeader('content-type', reply.contentType);
  res.writeHeader('cache-control', 'no-store');
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.writeHeader(name, value);
  res.end(reply.body);
}

/**
 * What uWebSockets.js's JS fallback lacks: it wraps a node:http request, whose raw headers
 * and URL stand in for forEach and getQuery (which it does not implement, or throws on).
 */
interface FallbackRequest {
  request?: { rawHeaders?: string[]; url?: string };
}

/** How many headers the request has. */
export function headerCount(req: HttpRequest): number {
  const raw = (req as unknown as FallbackRequest).request?.rawHeaders;
  if (raw) return raw.length / 2;
  let count = 0;
  req.forEach(() => count++);
  return count;
}

/** The query string, without '?'. */
export function queryOf(req: HttpRequest): string {
  const url = (req as unknown as FallbackRequest).request?.url;
  if (url !== undefined) return url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  return req.getQuery() ?? '';
}

/** Collects a request body of at most `limit` bytes; 'too large' as soon as it is over. */
export function readBody(res: HttpResponse, limit: number): Promise<Uint8Array | 'too large'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    res.onData((chunk, isLast) => {
      if (over) return;
      size += chunk.byteLength;
      if (size > limit) {
        over = true;
        resolve('too large');
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0))); // uWS reuses the chunk's memory after this call
      if (isLast) resolve(new Uint8Array(Buffer.concat(chunks, size)));
    });
  });
}
