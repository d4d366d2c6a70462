// A node's background work (republish, replication, bucket refresh) run a few operations at
// a time. Started all at once, a maintenance pass is open-loop load: on a network slower
// than the pass assumes, its requests queue up, time out, get answered by other lookups and
// more requests, and the load feeds itself (240 UDP nodes on half a core: 28 of 240 keys
// found). With a bounded number in flight the pass is self-clocking: it goes as fast as
// answers come back, and never faster.

/** One operation: it must call `done` exactly once, now or later. */
export type UpkeepTask = (done: () => void) => void;

export class UpkeepQueue {
  private readonly waiting: UpkeepTask[] = [];
  private head = 0;
  private active = 0;
  private pumping = false;
  /** Tasks that threw (their slot is freed): always 0 unless there is a bug. */
  errors = 0;

  /** `onError` hears of each task that threw (after it is counted), so the owner can count it too. */
  constructor(
    readonly concurrency: number,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`concurrency must be a positive integer (got ${concurrency})`);
  }

  /** Operations started and not yet done. */
  get inFlight(): number {
    return this.active;
  }

  /** Operations waiting for a free slot. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** True while anything is queued or in flight. */
  get busy(): boolean {
    return this.active > 0 || this.head < this.waiting.length;
  }

  add(task: UpkeepTask): void {
    this.waiting.push(task);
    this.pump();
  }

  /** Drops every queued operation (those in flight finish on their own). */
  clear(): void {
    this.waiting.length = 0;
    this.head = 0;
  }

  private pump(): void {
    // A task that finishes synchronously calls done() from inside this loop: the flag
    // turns that nested pump() into a no-op, and the loop picks up the freed slot.
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.active < this.concurrency && this.head < this.waiting.length) {
        const task = this.waiting[this.head];
        this.waiting[this.head++] = undefined as unknown as UpkeepTask; // let it go once started
        this.active++;
        let finished = false;
        const done = () => {
          if (finished) return; // a second call must not free a second slot
          finished = true;
          this.active--;
          this.pump();
        };
        try {
          task(done);
        } catch (error) {
          this.errors++;
          done(); // a failing task must not hold its slot forever
          this.onError(error);
        }
      }
      if (this.head === this.waiting.length) {
        this.waiting.length = 0;
        this.head = 0;
      }
    } finally {
      this.pumping = false;
    }
  }
}
