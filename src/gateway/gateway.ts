// The HTTP/WebSocket gateway on uWebSockets.js: keys, stats, Prometheus metrics, a live
// event stream and the dashboard, for one node, a stress run or a host process.
import type { HttpResponse, TemplatedApp, us_listen_socket, WebSocket } from 'uWebSockets.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { refuseUnknownOptions } from '../util/options.js';
import { json, PendingResponse, text, write } from './http.js';
import { registerMetrics } from './metrics.js';
import { dashboardAssets, serveAsset } from './routes/dashboard.js';
import { getKey, putKey } from './routes/keys.js';
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
  refuseUnknownOptions(options, ['host', 'port', 'target', 'telemetry'] satisfies Array<keyof GatewayOptions>, 'gateway option');
  if (typeof options.host !== 'string' || options.host === '') throw new TypeError('host must be a non-empty string');
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
    throw new RangeError(`port must be an integer from 0 to 65535 (got ${options.port})`);
  if (typeof options.target?.drive !== 'function') throw new TypeError('target must be a GatewayTarget (nodeTarget(node, ...))');
  if (!(options.telemetry instanceof Telemetry)) throw new TypeError('telemetry must be a Telemetry');
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
  const notAllowed = (allow: string) => (res: HttpResponse) => write(res, text(405, `method not allowed (use ${allow})`, { allow }));

  app.get('/v1/keys/:key', getKey(target, telemetry));
  app.put('/v1/keys/:key', putKey(target));
  app.any('/v1/keys/:key', notAllowed('GET, PUT'));
  app.get('/v1/stats', (res) => write(res, json(200, sampler.snapshot())));
  app.any('/v1/stats', notAllowed('GET'));
  app.get('/metrics', (res) => {
    const pending = new PendingResponse(res);
    scrape().then((body) => pending.send({ status: 200, body, contentType: 'text/plain; version=0.0.4; charset=utf-8' }));
  });
  app.any('/metrics', notAllowed('GET'));
  for (const asset of dashboardAssets()) {
    app.get(asset.path, serveAsset(asset));
    app.any(asset.path, notAllowed('GET'));
  }
  // Subscribers are kept here rather than in uWS's pub/sub, which its JS fallback lacks.
  const subscribers = new Set<WebSocket<unknown>>();
  app.ws('/v1/events', {
    maxPayloadLength: 1024, // clients have nothing to say
    maxBackpressure: 1 << 20,
    open: (ws) => {
      subscribers.add(ws);
      ws.send(JSON.stringify({ type: 'stats', stats: sampler.snapshot() }));
    },
    close: (ws) => {
      subscribers.delete(ws);
    },
    message: () => {},
  });
  app.any('/*', (res, req) => write(res, text(404, `no such route: ${req.getMethod().toUpperCase()} ${req.getUrl()}`)));

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
