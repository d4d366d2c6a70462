// `kademlia host --state DIR`: one state file per hosted node (DIR/node-<i>.json). Loading
// a hundred files must not print a hundred lines: warnings are counted and summed up.
import type { KademliaNode } from '../node/kademlia-node.js';
import type { NodeOptions } from '../node/options.js';
import type { ProtocolName } from '../protocol/wire-codec.js';
import { plural } from '../util/plural.js';
import { contactsFor, identityOf, type LoadedState, saveEvery, StateFile } from './state-file.js';

const warn = (line: string) => process.stderr.write(`kademlia: ${line}\n`);

export class HostStates {
  private readonly files: StateFile[];
  private readonly loaded: Array<LoadedState | null>;

  constructor(
    dir: string,
    nodes: number,
    private readonly protocol: ProtocolName,
  ) {
    this.files = Array.from({ length: nodes }, (_, i) => new StateFile(dir, `node-${i}.json`));
    const problems: string[] = [];
    this.loaded = this.files.map((file) => file.load((line) => problems.push(line)));
    const found = this.loaded.filter((s) => s !== null).length;
    if (problems.length > 0) warn(`${problems[0]}${problems.length > 1 ? ` (and ${plural(problems.length - 1, 'more node')})` : ''}`);
    if (found > 0) process.stderr.write(`restoring ${plural(found, 'node')} of ${nodes} from ${dir}\n`);
  }

  /** Each node's saved id and key (undefined where there is no saved state). */
  identities(hostOf: (j: number) => string): Array<Pick<NodeOptions, 'id' | 'key'> | undefined> {
    return this.loaded.map((state, j) => (state ? identityOf(state, hostOf(j), warn) : undefined));
  }

  /** Republishes and pings what each node saved, saves them all every few minutes; returns a stop function that saves once more. */
  resumeAndKeepSaving(nodes: KademliaNode[]): () => void {
    nodes.forEach((node, j) => {
      const state = this.loaded[j];
      if (state) node.resume({ contacts: contactsFor(state, this.protocol), published: state.published });
    });
    return saveEvery(() => nodes.forEach((node, j) => this.files[j].save(node.savedState(), this.protocol, warn)));
  }
}
