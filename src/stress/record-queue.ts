// One direction of a split simulation's traffic between two threads: records one thread
// writes during a window and the other reads after the window's barrier, in a growable
// SharedArrayBuffer. The barrier orders the two: the writer never writes a buffer the
// reader may be reading (each direction has two, used in alternate windows).

const HEADER_BYTES = 8;
const INITIAL_BYTES = 64 * 1024;
/** Address space reserved per buffer; memory is committed only as it grows. */
const MAX_BYTES = 1024 * 1024 * 1024;

/** A new buffer for a RecordWriter and RecordReader pair. */
export function newQueueBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
}

/** Writes records into a queue buffer: reset() before a window, publish() after it. */
export class RecordWriter {
  private view: DataView;
  private bytes: Uint8Array;
  private at = HEADER_BYTES;

  constructor(private readonly buffer: SharedArrayBuffer) {
    this.view = new DataView(buffer, 0, buffer.byteLength);
    this.bytes = new Uint8Array(buffer, 0, buffer.byteLength);
  }

  /** Whether nothing was written since reset(). */
  get empty(): boolean {
    return this.at === HEADER_BYTES;
  }

  reset(): void {
    this.at = HEADER_BYTES;
  }

  /** Makes what was written since reset() readable (call before the barrier). */
  publish(): void {
    this.view.setUint32(0, this.at, true);
  }

  u8(value: number): void {
    this.room(1);
    this.view.setUint8(this.at, value);
    this.at += 1;
  }

  u32(value: number): void {
    this.room(4);
    this.view.setUint32(this.at, value, true);
    this.at += 4;
  }

  f64(value: number): void {
    this.room(8);
    this.view.setFloat64(this.at, value, true);
    this.at += 8;
  }

  /** A length, then the bytes. */
  blob(value: Uint8Array): void {
    this.u32(value.length);
    this.raw(value);
  }

  /** The bytes alone (a field whose length the reader knows). */
  raw(value: Uint8Array): void {
    this.room(value.length);
    const bytes = this.bytes;
    const at = this.at;
    // by hand: for ids and request ids, TypedArray.prototype.set costs more than the copy
    if (value.length <= 32) for (let i = 0; i < value.length; i++) bytes[at + i] = value[i];
    else bytes.set(value, at);
    this.at += value.length;
  }

  private room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const size = Math.max(this.at + n, this.bytes.length * 2);
    if (size > MAX_BYTES) throw new Error(`more than ${MAX_BYTES} bytes for one thread in one window of the simulation`);
    this.buffer.grow(size);
    this.view = new DataView(this.buffer, 0, this.buffer.byteLength);
    this.bytes = new Uint8Array(this.buffer, 0, this.buffer.byteLength);
  }
}

/** Reads what a RecordWriter published: start() after the barrier, then the fields in the order written. */
export class RecordReader {
  private view: DataView;
  private bytes: Uint8Array;
  private at = HEADER_BYTES;
  private end = HEADER_BYTES;

  constructor(private readonly shared: SharedArrayBuffer) {
    this.view = new DataView(shared, 0, shared.byteLength);
    this.bytes = new Uint8Array(shared, 0, shared.byteLength);
  }

  start(): void {
    if (this.shared.byteLength !== this.bytes.length) {
      this.view = new DataView(this.shared, 0, this.shared.byteLength);
      this.bytes = new Uint8Array(this.shared, 0, this.shared.byteLength);
    }
    this.at = HEADER_BYTES;
    this.end = this.view.getUint32(0, true);
  }

  get more(): boolean {
    return this.at < this.end;
  }

  u8(): number {
    return this.view.getUint8(this.at++);
  }

  u32(): number {
    const value = this.view.getUint32(this.at, true);
    this.at += 4;
    return value;
  }

  /** The next f64, left to be read. */
  peekF64(): number {
    return this.view.getFloat64(this.at, true);
  }

  f64(): number {
    const value = this.view.getFloat64(this.at, true);
    this.at += 8;
    return value;
  }

  /** A copy of the next blob. */
  blob(): Uint8Array {
    return this.raw(this.u32());
  }

  /** A copy of the next `length` bytes. */
  raw(length: number): Uint8Array {
    const value = this.bytes.slice(this.at, this.at + length);
    this.at += length;
    return value;
  }
}
