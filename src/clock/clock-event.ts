// What a virtual clock schedules, and its event heap orders.
/**
 * Something the clock runs at a virtual time. A subclass carries its own data, so a
 * scheduled event costs one object, where a timer costs a timer plus its closure (the
 * simulated network schedules one per datagram).
 */
export abstract class ClockEvent {
  at = 0;
  seq = 0;
  /** Until it runs or is cancelled. */
  live = true;
  abstract run(): void;
}
