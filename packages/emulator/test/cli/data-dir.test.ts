import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { dataDirOption, UsageError } from '../../src/cli/args.ts';

describe('the data folder of every command', () => {
  it('is --data, else ENTRAKIT_DATA, else .entrakit, always absolute; an empty --data is refused', () => {
    assert.equal(dataDirOption('here', { ENTRAKIT_DATA: '/elsewhere' }), resolve('here'));
    assert.equal(dataDirOption(undefined, { ENTRAKIT_DATA: '/elsewhere' }), '/elsewhere');
    assert.equal(dataDirOption(undefined, { ENTRAKIT_DATA: '  ' }), resolve('.entrakit'), 'an empty variable counts as unset');
    assert.equal(dataDirOption(undefined, {}), resolve('.entrakit'));
    assert.throws(() => dataDirOption('', {}), (error: unknown) => error instanceof UsageError && /--data must name a folder/.test(error.message));
  });
});
