/** The only source of "now" in the application; logic never calls Date.now() itself. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told: replay, tests and the e2e test control. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  set(ms: number): void {
    if (ms < this.current)
      throw new RangeError(`the clock never goes back (${new Date(ms).toISOString()} < ${new Date(this.current).toISOString()})`);
    this.current = ms;
  }
  advance(ms: number): void {
    this.set(this.current + ms);
  }
}
