// Bencode (BEP 3), the encoding of the Mainline DHT's KRPC, written for datagrams: the
// decoder hands out byte strings as views of the datagram (no copies; the KRPC codec
// copies what it keeps), builds dictionaries without a prototype (a `__proto__` key is a
// key like any other), bounds nesting, and throws a BencodeError at the first byte that
// is not bencode. The `bencode` package took 5-7 us to decode and 12-18 us to encode a
// find_node or a 20-contact answer here, 4-9x our MessagePack codec (npm run bench).
export type BValue = number | Uint8Array | BValue[] | BDict;
export interface BDict {
  [key: string]: BValue;
}

export class BencodeError extends Error {}

/** Lists and dictionaries nested deeper than this are refused (KRPC needs 3). */
const MAX_DEPTH = 16;
const I = 0x69;
const L = 0x6c;
const D = 0x64;
const E = 0x65;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;

class Reader {
  at = 0;
  constructor(readonly data: Uint8Array) {}

  fail(what: string): never {
    throw new BencodeError(`${what} at byte ${this.at}`);
  }

  value(depth: number): BValue {
    const c = this.data[this.at];
    if (c === I) return this.integer();
    if (c >= ZERO && c <= ZERO + 9) return this.bytes();
    if (depth >= MAX_DEPTH) this.fail('nested too deep');
    if (c === L) {
      this.at++;
      const list: BValue[] = [];
      while (this.data[this.at] !== E) {
        if (this.at >= this.data.length) this.fail('unterminated list');
        list.push(this.value(depth + 1));
      }
      this.at++;
      return list;
    }
    if (c === D) {
      this.at++;
      const dict: BDict = Object.create(null) as BDict;
      while (this.data[this.at] !== E) {
        if (this.at >= this.data.length) this.fail('unterminated dictionary');
        const key = this.key();
        if (this.at >= this.data.length) this.fail('a key without a value');
        dict[key] = this.value(depth + 1);
      }
      this.at++;
      return dict;
    }
    return this.fail(this.at >= this.data.length ? 'unexpected end' : 'not a bencoded value');
  }

  /** i<digits>e: an integer, at most 15 digits (always exact as a double), no leading zeros, no -0. */
  integer(): number {
    const data = this.data;
    let at = this.at + 1;
    const negative = data[at] === MINUS;
    if (negative) at++;
    const start = at;
    let value = 0;
    while (at < data.length && data[at] >= ZERO && data[at] <= ZERO + 9) value = value * 10 + (data[at++] - ZERO);
    const digits = at - start;
    if (digits === 0 || data[at] !== E) this.fail('malformed integer');
    if (digits > 15) this.fail('integer too large');
    if (digits > 1 && data[start] === ZERO) this.fail('integer with a leading zero');
    if (negative && value === 0) this.fail('negative zero');
    this.at = at + 1;
    return negative ? -value : value;
  }

  /** <length>:<bytes>, as a view of the input. */
  bytes(): Uint8Array {
    const data = this.data;
    let at = this.at;
    let length = 0;
    const start = at;
    while (at < data.length && data[at] >= ZERO && data[at] <= ZERO + 9) length = length * 10 + (data[at++] - ZERO);
    if (data[at] !== COLON) this.fail('malformed string length');
    if (at - start > 1 && data[start] === ZERO) this.fail('string length with a leading zero');
    at++;
    if (length > data.length - at) this.fail('string past the end');
    this.at = at + length;
    return data.subarray(at, at + length);
  }

  key(): string {
    const c = this.data[this.at];
    if (!(c >= ZERO && c <= ZERO + 9)) this.fail('a dictionary key must be a string');
    const bytes = this.bytes();
    let key = '';
    for (let i = 0; i < bytes.length; i++) key += String.fromCharCode(bytes[i]);
    return key;
  }
}

/** Decodes exactly one value that spans the whole input; throws a BencodeError otherwise. */
export function bdecode(data: Uint8Array): BValue {
  const reader = new Reader(data);
  const value = reader.value(0);
  if (reader.at !== data.length) reader.fail('trailing bytes');
  return value;
}

const utf8 = new TextEncoder();
let out = new Uint8Array(2048);
let used = 0;

function room(bytes: number): void {
  if (used + bytes <= out.length) return;
  let size = out.length * 2;
  while (size < used + bytes) size *= 2;
  const bigger = new Uint8Array(size);
  bigger.set(out.subarray(0, used));
  out = bigger;
}

function ascii(text: string): void {
  room(text.length);
  for (let i = 0; i < text.length; i++) out[used++] = text.charCodeAt(i);
}

function writeLength(length: number): void {
  room(12);
  if (length < 10) out[used++] = ZERO + length;
  else if (length < 100) {
    out[used++] = ZERO + Math.floor(length / 10);
    out[used++] = ZERO + (length % 10);
  } else ascii(String(length));
  out[used++] = COLON;
}

function writeBytes(bytes: Uint8Array): void {
  writeLength(bytes.length);
  room(bytes.length);
  // by hand for short strings: TypedArray.set costs more than the copy there
  if (bytes.length < 32) for (let i = 0; i < bytes.length; i++) out[used + i] = bytes[i];
  else out.set(bytes, used);
  used += bytes.length;
}

/** A string as UTF-8: KRPC's keys and words are ASCII, written without an encoder. */
function writeString(text: string): void {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return writeBytes(utf8.encode(text));
  }
  writeLength(text.length);
  ascii(text);
}

/** What bencode() takes: strings are written as UTF-8, and undefined dictionary entries are left out. */
export type Encodable = number | string | Uint8Array | Encodable[] | { [key: string]: Encodable | undefined };

function write(value: Encodable): void {
  if (value instanceof Uint8Array) writeBytes(value);
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`bencode integers are whole numbers (got ${value})`);
    ascii(`i${value}e`);
  } else if (typeof value === 'string') writeString(value);
  else if (Array.isArray(value)) {
    ascii('l');
    for (const item of value) write(item);
    ascii('e');
  } else {
    ascii('d');
    // keys in byte order (BEP 3); ours are ASCII, where that is string order
    for (const key of Object.keys(value).sort()) {
      const item = value[key];
      if (item === undefined) continue;
      writeString(key);
      write(item);
    }
    ascii('e');
  }
}

/** The bencoding of `value`, as a new array. */
export function bencode(value: Encodable): Uint8Array {
  used = 0;
  write(value);
  return out.slice(0, used);
}
