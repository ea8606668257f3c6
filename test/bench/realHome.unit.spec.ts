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
    expect(rewriteForClone('rollout-2026-01-01T02-00-00-x.jsonl', 1, 3 * 3600_000)).to.equal(
      'rollout-2025-12-31T23-00-00-x.jsonl',
    );
  });

  it("moves a UUIDv7's time back with its clone's times (ids sort as the files do, as Codex's do); other ids keep theirs", () => {
    const v7 = '01a2032f-deb0-7713-bd4b-c5ded075258f';
    const v4 = '3b241101-e2bb-4255-8caf-4136c566a962';
    const [x, y] = rewriteForClone(`${v7} ${v4}`, 2, 10 * 3600_000).split(' ');
    const ms = (u: string) => parseInt(u.slice(0, 8) + u.slice(9, 13), 16);
    expect(ms(x!)).to.equal(ms(v7) - 10 * 3600_000);
    expect(x!.slice(13, 24)).to.equal(v7.slice(13, 24));
    expect(x!.slice(24)).to.not.equal(v7.slice(24));
    expect(y!.slice(0, 24)).to.equal(v4.slice(0, 24));
    expect(y).to.not.equal(v4);
    // Two ids of one clone keep their order.
    const [a, b] = rewriteForClone(
      '01a2032f-deb0-7713-bd4b-c5ded075258f 01a20330-0000-7000-8000-000000000000',
      7,
      35 * 3600_000,
    ).split(' ');
    expect(a! < b!).to.equal(true);
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
