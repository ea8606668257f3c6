import { expect } from 'chai';
import * as fc from 'fast-check';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { packChunk, unpackChunk } from '../../../../adapters/driven/jsonl/workers/packedChunk.js';
import type { PackedChunk } from '../../../../adapters/driven/jsonl/workers/packedChunk.js';
import type { TailedChunk, TailedLine } from '../../../../adapters/driven/jsonl/readers/tailLines.js';

const position = fc.record({
  line: fc.nat({ max: 2 ** 40 }),
  byteOffset: fc.nat({ max: 2 ** 50 }),
  byteLength: fc.nat({ max: 2 ** 31 }),
});
const text = fc.string({ unit: 'binary', maxLength: 40 });

/** Every shape tailLines.ts gives a line, and odd ones it does not (a skipped line with a text, `elided: false`). */
const tailedLine: fc.Arbitrary<TailedLine> = fc.oneof(
  position.chain((p) => text.map((t) => ({ line: { ...p, text: t } }))),
  position.chain((p) => text.map((t) => ({ line: { ...p, text: t, elided: true } }))),
  position.chain((p) => text.map((t) => ({ line: { ...p, text: t, elided: false } }))),
  position.chain((p) => text.map((t) => ({ line: { ...p, text: t, prefixRead: true as const } }))),
  position.chain((p) => text.map((t) => ({ line: { ...p, text: t, elided: true, prefixRead: true as const } }))),
  fc
    .tuple(
      position,
      text,
      fc.option(fc.nat({ max: 2 ** 40 }), { nil: null }),
      fc.constantFrom('response_item', 'event_msg', 'world_state', 'compacted', ''),
    )
    .map(([p, timestamp, ordinal, type]) => ({
      line: { ...p, text: null, lazy: { kind: 'skipped' as const, timestamp, ordinal, type } },
    })),
  // A skipped line Codex does not number in a legacy file (a ghost snapshot, an event it leaves out).
  fc
    .tuple(
      position,
      text,
      fc.option(fc.nat({ max: 2 ** 40 }), { nil: null }),
      fc.constantFrom('response_item', 'event_msg'),
    )
    .map(([p, timestamp, ordinal, type]) => ({
      line: {
        ...p,
        text: null,
        lazy: { kind: 'skipped' as const, timestamp, ordinal, type, unnumbered: true as const },
      },
    })),
  fc.tuple(position, text, text).map(([p, t, timestamp]) => ({
    line: { ...p, text: t, lazy: { kind: 'skipped' as const, timestamp, ordinal: 3, type: 'event_msg' } },
  })),
  fc
    .tuple(position, text)
    .map(([p, reason]) => ({ line: { ...p, text: 'not json', lazy: { kind: 'undecodable' as const, reason } } })),
  position.map((p) => ({ line: { ...p, text: null } })),
  fc.tuple(position, text).map(([p, t]) => ({
    line: { ...p, text: null },
    quarantined: {
      path: '/h/sessions/r.jsonl',
      ordinal: p.line,
      byteOffset: p.byteOffset,
      byteLength: p.byteLength,
      reason: 'invalid UTF-8',
      text: t,
    },
  })),
);

/** A line read as bytes (a reader thread's tail): it arrives as its decoded text. */
const bytesLine: fc.Arbitrary<TailedLine> = fc
  .tuple(position, fc.string({ unit: 'grapheme', maxLength: 40 }), fc.boolean())
  .map(([p, t, read]) => ({
    line: read ? { ...p, text: null, prefixRead: true as const } : { ...p, text: null },
    textBytes: Buffer.from(t, 'utf8'),
  }));

/** What the folding thread gets for a line: a line read as bytes with its text. */
const received = (t: TailedLine): TailedLine =>
  t.textBytes === undefined ? t : { line: { ...t.line, text: t.textBytes.toString('utf8') } };

const chunk: fc.Arbitrary<TailedChunk> = fc
  .tuple(fc.array(fc.oneof(tailedLine, bytesLine), { maxLength: 30 }), fc.uint8Array({ maxLength: 64 }))
  .map(([lines, tail]) => ({ lines, tail: Buffer.from(tail) }));

/** What the other thread receives: the packed chunk through a real port, its numbers transferred. */
const crossed = (p: PackedChunk): PackedChunk => {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(p, [p.numbers.buffer, p.bytes.buffer]);
  const got = receiveMessageOnPort(port2)!.message as PackedChunk;
  port1.close();
  return got;
};

describe('packedChunk (a reader thread chunk as it crosses threads)', () => {
  it('unpacks to the chunk packed, field for field, across a message port', () => {
    fc.assert(
      fc.property(chunk, (c) => {
        const expected = structuredClone({ lines: c.lines.map(received) });
        const got = unpackChunk(crossed(packChunk(c)));
        expect(got).to.deep.equal({ lines: expected.lines, tail: Buffer.from(c.tail) });
        expect(Buffer.isBuffer(got.tail)).to.equal(true);
      }),
      { numRuns: 500 },
    );
  });

  it('packs the usual lines as numbers and one text, leaving only the rare shapes as objects', () => {
    const usual: TailedChunk = {
      lines: [
        { line: { line: 0, byteOffset: 0, byteLength: 10, text: '{"a":"é"}' } },
        { line: { line: 1, byteOffset: 11, byteLength: 5, text: '{"b"}', elided: true } },
        {
          line: {
            line: 2,
            byteOffset: 17,
            byteLength: 90,
            text: null,
            lazy: { kind: 'skipped', timestamp: '2026-11-23T10:00:00.000Z', ordinal: null, type: 'world_state' },
          },
        },
        { line: { line: 3, byteOffset: 108, byteLength: 0, text: null } },
        { line: { line: 4, byteOffset: 109, byteLength: 12, text: '{"c":"✓"}' } },
      ],
      tail: Buffer.from('xyz'),
    };
    const p = packChunk(usual);
    expect(p.others.map(([i]) => i)).to.deep.equal([3]);
    // Latin-1 texts in one string (V8's one byte a character), the others in the second.
    expect(p.texts).to.equal('{"a":"é"}{"b"}2026-11-23T10:00:00.000Zworld_state');
    expect(p.wide).to.equal('{"c":"✓"}');
    expect(unpackChunk(crossed(p))).to.deep.equal(usual);
  });
});
