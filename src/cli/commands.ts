// The stdin commands: the seed's "I key value", "G key", "Q", and the items of BEP 44:
// "PUT text" (an immutable item), "GET target"; and BEP 5's torrent peers: "ANNOUNCE
// infohash port", "PEERS infohash". All work in both protocols.
export type Command =
  | { kind: 'insert'; key: string; value: string }
  | { kind: 'get'; key: string }
  | { kind: 'put-item'; text: string }
  | { kind: 'get-item'; target: string }
  /** port 0: the port our datagrams come from (BEP 5's implied_port). */
  | { kind: 'announce'; infoHash: string; port: number }
  | { kind: 'peers'; infoHash: string }
  | { kind: 'quit' }
  | { kind: 'blank' }
  | { kind: 'invalid'; message: string };

const USAGE =
  'commands are "I <key> <value>", "G <key>", "PUT <text>", "GET <target>", "ANNOUNCE <infohash> <port>", "PEERS <infohash>", "Q"';
const TARGET = /^[0-9a-f]{40}$/;

export function parseCommand(line: string): Command {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return { kind: 'blank' };
  const [, verb, rest = ''] = /^\s*(\S+)(?:\s(.*))?$/s.exec(text) ?? [];
  switch (verb?.toUpperCase()) {
    case 'I': {
      // the value is the rest of the line after the key and one separator, spaces and all
      const match = /^\s*(\S+)\s(.*)$/s.exec(rest);
      if (!match || match[2] === '') return { kind: 'invalid', message: 'usage: I <key> <value>' };
      return { kind: 'insert', key: match[1], value: match[2] };
    }
    case 'G': {
      const match = /^\s*(\S+)\s*$/.exec(rest);
      if (!match) return { kind: 'invalid', message: 'usage: G <key>' };
      return { kind: 'get', key: match[1] };
    }
    case 'PUT':
      // the text is the rest of the line after one separator, spaces and all
      return rest === '' ? { kind: 'invalid', message: 'usage: PUT <text>' } : { kind: 'put-item', text: rest };
    case 'GET': {
      const target = rest.trim();
      if (!TARGET.test(target)) return { kind: 'invalid', message: 'usage: GET <target> (40 lowercase hex digits)' };
      return { kind: 'get-item', target };
    }
    case 'ANNOUNCE': {
      const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(rest);
      const usage = 'usage: ANNOUNCE <infohash> <port> (40 lowercase hex digits; port 1-65535, or 0 for the port we send from)';
      if (!match || !TARGET.test(match[1]) || !/^\d{1,5}$/.test(match[2]) || Number(match[2]) > 65535)
        return { kind: 'invalid', message: usage };
      return { kind: 'announce', infoHash: match[1], port: Number(match[2]) };
    }
    case 'PEERS': {
      const infoHash = rest.trim();
      if (!TARGET.test(infoHash)) return { kind: 'invalid', message: 'usage: PEERS <infohash> (40 lowercase hex digits)' };
      return { kind: 'peers', infoHash };
    }
    case 'Q':
      return rest.trim() === '' ? { kind: 'quit' } : { kind: 'invalid', message: 'usage: Q' };
    default:
      return { kind: 'invalid', message: `unknown command "${verb}"; ${USAGE}` };
  }
}
