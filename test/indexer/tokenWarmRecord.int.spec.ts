import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { withTokenProjectionCaughtUp } from '../../adapters/driving/composition/tokenProjectionHome.js';
import { readTokenSums } from '../../replay/tokens/auditTokenUsage.js';
import { DEFAULT_PRICING } from '../../domain/tokens/pricing.js';
import { tokenSumsIfWarm, TOKEN_WARM_RECORD } from '../../indexer/tokens/tokenWarmRecord.js';
import { recordedHome, writeTokenWarmRecord } from '../../indexer/tokens/writeTokenWarmRecord.js';
import type { IndexStore } from '../../domain/ports.js';
import { right } from '../fixtures/right.js';
import { CHECKPOINTS_A_READ } from '../../indexer/reads/eachCheckpoint.js';
import { openIndex } from '../../indexer/open/openIndex.js';
import { lazyCatchUpHome } from '../../indexer/catchUp/lazyCatchUp.js';
import { lmdbDirOf } from '../../adapters/driven/lmdb/environmentFolder.js';
import { listRolloutHome } from '../../adapters/driven/jsonl/home/discover.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { TokenHistory, usage6 } from '../fixtures/tokenHistories.js';
import { CLI } from '../fixtures/cliBundle.js';

/**
 * A warm `tokens` report answers from the sums recorded beside the index (indexer/tokens/tokenWarmRecord.ts)
 * only while the index is current with the home: after each scripted change — a rollout appended
 * to, rewritten in place at the same size, added to a day folder or a new one, deleted, moved to
 * archived_sessions, or a commit to the index — the record no longer holds and the report equals
 * one from a fresh index. While it holds, every grouping, zone and range it answers equals the
 * fresh index's report (a home with a legacy fork, a paginated fork and a sub-agent thread).
 */
describe('tokens: the warm record of the home token sums', function () {
  this.timeout(300_000);
  const tmp = useTempDir('token-warm-');
  let home: string;
  let indexDir: string;
  let fresh = 0;

  const id = (n: number) => `01a1fe84-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const fileOf = (day: string, threadId: string) =>
    nodePath.join(home, 'sessions', ...day.split('-'), `rollout-${day}T14-00-00-${threadId}.jsonl`);
  const write = (path: string, lines: ReadonlyArray<string>) => {
    fs.mkdirSync(nodePath.dirname(path), { recursive: true });
    fs.writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
  };

  /** A thread of two turns whose responses use `scale`-sized counts. */
  const thread = (
    n: number,
    scale: number,
    meta: Record<string, unknown> = {},
    startMs = Date.UTC(2026, 10, 21, 14, 0, 0),
  ) => {
    const w = new RolloutWriter('paginated', id(n), { startMs });
    w.sessionMeta(meta);
    const h = new TokenHistory(w);
    h.turn(`t${n}a`, [usage6(100 * scale, 10 * scale, 7 * scale)], { model: 'gpt-5' });
    w.wait(40 * 60_000);
    h.turn(`t${n}b`, [usage6(30 * scale, 0, 3 * scale), usage6(20 * scale, 5, 2)], {
      model: n % 2 === 0 ? 'gpt-5' : 'o4-mini',
      cwd: `/work/${n % 3}`,
    });
    return { w, h };
  };

  const tokens = (dir: string, args: ReadonlyArray<string>) => {
    const r = spawnSync(
      process.execPath,
      [CLI, 'tokens', '--json', '-q', '--codex-home', home, '--index-dir', dir, ...args],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).to.equal(0);
    const { seconds: _s, index: _i, ...report } = JSON.parse(r.stdout) as Record<string, unknown>;
    return report;
  };
  /** The same report from an index built now. */
  const reference = (args: ReadonlyArray<string>) => tokens(nodePath.join(tmp(), `fresh-${++fresh}`), args);

  /**
   * Record the sums of `h` as a caught-up report does, its folders' times taken as settled (time
   * passed: no racy interval): the home listed and settled, then the sums read, then the record.
   * `meanwhile` runs after the catch-up, before the listing; `afterListing` between the listing and
   * the sums' read. Whether it recorded.
   */
  const recordOf = (
    h: string,
    dir: string,
    meanwhile: () => void = () => undefined,
    afterListing: (store: IndexStore) => Promise<void> = async () => undefined,
  ) =>
    withTokenProjectionCaughtUp(h, dir, {}, ({ store }) => async () => {
      const mark = store.writeMark!();
      if (E.isLeft(mark)) return mark;
      meanwhile();
      const listed = await recordedHome(store, h, { nowMs: () => Date.now() + 60_000 });
      await afterListing(store);
      const sums = await readTokenSums(store, { pricing: DEFAULT_PRICING })();
      if (E.isLeft(sums)) return sums;
      return E.right(
        listed !== undefined && (await writeTokenWarmRecord(store, h, dir, mark.right, sums.right, listed)),
      );
    });

  /** Until a listing of `h` vouches for every folder's times (none changed within its racy interval: discover.ts `racyMsOf`). */
  const untilFoldersSettled = async (h: string): Promise<void> => {
    while (right(await listRolloutHome(h, true)()).folders.some((f) => f.mtimeMs === null))
      await new Promise((r) => setTimeout(r, 10));
  };

  /** The home's sums recorded: the record holds. */
  const record = async (): Promise<void> => {
    expect(await recordOf(home, indexDir)).to.deep.equal(E.right(true));
    expect(await tokenSumsIfWarm(home, indexDir)).to.not.equal(undefined);
  };

  const ASKED: ReadonlyArray<ReadonlyArray<string>> = [
    ['--by', 'day-utc', '--breakdown', 'model'],
    ['--by', 'thread'],
    ['--by', 'client'],
    ['--by', 'block'],
    ['--by', 'week', '--tz', 'Asia/Kathmandu'],
    ['--by', 'day', '--tz', 'America/St_Johns', '--since', '2026-11-21'],
    ['--by', 'cwd', '--until', '2026-11-21T14:30:00Z'],
  ];

  before(() => {
    home = nodePath.join(tmp(), 'home');
    indexDir = nodePath.join(tmp(), 'index');
    const root = thread(1, 1);
    write(fileOf('2026-11-21', id(1)), root.w.lines);
    // A legacy fork: every line of its source copied, then its own turn (its records held twice).
    const fork = new RolloutWriter('legacy', id(2), { startMs: Date.UTC(2026, 10, 21, 16, 0, 0) });
    fork.sessionMeta({ forked_from_id: id(1) });
    for (const l of root.w.lines) fork.lines.push(l);
    const fh = new TokenHistory(fork);
    fh.total = root.h.total;
    fh.turn('t2a', [usage6(500, 0, 50)], { model: 'gpt-5' });
    write(fileOf('2026-11-21', id(2)), fork.lines);
    // A sub-agent's thread (its client: the sub-agent source) and a paginated fork by reference.
    write(fileOf('2026-11-21', id(3)), thread(3, 2, { source: { subagent: 'review' }, originator: '' }).w.lines);
    write(
      fileOf('2026-11-22', id(4)),
      thread(4, 3, {
        forked_from_id: id(3),
        history_base: { thread_id: id(3), end_ordinal_exclusive: 2, end_byte_offset: 1 },
      }).w.lines,
    );
  });

  it('a caught-up report records the sums; the next answers from them, equal to a fresh index for every grouping, zone and range', async () => {
    tokens(indexDir, ['--by', 'day-utc']);
    expect(fs.existsSync(nodePath.join(indexDir, TOKEN_WARM_RECORD))).to.equal(true);
    await record();
    const recorded = fs.statSync(nodePath.join(indexDir, TOKEN_WARM_RECORD)).ino;
    for (const args of ASKED) expect(tokens(indexDir, args), args.join(' ')).to.deep.equal(reference(args));
    // Answered from the record: a caught-up report would have replaced it (a new file).
    expect(fs.statSync(nodePath.join(indexDir, TOKEN_WARM_RECORD)).ino).to.equal(recorded);
    // A record is of one home: another home given the same index dir is not answered from it.
    expect(await tokenSumsIfWarm(nodePath.join(tmp(), 'other'), indexDir)).to.equal(undefined);
  });

  it('the sums per thread are read when first asked for, from the record whose first line was read: one replaced since throws', async () => {
    await record();
    const warm = await tokenSumsIfWarm(home, indexDir);
    expect(warm).to.not.equal(undefined);
    // Recorded again: the same sums in a new file (written aside, renamed over the old one).
    await record();
    expect(() => warm!.sums.entries).to.throw(/replaced since its first line was read/);
    const again = await tokenSumsIfWarm(home, indexDir);
    expect(again!.sums.entries.length).to.be.above(0);
    expect(again!.clientOf(id(3))).to.equal('subAgent');
  });

  it('a link or a FIFO at the record is not followed nor waited on: no warm answer', async () => {
    await record();
    const at = nodePath.join(indexDir, TOKEN_WARM_RECORD);
    const aside = nodePath.join(tmp(), 'record-aside.json');
    fs.renameSync(at, aside);
    try {
      fs.symlinkSync(aside, at);
      expect(await tokenSumsIfWarm(home, indexDir)).to.equal(undefined);
      fs.rmSync(at);
      expect(spawnSync('mkfifo', [at]).status).to.equal(0);
      expect(await tokenSumsIfWarm(home, indexDir)).to.equal(undefined);
      fs.rmSync(at);
      // The same record, a file again: warm.
      fs.renameSync(aside, at);
      expect(await tokenSumsIfWarm(home, indexDir)).to.not.equal(undefined);
    } finally {
      fs.rmSync(aside, { force: true });
    }
  });

  const CHANGES: ReadonlyArray<readonly [string, () => void | Promise<void>]> = [
    [
      'a response appended to a rollout',
      () => {
        const w = new RolloutWriter('paginated', id(1), {
          startMs: Date.UTC(2026, 10, 21, 18, 0, 0),
          startOrdinal: 50,
        });
        new TokenHistory(w).turn('t1c', [usage6(900, 0, 90)], { model: 'gpt-5' });
        fs.appendFileSync(fileOf('2026-11-21', id(1)), w.lines.map((l) => `${l}\n`).join(''));
      },
    ],
    [
      'a rollout rewritten in place, the same size',
      () => {
        const p = fileOf('2026-11-22', id(4));
        const text = fs.readFileSync(p, 'utf8');
        const changed = text.replace('"input_tokens":90', '"input_tokens":80');
        expect(changed).to.not.equal(text);
        fs.writeFileSync(p, changed);
      },
    ],
    ['a rollout added to a day folder', () => write(fileOf('2026-11-21', id(5)), thread(5, 4).w.lines)],
    [
      'a rollout in a new day folder',
      () => write(fileOf('2026-12-02', id(6)), thread(6, 5, {}, Date.UTC(2026, 11, 2, 9, 0, 0)).w.lines),
    ],
    ['a rollout deleted', () => fs.rmSync(fileOf('2026-11-21', id(5)))],
    [
      'a rollout moved to archived_sessions (a root that was missing)',
      () => {
        const from = fileOf('2026-12-02', id(6));
        fs.mkdirSync(nodePath.join(home, 'archived_sessions'));
        fs.renameSync(from, nodePath.join(home, 'archived_sessions', nodePath.basename(from)));
      },
    ],
    [
      'a commit to the index (a full catch-up by another process)',
      async () => {
        const opened = await openIndex(lmdbDirOf(indexDir), home)();
        if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
        try {
          expect(E.isRight(await lazyCatchUpHome(opened.right.store, home)())).to.equal(true);
        } finally {
          await opened.right.store.close()();
        }
      },
    ],
  ];

  for (const [what, change] of CHANGES)
    it(`${what}: the record no longer holds; the report equals a fresh index's`, async () => {
      await record();
      const before = tokens(indexDir, ['--by', 'day-utc']);
      await change();
      expect(await tokenSumsIfWarm(home, indexDir)).to.equal(undefined);
      const after = tokens(indexDir, ['--by', 'day-utc']);
      expect(after).to.deep.equal(reference(['--by', 'day-utc']));
      if (!what.startsWith('a commit') && !what.startsWith('a rollout moved')) expect(after).to.not.deep.equal(before);
      for (const args of ASKED.slice(1, 3))
        expect(tokens(indexDir, args), args.join(' ')).to.deep.equal(reference(args));
    });
  // Changes made after the catch-up, before the record is written: the index no longer describes
  // every file, so nothing is recorded (writeTokenWarmRecord settles each file by its checkpoint).
  const BEHIND: ReadonlyArray<readonly [string, () => () => void]> = [
    [
      'a rollout with no checkpoint',
      () => {
        const p = fileOf('2026-11-23', id(7));
        write(p, thread(7, 6, {}, Date.UTC(2026, 10, 23, 9, 0, 0)).w.lines);
        return () => fs.rmSync(nodePath.dirname(p), { recursive: true });
      },
    ],
    [
      'a checkpoint whose rollout is gone',
      () => {
        const p = fileOf('2026-11-22', id(4));
        const bytes = fs.readFileSync(p);
        fs.renameSync(p, `${p}.away`);
        return () => {
          fs.renameSync(`${p}.away`, p);
          expect(fs.readFileSync(p)).to.deep.equal(bytes);
        };
      },
    ],
    [
      'a second file of one rollout (a copy under another name)',
      () => {
        const from = fileOf('2026-11-21', id(1));
        const copy = nodePath.join(nodePath.dirname(from), nodePath.basename(from).replace('T14-00-00', 'T15-00-00'));
        fs.copyFileSync(from, copy);
        return () => fs.rmSync(copy);
      },
    ],
  ];

  for (const [what, change] of BEHIND)
    it(`${what} after the catch-up: no record is written`, async () => {
      fs.rmSync(nodePath.join(indexDir, TOKEN_WARM_RECORD), { force: true });
      let undo: (() => void) | undefined;
      try {
        const r = await recordOf(home, indexDir, () => {
          undo = change();
        });
        expect(r).to.deep.equal(E.right(false));
        expect(fs.existsSync(nodePath.join(indexDir, TOKEN_WARM_RECORD))).to.equal(false);
      } finally {
        undo?.();
      }
      // Undone, the same home records again.
      await record();
    });

  it('a rollout appended to after the catch-up: recorded as its checkpoint holds it, no file stated again; the record does not answer, and the report equals a fresh index’s', async () => {
    const p = fileOf('2026-11-21', id(3));
    const bytes = fs.readFileSync(p);
    try {
      // The file's stats are its checkpoint's (what the catch-up read), whatever the file holds when the record is made.
      expect(await recordOf(home, indexDir, () => fs.appendFileSync(p, '\n'))).to.deep.equal(E.right(true));
      expect(await tokenSumsIfWarm(home, indexDir)).to.equal(undefined);
      const asked = ['--by', 'day-utc', '--breakdown', 'model'];
      expect(tokens(indexDir, asked)).to.deep.equal(reference(asked));
    } finally {
      fs.writeFileSync(p, bytes);
    }
    // The file restored (its ctime moved all the same), the next report catches up and records again.
    await record();
  });

  it("the record holds the home as the catch-up listed it: a rollout added since is in no folder's times it holds", async () => {
    fs.rmSync(nodePath.join(indexDir, TOKEN_WARM_RECORD), { force: true });
    const added = fileOf('2026-11-23', id(7));
    // The catch-up lists on the wall clock: each folder changed longer ago than its times vouch for.
    await untilFoldersSettled(home);
    try {
      const r = await withTokenProjectionCaughtUp(home, indexDir, {}, ({ store, takeListing }) => async () => {
        const mark = store.writeMark!();
        if (E.isLeft(mark)) return mark;
        const listing = takeListing();
        expect(listing?.files.map((f) => f.path)).to.not.include(added);
        // Given once: the report lets it go with the record made.
        expect(takeListing()).to.equal(undefined);
        write(added, thread(7, 6, {}, Date.UTC(2026, 10, 23, 9, 0, 0)).w.lines);
        // Listed now, the new rollout has no checkpoint (no record); as listed, every file settles.
        expect(await recordedHome(store, home)).to.equal(undefined);
        const listed = await recordedHome(store, home, { listing });
        expect(listed?.fileNames).to.have.length(listing!.files.length);
        const sums = await readTokenSums(store, { pricing: DEFAULT_PRICING })();
        if (E.isLeft(sums)) return sums;
        return E.right(await writeTokenWarmRecord(store, home, indexDir, mark.right, sums.right, listed!));
      });
      expect(r).to.deep.equal(E.right(true));
      // Its month's folder moved after it was timed: the record does not answer, the report has the new rollout.
      expect(await tokenSumsIfWarm(home, indexDir)).to.equal(undefined);
      const after = tokens(indexDir, ['--by', 'thread']);
      expect(after).to.deep.equal(reference(['--by', 'thread']));
      expect(JSON.stringify(after)).to.include(id(7));
    } finally {
      fs.rmSync(nodePath.dirname(added), { recursive: true, force: true });
    }
    await record();
  });

  it('a checkpoint committed between the listing and the sums (another catch-up): no record is written', async () => {
    fs.rmSync(nodePath.join(indexDir, TOKEN_WARM_RECORD), { force: true });
    const r = await recordOf(
      home,
      indexDir,
      () => undefined,
      async (store) => {
        // A checkpoint written again as it was: the index's write mark moves, whatever it holds.
        const [cp] = right(await store.range('tokenFiles', [], { limit: 1 })());
        right(await store.commit(() => [{ op: 'put', table: 'tokenFiles', key: cp!.key, value: cp!.value }])());
      },
    );
    expect(r).to.deep.equal(E.right(false));
    expect(fs.existsSync(nodePath.join(indexDir, TOKEN_WARM_RECORD))).to.equal(false);
    await record();
  });

  it('a home of more checkpoints than one read of them returns (the record reads them in pieces): recorded, every file in it', async () => {
    const many = nodePath.join(tmp(), 'many');
    const manyIndex = nodePath.join(tmp(), 'many-index');
    const files = 2 * CHECKPOINTS_A_READ + 37;
    for (let n = 1; n <= files; n++)
      write(
        nodePath.join(many, 'sessions', '2026', '11', '21', `rollout-2026-11-21T14-00-00-${id(1000 + n)}.jsonl`),
        thread(1000 + n, 1).w.lines,
      );
    const r = await recordOf(many, manyIndex);
    expect(r).to.deep.equal(E.right(true));
    expect((await tokenSumsIfWarm(many, manyIndex))?.files).to.equal(files);
  });
});
