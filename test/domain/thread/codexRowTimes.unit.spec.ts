import { expect } from 'chai';
import { codexRowTimesOf, fileTakenTimes } from '../../../domain/thread/codexRowTimes.js';

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
});
