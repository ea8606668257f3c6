import { expect } from 'chai';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import type { RecordedEvent } from '../../../../adapters/driven/eventstore/eventStoreClient.js';
import type { StoredLine } from '../../../../adapters/driven/eventstore/lineEvents.js';
import {
  LineAssembler,
  draftLineEvents,
  eventTypeOf,
  sealEventOf,
  streamSealOf,
} from '../../../../adapters/driven/eventstore/lineEvents.js';

const recorded = (stream: string, events: ReturnType<typeof draftLineEvents>['events']): RecordedEvent[] =>
  events.map((e, revision) => ({
    stream,
    revision,
    id: e.id,
    type: e.type,
    data: e.data,
    metadata: JSON.parse(JSON.stringify(e.metadata)),
    position: undefined,
  }));

const assemble = (stream: string, events: ReadonlyArray<RecordedEvent>): E.Either<string, StoredLine[]> => {
  const assembler = new LineAssembler(stream);
  const out: StoredLine[] = [];
  for (const e of events) {
    const r = assembler.push(e);
    if (E.isLeft(r)) return E.left(r.left._tag);
    if (r.right !== undefined) out.push(r.right);
  }
  return E.right(out);
};

describe('EventStoreDB line events (draft ⇄ assemble)', () => {
  it('any lines, any part size: the events give back each line, its file offset and the BOM; ids differ per place and bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        (lines, partBytes, bom) => {
          const stream = 'rollout-x';
          const drafted = draftLineEvents(
            stream,
            lines.map((bytes, i) => ({ bytes, ...(i === 0 && bom ? { bom: true } : {}) })),
            { ordinal: 0, byteOffset: 0 },
            partBytes,
          );
          expect(drafted.events.every((e) => e.data.length <= partBytes)).to.equal(true);
          expect(new Set(drafted.events.map((e) => e.id)).size).to.equal(drafted.events.length);
          const back = assemble(stream, recorded(stream, drafted.events));
          if (E.isLeft(back)) throw new Error(back.left);
          expect(back.right.map((l) => Buffer.from(l.bytes).toString('hex'))).to.deep.equal(
            lines.map((l) => Buffer.from(l).toString('hex')),
          );
          let offset = bom ? 3 : 0;
          back.right.forEach((l, i) => {
            expect([l.ordinal, l.byteOffset, l.bom]).to.deep.equal([i, offset, i === 0 && bom]);
            offset += lines[i]!.length + 1;
          });
          expect(drafted.next).to.deep.equal({ ordinal: lines.length, byteOffset: offset });
        },
      ),
    );
  });

  it('a missing, repeated or out-of-order event is Corrupt, not a line', () => {
    const stream = 'rollout-y';
    const drafted = draftLineEvents(
      stream,
      [{ bytes: Buffer.from('a'.repeat(10)) }, { bytes: Buffer.from('b'.repeat(10)) }],
      { ordinal: 0, byteOffset: 0 },
      4,
    );
    const events = recorded(stream, drafted.events);
    expect(E.isRight(assemble(stream, events))).to.equal(true);
    expect(assemble(stream, [...events.slice(0, 2), ...events.slice(3)])).to.deep.equal(E.left('Corrupt'));
    expect(assemble(stream, [events[0]!, events[0]!, ...events.slice(1)])).to.deep.equal(E.left('Corrupt'));
    expect(assemble(stream, [...events.slice(3), ...events.slice(0, 3)])).to.deep.equal(E.left('Corrupt'));
  });

  it('a seal after the last line is no line; a seal between the parts of a line is Corrupt; its content reads back', () => {
    const stream = 'rollout-z';
    const drafted = draftLineEvents(
      stream,
      [{ bytes: Buffer.from('a'.repeat(10)) }, { bytes: Buffer.from('b'.repeat(10)) }],
      { ordinal: 0, byteOffset: 0 },
      4,
    );
    const seal = { revision: 'rollout-r.jsonl', file: 'sessions/2026/11/21/rollout-r.jsonl', lines: ['{"x":1}'] };
    const events = recorded(stream, [...drafted.events, sealEventOf(stream, seal)]);
    const lines = assemble(stream, events);
    expect(E.isRight(lines) && lines.right.map((l) => l.bytes.toString())).to.deep.equal([
      'a'.repeat(10),
      'b'.repeat(10),
    ]);
    expect(streamSealOf(events[events.length - 1]!)).to.deep.equal(E.right(seal));
    expect(E.isLeft(streamSealOf(events[0]!))).to.equal(true);
    const cut = recorded(stream, [
      ...drafted.events.slice(0, 4),
      sealEventOf(stream, seal),
      ...drafted.events.slice(4),
    ]);
    expect(assemble(stream, cut)).to.deep.equal(E.left('Corrupt'));
  });

  it('types: codex.<line type> for a rollout line, rollout.quarantined for anything else', () => {
    expect(
      eventTypeOf(Buffer.from('{"timestamp":"2026-11-21T14:31:25.366Z","type":"turn_context","payload":{}}')),
    ).to.equal('codex.turn_context');
    expect(eventTypeOf(Buffer.from('not json'))).to.equal('rollout.quarantined');
    expect(eventTypeOf(Buffer.from([0x7b, 0xff, 0x7d]))).to.equal('rollout.quarantined');
  });
});
