// Typed errors of the rotation. StepError: a step refuses for a reason the operator can act on
// (its message says what and why); the rotation aborts with it.
export class StepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepError';
  }
}
