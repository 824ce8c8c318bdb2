import { describe, expect, it } from 'vitest';
import { StepError } from '../../src/rotation/errors.js';

describe('StepError', () => {
  it('carries the reason the operator reads, under its own name', () => {
    const e = new StepError('the filesystem is not frozen; not detaching');
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.message]).toEqual(['StepError', 'the filesystem is not frozen; not detaching']);
  });
});
