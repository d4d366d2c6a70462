// Flag parsing shared by the kademlia commands: util.parseArgs, strict, and any mistake
// turned into a one-line UsageError (exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';
import { isProtocolName, PROTOCOLS, type ProtocolName } from '../protocol/wire-codec.js';

type Strict<T> = { args: string[]; options: T; strict: true; allowPositionals: false };

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
): ReturnType<typeof parseArgs<Strict<T>>>['values'] {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

/** A numeric flag: `fallback` when absent; a UsageError naming `rule` when it fails `check`. */
export function numberFlag(name: string, text: string | undefined, fallback: number, check: (v: number) => boolean, rule: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`--${name} must be ${rule} (got "${text}")`);
  return value;
}

export const positiveInteger = (v: number) => Number.isInteger(v) && v >= 1;

/** --protocol: kadswarm (default) or mainline. */
export function protocolFlag(text: string | undefined): ProtocolName {
  if (text === undefined) return 'kadswarm';
  if (!isProtocolName(text)) throw new UsageError(`--protocol must be ${PROTOCOLS.join(' or ')} (got "${text}")`);
  return text;
}
