import { expect } from 'chai';
import fc from 'fast-check';
import { rewriteForClone } from '../../bench/realHome.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

describe('bench/realHome rewriteForClone', () => {
  const line =
    '{"timestamp":"2026-11-22T12:16:00.123Z","ordinal":3,"type":"event_msg","payload":{"type":"task_started","turn_id":"01a2032f-4b74-7d62-8969-7d5099cb3b45","thread_id":"01a2032f-deb0-7713-bd4b-c5ded075258f","text":"café ✓"}}';

  it('keeps every byte length (history_base offsets stay true) and shifts times back in the same form', () => {
    const out = rewriteForClone(line, 3, 5 * 3600_000);
    expect(Buffer.byteLength(out)).to.equal(Buffer.byteLength(line));
    expect(out).to.include('"timestamp":"2026-11-22T07:16:00.123Z"');
    expect(rewriteForClone('rollout-2026-01-01T02-00-00-x.jsonl', 1, 3 * 3600_000)).to.equal('rollout-2025-12-31T23-00-00-x.jsonl');
  });

  it('maps one id to one new id within a clone, and to different ids in different clones', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.nat(1000), (a, b, clone) => {
        const text = `${a} ${b} ${a}`;
        const [x, y, z] = rewriteForClone(text, clone, 0).match(UUID)!;
        expect(x).to.equal(z);
        expect(x).to.not.equal(a);
        expect(x!.slice(0, 24)).to.equal(a.slice(0, 24));
        if (a !== b) expect(x).to.not.equal(y);
        expect(rewriteForClone(a, clone + 1, 0)).to.not.equal(x);
      }),
    );
  });
});
