import { expect } from 'chai';
import fc from 'fast-check';
import {
  PackedCodexRows,
  codexRowTimesOf,
  codexRowsChanged,
  fileTakenTimes,
  packCodexRows,
  unpackCodexRows,
} from '../../../domain/thread/codexRowTimes.js';
import type { CodexRowTimesOf } from '../../../domain/thread/codexRowTimes.js';

describe("codexRowTimes: a thread's times where Codex's state DB took it from its file (issue 69)", () => {
  it('a row whose two times are one reading was taken from a file; one whose turn start precedes its last write, Codex ran', () => {
    expect(codexRowTimesOf({ updatedMs: 1_795_172_465_122, recencyMs: 1_795_172_465_122 })).to.deep.equal({
      updatedMs: 1_795_172_465_122,
      recencyMs: 1_795_172_465_122,
    });
    expect(codexRowTimesOf({ updatedMs: 1_795_172_465_122, recencyMs: 1_795_172_460_000 })).to.equal('live');
  });

  it("no row: the file's mtime as Codex's backfill reads it (whole ms) as both times; a row taken from a file: its times, whatever the mtime now; a live row: the lines' (undefined)", () => {
    expect(fileTakenTimes(undefined, 1_795_172_465_122.999)).to.deep.equal({
      updatedMs: 1_795_172_465_122,
      recencyMs: 1_795_172_465_122,
    });
    expect(fileTakenTimes({ updatedMs: 5, recencyMs: 5 }, 1_795_172_465_122)).to.deep.equal({
      updatedMs: 5,
      recencyMs: 5,
    });
    expect(fileTakenTimes('live', 1_795_172_465_122)).to.equal(undefined);
    expect(fileTakenTimes(undefined, undefined)).to.equal(undefined);
  });

  it("two times apart by Codex's allocation: taken while both lie within a second past the file's mtime, else the lines'", () => {
    const mtime = 1_795_172_465_020.7;
    const row = codexRowTimesOf({ updatedMs: 1_795_172_465_022, recencyMs: 1_795_172_465_020 });
    expect(row).to.deep.equal({ updatedMs: 1_795_172_465_022, recencyMs: 1_795_172_465_020, apart: true });
    expect(fileTakenTimes(row, mtime)).to.deep.equal({ updatedMs: 1_795_172_465_022, recencyMs: 1_795_172_465_020 });
    // A file written since, or a turn that started before the file's last write: Codex ran it.
    expect(fileTakenTimes(row, mtime + 5)).to.equal(undefined);
    expect(
      fileTakenTimes(codexRowTimesOf({ updatedMs: 1_795_172_465_020, recencyMs: 1_795_172_464_900 }), mtime),
    ).to.equal(undefined);
    expect(fileTakenTimes(row, undefined)).to.equal(undefined);
    expect(codexRowTimesOf({ updatedMs: 1_795_172_466_021, recencyMs: 1_795_172_465_020 })).to.equal('live');
    // A row predicted for a home without a DB (its times two files' readings) is taken whatever they are.
    expect(fileTakenTimes({ updatedMs: 1_795_172_465_900, recencyMs: 1_795_172_400_000 }, mtime)).to.deep.equal({
      updatedMs: 1_795_172_465_900,
      recencyMs: 1_795_172_400_000,
    });
  });

  describe('packed as the index keeps them (the rows every thread row was derived with)', () => {
    const anyRow: fc.Arbitrary<CodexRowTimesOf> = fc.oneof(
      fc.constant('live' as const),
      fc.record({ updatedMs: fc.integer({ min: 0, max: 2 ** 42 }), recencyMs: fc.integer({ min: 0, max: 2 ** 42 }) }),
      fc
        .record({ updatedMs: fc.integer({ min: 0, max: 2 ** 42 }), recencyMs: fc.integer({ min: 0, max: 2 ** 42 }) })
        .map((r) => ({ ...r, apart: true as const })),
    );

    it('unpack(pack(rows)) gives the same rows, in order, and no thread is told changed between them', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.tuple(fc.uuid(), anyRow), { selector: ([id]) => id, maxLength: 50 }),
          (entries) => {
            const rows = new Map(entries);
            const packed = packCodexRows(rows);
            expect(PackedCodexRows.is(packed)).to.equal(true);
            const back = unpackCodexRows(packed)!;
            expect([...back]).to.deep.equal([...rows]);
            expect(codexRowsChanged(rows, back).size).to.equal(0);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('an id holding a line break does not pair up: not known, rather than rows told to the wrong threads', () => {
      const packed = packCodexRows(new Map<string, CodexRowTimesOf>([['a\nb', 'live']]));
      expect(unpackCodexRows(packed)).to.equal(undefined);
    });
  });
});
