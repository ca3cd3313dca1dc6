import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { childTraceparent, formatTraceparent, newTraceparent, parseTraceparent, traceIdAsGuid } from '../../shared/trace-context.ts';

describe('W3C traceparent', () => {
  it('parses the specification example', () => {
    assert.deepEqual(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), {
      version: '00', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', flags: '01',
    });
  });

  it('refuses invalid headers', () => {
    for (const header of [
      '', 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7',
    ]) assert.equal(parseTraceparent(header), undefined, header);
    assert.equal(parseTraceparent(null), undefined);
  });

  it('reads a future version by its first four fields', () => {
    assert.equal(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more')?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('a child keeps the trace id and gets a new span id; round-trips through the header', () => {
    const root = newTraceparent();
    assert.match(formatTraceparent(root), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const child = childTraceparent(root);
    assert.equal(child.traceId, root.traceId);
    assert.notEqual(child.parentId, root.parentId);
    assert.deepEqual(parseTraceparent(formatTraceparent(child)), child);
    assert.equal(traceIdAsGuid('4bf92f3577b34da6a3ce929d0e0e4736'), '4bf92f35-77b3-4da6-a3ce-929d0e0e4736');
  });
});
