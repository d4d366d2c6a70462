// What a virtual clock schedules, and its event heap orders.
/**
 * Something the clock runs at a virtual time (a timer). A subclass carries its own data.
 * What is scheduled by the million (datagrams in flight) is not an object at all: see
 * VirtualClock.scheduleSlot.
 */
export abstract class ClockEvent {
  at = 0;
  /** Who scheduled it (VirtualClock.actor), and that actor's count: with `at`, its place in the order. */
  actor = 0;
  seq = 0;
  /** Until it runs or is cancelled. */
  live = true;
  abstract run(): void;
}
