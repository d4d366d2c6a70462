// The HTTP/WebSocket gateway on uWebSockets.js: keys, stats, Prometheus metrics, a live
// event stream and the dashboard, for one node, a stress run or a host process.
import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket, WebSocket } from 'uWebSockets.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { refuseUnknownOptions } from '../util/options.js';
import { json, PendingResponse, STATUS, text, write } from './http.js';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { registerMetrics } from './metrics.js';
import { dashboardAssets, serveAsset } from './routes/dashboard.js';
import { deleteKey, getKey, putKey } from './routes/keys.js';
import { getItem, putItem } from './routes/items.js';
import { announcePeer, getPeers } from './routes/peers.js';
import { type AccessPolicy, isLoopback, refusal } from './access.js';
import { StatsSampler } from './stats.js';
import type { GatewayTarget } from './target.js';
import { loadUws } from './uws.js';

/** Live stats go to every event subscriber this often (ms). */
export const EVENT_INTERVAL_MS = 1000;

export interface GatewayOptions {
  host: string;
  port: number;
  target: GatewayTarget;
  telemetry: Telemetry;
  /** Bearer token for writes (PUT, DELETE); required unless `host` is loopback. */
  token?: string;
  /** Host names a browser may reach the gateway by, besides IP addresses and localhost. */
  allowedHosts?: string[];
}

export interface Gateway {
  /** http://host:port, with the port actually bound. */
  readonly url: string;
  readonly port: number;
  /** Whether uWebSockets.js runs its native server (else its JS fallback). */
  readonly native: boolean;
  readonly sampler: StatsSampler;
  close(): void;
}

function checkGatewayOptions(options: GatewayOptions): void {
  refuseUnknownOptions(
    options,
    ['host', 'port', 'target', 'telemetry', 'token', 'allowedHosts'] satisfies Array<keyof GatewayOptions>,
    'gateway option',
  );
  if (typeof options.host !== 'string' || options.host === '') throw new TypeError('host must be a non-empty string');
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
    throw new RangeError(`port must be an integer from 0 to 65535 (got ${options.port})`);
  if (typeof options.target?.drive !== 'function') throw new TypeError('target must be a GatewayTarget (nodeTarget(node, ...))');
  if (!(options.telemetry instanceof Telemetry)) throw new TypeError('telemetry must be a Telemetry');
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 16)) {
    throw new RangeError('token must be a string of at least 16 characters');
  }
  if (options.token === undefined && !isLoopback(options.host)) {
    throw new Error(`a gateway on ${options.host} (not loopback) needs a token for writes: give --http-token or set KADSWARM_HTTP_TOKEN`);
  }
  if (
    options.allowedHosts !== undefined &&
    !(Array.isArray(options.allowedHosts) && options.allowedHosts.every((h) => typeof h === 'string'))
  ) {
    throw new TypeError('allowedHosts must be an array of host names');
  }
}

/** The part of uWebSockets.js's JS fallback that takes WebSocket upgrades (node:http's 'upgrade' event). */
interface FallbackApp {
  httpContext?: { handleHttpUpgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void };
}

/**
 * The fallback upgrades every WebSocket request itself, with no hook to refuse one: wrap
 * its handler (before listen() binds it) so that upgrades pass the same checks as requests.
 */
function guardFallbackUpgrades(app: TemplatedApp, policy: AccessPolicy): void {
  const context = (app as unknown as FallbackApp).httpContext;
  const upgrade = context?.handleHttpUpgrade;
  if (!context || !upgrade) throw new Error('uWebSockets.js fallback without an upgrade handler: cannot check WebSocket origins');
  context.handleHttpUpgrade = function (request, socket, head) {
    const headers = request.headers;
    const view = { request, getHeader: (name: string) => String(headers[name] ?? '') } as unknown as HttpRequest;
    const refused = refusal(policy, view, false);
    if (!refused) return upgrade.call(this, request, socket, head);
    socket.end(`HTTP/1.1 ${STATUS[refused.status]}\r\ncontent-type: ${refused.contentType}\r\nconnection: close\r\n\r\n${refused.body}`);
  };
}

export function startGateway(options: GatewayOptions): Promise<Gateway> {
  try {
    checkGatewayOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const { uws, native } = loadUws();
  const { target, telemetry } = options;
  const sampler = new StatsSampler(target, telemetry, native);
  const scrape = registerMetrics(sampler);
  const app: TemplatedApp = uws.App();
  const policy: AccessPolicy = {
    token: options.token ?? null,
    allowedHosts: (options.allowedHosts ?? []).map((h) => h.toLowerCase()),
  };
  /** A handler behind the access checks (access.ts); `writes`: it changes what the DHT holds. */
  const guarded =
    (handler: (res: HttpResponse, req: HttpRequest) => void, writes = false) =>
    (res: HttpResponse, req: HttpRequest): void => {
      try {
        const refused = refusal(policy, req, writes);
        if (refused) write(res, refused);
        else handler(res, req);
      } catch (error) {
        // a bug must cost one request, never the process
        write(res, text(500, `internal error: ${(error as Error).message}`));
      }
    };
  const notAllowed = (allow: string) => guarded((res) => write(res, text(405, `method not allowed (use ${allow})`, { allow })));

  app.get('/v1/keys/:key', guarded(getKey(target, telemetry)));
  app.put('/v1/keys/:key', guarded(putKey(target), true));
  app.del('/v1/keys/:key', guarded(deleteKey(target), true));
  app.any('/v1/keys/:key', notAllowed('GET, PUT, DELETE'));
  app.put('/v1/items', guarded(putItem(target), true));
  app.any('/v1/items', notAllowed('PUT'));
  app.get('/v1/items/:target', guarded(getItem(target, telemetry)));
  app.any('/v1/items/:target', notAllowed('GET'));
  app.get('/v1/peers/:infohash', guarded(getPeers(target)));
  app.put('/v1/peers/:infohash', guarded(announcePeer(target), true));
  app.any('/v1/peers/:infohash', notAllowed('GET, PUT'));
  app.get(
    '/v1/stats',
    guarded((res) => write(res, json(200, sampler.snapshot()))),
  );
  app.any('/v1/stats', notAllowed('GET'));
  app.get(
    '/metrics',
    guarded((res) => {
      const pending = new PendingResponse(res);
      scrape().then((body) => pending.send({ status: 200, body, contentType: 'text/plain; version=0.0.4; charset=utf-8' }));
    }),
  );
  app.any('/metrics', notAllowed('GET'));
  for (const asset of dashboardAssets()) {
    app.get(asset.path, guarded(serveAsset(asset)));
    app.any(asset.path, notAllowed('GET'));
  }
  // Subscribers are kept here rather than in uWS's pub/sub, which its JS fallback lacks.
  const subscribers = new Set<WebSocket<unknown>>();
  app.ws('/v1/events', {
    maxPayloadLength: 1024, // clients have nothing to say
    maxBackpressure: 1 << 20,
    // the JS fallback has no upgrade hook: guardFallbackUpgrades checks its upgrades instead
    ...(native
      ? {
          upgrade: (res: HttpResponse, req: HttpRequest, context: unknown) => {
            const refused = refusal(policy, req, false);
            if (refused) return write(res, refused);
            const key = req.getHeader('sec-websocket-key');
            const protocol = req.getHeader('sec-websocket-protocol');
            const extensions = req.getHeader('sec-websocket-extensions');
            res.upgrade({}, key, protocol, extensions, context as never);
          },
        }
      : {}),
    open: (ws) => {
      subscribers.add(ws);
      ws.send(JSON.stringify({ type: 'stats', stats: sampler.snapshot() }));
    },
    close: (ws) => {
      subscribers.delete(ws);
    },
    message: () => {},
  });
  if (!native) guardFallbackUpgrades(app, policy);
  app.any(
    '/*',
    guarded((res, req) => write(res, text(404, `no such route: ${req.getMethod().toUpperCase()} ${req.getUrl()}`))),
  );

  const publish = (event: unknown) => {
    if (subscribers.size === 0) return;
    const message = JSON.stringify(event);
    for (const ws of subscribers) ws.send(message);
  };
  telemetry.onPhase((phase) => publish({ type: 'phase', phase }));

  return new Promise((resolve, reject) => {
    app.listen(options.host, options.port, (socket: us_listen_socket | false) => {
      if (!socket) {
        reject(new Error(`--http ${options.host}:${options.port}: cannot listen there (address in use or not local)`));
        return;
      }
      const port = uws.us_socket_local_port(socket);
      // a snapshot walks every node: only take it when someone is listening
      const ticker = setInterval(() => subscribers.size > 0 && publish({ type: 'stats', stats: sampler.snapshot() }), EVENT_INTERVAL_MS);
      ticker.unref(); // the listening socket keeps the process alive, not the ticker
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}`,
        port,
        native,
        sampler,
        close() {
          clearInterval(ticker);
          uws.us_listen_socket_close(socket);
          (app as { close?: () => void }).close?.(); // newer builds: also drops open connections
        },
      });
    });
  });
}
