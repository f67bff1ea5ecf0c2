import type { Clock } from '../../src/support/clock.js';

/** Real time plus an offset the test can move forward, shared by the gateway and the embedded IdP. */
export class MovableClock implements Clock {
  private offset = 0;

  /** A bound function, so `clock.now` can be handed to the IdP as its `now` option. */
  readonly now = (): number => Date.now() + this.offset;

  advance(ms: number): void {
    this.offset += ms;
  }

  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }

  /**
   * Moves to the start of the next whole second. The IdP counts lifespans in whole seconds of this clock, which
   * also follows real time: a test that expects an exact remaining lifespan aligns first, so that the real time its
   * requests take cannot carry it over a second boundary.
   */
  alignToSecond(): void {
    this.advance(1000 - (this.now() % 1000));
  }
}
