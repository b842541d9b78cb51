import type { Clock } from "../../provider/clock";

/**
 * A clock that moves only when told to, or when everything left to run is waiting on it: `sleep` sets a timer on
 * this clock, and once the callers have nothing else to do (a turn of the event loop), the clock jumps to the
 * earliest timer and fires it. Code that waits runs the same however fast or loaded the machine is, in no real time.
 * `sleeps` lists every wait asked, in order.
 */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];
  private readonly timers: Array<{ at: number; fire: () => void }> = [];
  private firing = false;

  constructor(private time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((fire) => {
      this.timers.push({ at: this.time + Math.max(0, ms), fire });
      this.fireWhenIdle();
    });
  }

  private fireWhenIdle(): void {
    if (this.firing) return;
    this.firing = true;
    setImmediate(() => {
      this.firing = false;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift();
      if (!next) return;
      this.time = Math.max(this.time, next.at);
      next.fire();
      if (this.timers.length > 0) this.fireWhenIdle();
    });
  }
}
