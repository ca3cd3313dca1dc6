import assert from 'node:assert/strict';
import { isEntrakitError, type EntrakitError } from '../../../src/core/errors.ts';

/** Asserts that `promise` rejects with an EntrakitError of this code and HTTP status; returns it. */
export async function rejectsWith(promise: Promise<unknown>, code: string, status = 401): Promise<EntrakitError> {
  let caught: EntrakitError | undefined;
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isEntrakitError(error), `expected EntrakitError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    caught = error;
    return true;
  });
  return caught!;
}
