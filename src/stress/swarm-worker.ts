// A worker thread that hosts a share of a threaded UDP swarm: its nodes, their sockets and
// its own event loop, so datagram work runs on another core. The main thread drives it
// with the messages of worker-protocol.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { createUdpSwarm, type UdpSwarm } from './swarm.js';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol.js';

const port = parentPort!;
const setup = workerData as WorkerSetup;
const post = (message: FromWorker) => port.postMessage(message);

let swarm: UdpSwarm | undefined;
try {
  swarm = await createUdpSwarm({
    nodes: setup.nodes,
    seed: setup.seed,
    node: setup.node,
    host: setup.host,
    basePort: setup.basePort,
    portStep: setup.portStep,
    firstIndex: setup.firstIndex,
    io: setup.io,
    active: setup.active,
  });
} catch (error) {
  // e.g. a port in use: the main thread reports it, in one line
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  port.close();
}
if (swarm) serve(swarm);

function serve(swarm: UdpSwarm): void {
  port.on('message', (message: ToWorker) => handle(swarm, message));
  post({ type: 'ready' });
}

function handle(swarm: UdpSwarm, message: ToWorker): void {
  switch (message.type) {
    case 'join':
      return swarm.join(message.node, message.entry, (result) => post({ type: 'joined', id: message.id, result }));
    case 'publish':
      return swarm.publish(message.node, message.key, message.value, (result) => post({ type: 'published', id: message.id, result }));
    case 'stop':
      return swarm.stop(message.node);
    case 'rejoin':
      return swarm.rejoin(message.node, message.entry, (result) => post({ type: 'joined', id: message.id, result }));
    case 'find':
      return swarm.findValue(message.node, message.key, (result, ms) => post({ type: 'found', id: message.id, result, ms }));
    case 'census':
      return void swarm.census().then((census) => post({ type: 'census', id: message.id, census }));
    case 'traffic':
      return post({
        type: 'traffic',
        id: message.id,
        ...swarm.datagrams(),
        ...swarm.rpcTotals(),
      });
    case 'close':
      swarm.close();
      port.close();
  }
}
