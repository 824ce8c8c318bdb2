// A log rate limit: at most `max` events per window; the events held back are counted and the
// count is handed to the next event let through, so nothing is lost silently (a flapping cable
// or a broken enclosure must not flood the journal). Contract: pure but for the clock it is given.
export class RateLimit {
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;
  private held = 0;

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** undefined: hold this one back; otherwise let it through, with how many were held back before it. */
  take(): { heldBack: number } | undefined {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      this.windowStart = t;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.max) {
      this.held++;
      return undefined;
    }
    this.inWindow++;
    const heldBack = this.held;
    this.held = 0;
    return { heldBack };
  }
}
