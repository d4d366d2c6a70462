// The stdin commands: the seed's "I key value", "G key", "Q", and the items of BEP 44:
// "PUT text" (an immutable item), "GET target". ANNOUNCE and PEERS are Mainline's.
export type Command =
  | { kind: 'insert'; key: string; value: string }
  | { kind: 'get'; key: string }
  | { kind: 'put-item'; text: string }
  | { kind: 'get-item'; target: string }
  | { kind: 'quit' }
  | { kind: 'blank' }
  | { kind: 'invalid'; message: string };

const USAGE = 'commands are "I <key> <value>", "G <key>", "PUT <text>", "GET <target>", "Q"';
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
    case 'ANNOUNCE':
    case 'PEERS':
      return { kind: 'invalid', message: `${verb.toUpperCase()} is a Mainline DHT command (BEP 5): it needs --protocol mainline` };
    case 'Q':
      return rest.trim() === '' ? { kind: 'quit' } : { kind: 'invalid', message: 'usage: Q' };
    default:
      return { kind: 'invalid', message: `unknown command "${verb}"; ${USAGE}` };
  }
}
