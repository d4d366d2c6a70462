// kadswarm/gateway: the HTTP/WebSocket gateway and dashboard for a node (or any
// GatewayTarget), on uWebSockets.js, with Prometheus metrics. Kept out of the root export
// so that the engine alone never loads uWebSockets.js or prom-client.
export { startGateway } from './gateway.js';
export type { Gateway, GatewayOptions } from './gateway.js';
export { nodeTarget } from './target.js';
export type { GatewayTarget } from './target.js';
export type { GatewayStats } from './stats.js';
export { Telemetry } from '../telemetry/telemetry.js';
