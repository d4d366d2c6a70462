// The stdin commands of the seed's CLI: "I key value", "G key", "Q".
export type Command =
  | { kind: 'insert'; key: string; value: string }
  | { kind: 'get'; key: string }
  | { kind: 'quit' }
  | { kind: 'blank' }
  | { kind: 'invalid'; message: string };

const USAGE = 'commands are "I <key> <value>", "G <key>", "Q"';

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
    case 'Q':
      return rest.trim() === '' ? { kind: 'quit' } : { kind: 'invalid', message: 'usage: Q' };
    default:
      return { kind: 'invalid', message: `unknown command "${verb}"; ${USAGE}` };
  }
}
