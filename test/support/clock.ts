import type { Clock } from '../../src/clock.js';

/** Real time plus an offset the test can move forward, shared by the gateway and the embedded IdP. */
export class MovableClock implements Clock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }
}
