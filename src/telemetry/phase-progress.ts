// What a run reports as it goes: a phase starts with a total, advances, and stops. The
// terminal's progress bars and the gateway's telemetry both listen to it.
export interface PhaseProgress {
  start(phase: string, total: number): void;
  update(done: number): void;
  stop(): void;
}

/** Listens to nothing. */
export const silentProgress: PhaseProgress = { start() {}, update() {}, stop() {} };
