// Archive and unarchive against the writes of the thread they move (issue 68, finding 7), through
// the CLI as a user runs it. An archived thread's revision (rollback, revert) is written beside its
// files in archived_sessions/, so an acknowledged archive stays archived. Archive, unarchive and a
// rollback of the same thread run at once in scripted interleavings (hold points,
// adapters/driven/system/holdPoint.ts): the moves take the writer locks a revision takes, so whatever the
// interleaving the thread is never left split across sessions/ and archived_sessions/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { jsonlRolloutFiles } from '../../adapters/driven/jsonl/writers/rolloutFiles.js';
import type { EngineCliRun } from '../compat/engineCli.js';
import { runEngineCli } from '../compat/engineCli.js';
import { holdAt } from '../fixtures/heldProcess.js';
import type { HoldPointName } from '../../adapters/driven/system/holdPoint.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { reportArea } from './areaSummary.js';

const TRIALS = Number(process.env['ARCHIVE_TRIALS'] ?? 5);
const threadIdOf = (round: number, trial: number): string =>
  `aaaaaaaa-0000-7000-8000-${round.toString(16).padStart(4, '0')}${trial.toString(16).padStart(8, '0')}`;

/** Every rollout file of `threadId` under `folder` of the home (relative paths). */
const filesOf = (home: string, folder: 'sessions' | 'archived_sessions', threadId: string): string[] => {
  const root = nodePath.join(home, folder);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.jsonl') && nodePath.basename(p).includes(threadId))
    .sort();
};

type Where = 'active' | 'archived' | 'split' | 'gone';
const whereIs = (home: string, threadId: string): Where => {
  const [s, a] = [filesOf(home, 'sessions', threadId).length, filesOf(home, 'archived_sessions', threadId).length];
  return s > 0 && a > 0 ? 'split' : s > 0 ? 'active' : a > 0 ? 'archived' : 'gone';
};

/** A CLI run that may be held at a hold point: its answer, and whether it holds there (or ended first). */
interface Running {
  readonly done: Promise<EngineCliRun>;
  /** 'held' once the process holds; 'ended' when it ended without reaching the point (the code has no such step). */
  readonly reached: () => Promise<'held' | 'ended'>;
  readonly release: () => Promise<void>;
}

const start = (args: readonly string[], point?: HoldPointName, holdFile?: string, hit = 1): Running => {
  const step = point === undefined ? undefined : holdAt(point, hit, holdFile!);
  let ended = false;
  const done = runEngineCli(args, 120_000, step?.env ?? {}).then((r) => {
    ended = true;
    return r;
  });
  return {
    done,
    reached: async () => {
      if (step === undefined) return 'ended';
      for (;;) {
        if (fs.existsSync(holdFile!)) return 'held';
        if (ended) return 'ended';
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    release: async () => {
      if (step !== undefined) await fs.promises.rm(holdFile!, { force: true });
    },
  };
};

const ids = (run: EngineCliRun): string[] => {
  if (run.exitCode !== 0) throw new Error(`threads failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { data: Array<{ id: string }> }).data.map((t) => t.id);
};

describe('reliability · archive and unarchive against writes of the thread they move', function () {
  this.timeout(600_000);
  let home: string;
  let holds: string;
  const figures = {
    trials: 0,
    archivesAcknowledged: 0,
    undone: 0,
    split: 0,
    rollbacksConflicted: 0,
    rollbacksAcknowledged: 0,
    heldAsScripted: 0,
  };
  const cli = (...args: string[]): string[] => [...args, '--codex-home', home, '--json'];

  before(() => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-archive-'));
    holds = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-archive-holds-'));
  });
  after(() => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(holds, { recursive: true, force: true });
    reportArea('archive locks (archive, unarchive ‖ rollback; CLI processes, scripted interleavings)', figures);
  });

  it('archive, then rollback and revert: the thread stays archived (listed under archived, not active), its revision beside it; unarchive brings all back', async () => {
    for (const [round, how] of [
      [1, ['rollback', '--num-turns', '1']],
      [2, ['revert', '--before-turn-id', 't3']],
    ] as const) {
      const id = threadIdOf(round, 0);
      writeRollout(home, rolloutName(id), chatThread('paginated', id, 3).text());
      const archived = await runEngineCli(cli('archive', id));
      expect(archived.exitCode, archived.stderr).to.equal(0);
      figures.archivesAcknowledged++;
      const changed = await runEngineCli(cli(how[0], id, ...how.slice(1)));
      expect(changed.exitCode, changed.stderr).to.equal(0);
      figures.trials++;
      const where = whereIs(home, id);
      if (where !== 'archived') figures.undone++;
      const active = ids(await runEngineCli(cli('threads')));
      const listedArchived = ids(await runEngineCli(cli('threads', '--archived')));
      expect(
        { where, active: active.includes(id), archived: listedArchived.includes(id) },
        `${how[0]}: ${JSON.stringify(filesOf(home, 'sessions', id))}`,
      ).to.deep.equal({
        where: 'archived',
        active: false,
        archived: true,
      });
      expect(filesOf(home, 'archived_sessions', id)).to.have.length(2);
      const read = await runEngineCli(cli('read', id));
      expect((JSON.parse(read.stdout) as { turns: Array<{ id: string }> }).turns.map((t) => t.id)).to.deep.equal([
        't1',
        't2',
      ]);
      const back = await runEngineCli(cli('unarchive', id));
      expect(back.exitCode, back.stderr).to.equal(0);
      expect(whereIs(home, id)).to.equal('active');
      expect(filesOf(home, 'sessions', id)).to.have.length(2);
    }
  });

  it("a rolled-back thread archived and unarchived: its base's superseded mark goes with it, so an append to the base where it lies is refused", async () => {
    const id = threadIdOf(7, 0);
    const base = writeRollout(home, rolloutName(id), chatThread('paginated', id, 3).text());
    expect((await runEngineCli(cli('rollback', id, '--num-turns', '1'))).exitCode).to.equal(0);
    const files = jsonlRolloutFiles(home);
    /** An append at the base's end, as a writer that missed the revision would make it: refused, naming the revision. */
    const appendToBase = async (path: string): Promise<string> => {
      const size = fs.statSync(path).size;
      const lines = fs.readFileSync(path, 'utf8').split('\n').length - 1;
      const r = await files.appendRaw(path, [fs.readFileSync(path, 'utf8').split('\n')[lines - 1]!], {
        ordinal: lines,
        byteOffset: size,
      })();
      return E.isLeft(r) && r.left._tag === 'Conflict' && r.left.supersededBy !== undefined
        ? nodePath.basename(r.left.supersededBy)
        : `not refused: ${JSON.stringify(r)}`;
    };
    const revision = filesOf(home, 'sessions', id)
      .map((p) => nodePath.basename(p))
      .find((p) => p.includes('_'))!;
    expect(await appendToBase(base)).to.equal(revision);
    expect((await runEngineCli(cli('archive', id))).exitCode).to.equal(0);
    const archivedBase = nodePath.join(home, 'archived_sessions', nodePath.basename(base));
    figures.trials++;
    expect(await appendToBase(archivedBase)).to.equal(revision);
    const marks = (folder: string): string[] =>
      fs
        .readdirSync(folder, { recursive: true, encoding: 'utf8' })
        .filter((p) => p.endsWith('.superseded') && p.includes(id));
    expect({
      sessions: marks(nodePath.join(home, 'sessions')),
      archived: marks(nodePath.join(home, 'archived_sessions')),
    }).to.deep.equal({
      sessions: [],
      archived: [`${nodePath.basename(base)}.superseded`],
    });
    expect((await runEngineCli(cli('unarchive', id))).exitCode).to.equal(0);
    expect(await appendToBase(base)).to.equal(revision);
    expect(marks(nodePath.join(home, 'archived_sessions'))).to.deep.equal([]);
  });

  /** The interleaving is the one scripted: the process holds at its point (a code without that step fails the trial, never passes it unscripted). */
  const mustHold = async (run: Running, what: string): Promise<void> => {
    if ((await run.reached()) === 'ended')
      throw new Error(`${what} ended before it reached its hold point: ${(await run.done).stderr.slice(0, 300)}`);
    figures.heldAsScripted++;
  };

  /**
   * One interleaving of a move (`archive` or `unarchive`) and a rollback, `trials` times, each on a
   * fresh thread (archived first for an unarchive): `script` starts both and steps them through
   * their hold points. Whatever the answers, the thread ends wholly in one folder: the move's
   * when it was acknowledged.
   */
  const interleave = async (
    round: number,
    move: 'archive' | 'unarchive',
    script: (ctx: {
      id: string;
      move: (point?: HoldPointName, hit?: number) => Running;
      rollback: (point?: HoldPointName, hit?: number) => Running;
    }) => Promise<[Running, Running]>,
  ): Promise<string[]> => {
    const wrong: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const id = threadIdOf(round, trial);
      writeRollout(home, rolloutName(id), chatThread('paginated', id, 3).text());
      if (move === 'unarchive') expect((await runEngineCli(cli('archive', id))).exitCode).to.equal(0);
      const [moveHold, rollbackHold] = [
        nodePath.join(holds, `${round}-${trial}-move`),
        nodePath.join(holds, `${round}-${trial}-rollback`),
      ];
      const started: Running[] = [];
      const track = (run: Running): Running => (started.push(run), run);
      let m: Running, r: Running;
      try {
        [m, r] = await script({
          id,
          move: (point, hit) => track(start(cli(move, id), point, moveHold, hit)),
          rollback: (point, hit) => track(start(cli('rollback', id, '--num-turns', '1'), point, rollbackHold, hit)),
        });
      } finally {
        // Whatever happened, no process is left holding.
        for (const run of started) await run.release();
        await Promise.all(started.map((run) => run.done));
      }
      const [moved, rolledBack] = await Promise.all([m.done, r.done]);
      figures.trials++;
      if (move === 'archive' && moved.exitCode === 0) figures.archivesAcknowledged++;
      if (rolledBack.exitCode === 0) figures.rollbacksAcknowledged++;
      else if (/conflict|superseded|changed/i.test(rolledBack.stderr)) figures.rollbacksConflicted++;
      else
        wrong.push(
          `trial ${trial}: the rollback failed otherwise than with a Conflict: exit ${rolledBack.exitCode}, ${rolledBack.stderr.trim().slice(0, 300)}`,
        );
      const where = whereIs(home, id);
      if (where === 'split') figures.split++;
      const expected =
        moved.exitCode === 0
          ? move === 'archive'
            ? 'archived'
            : 'active'
          : move === 'archive'
            ? 'active'
            : 'archived';
      if (where !== expected || moved.exitCode !== 0)
        wrong.push(
          `trial ${trial}: ${move} exit ${moved.exitCode} (${moved.stderr.trim().slice(0, 200)}), rollback exit ${rolledBack.exitCode}: thread ${where}, ` +
            `sessions ${JSON.stringify(filesOf(home, 'sessions', id))}, archived ${JSON.stringify(filesOf(home, 'archived_sessions', id))}`,
        );
    }
    return wrong;
  };

  it(`archive lists the files, a rollback cuts a revision, the archive goes on: never split (${TRIALS} trials)`, async () => {
    const wrong = await interleave(3, 'archive', async ({ move, rollback }) => {
      const m = move('writerLocks.acquiring');
      await mustHold(m, 'the move');
      const r = rollback();
      await r.done;
      await m.release();
      return [m, r];
    });
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
  });

  it(`a rollback holds its base's lock mid-cut while the archive comes: never split (${TRIALS} trials)`, async () => {
    const wrong = await interleave(4, 'archive', async ({ move, rollback }) => {
      const r = rollback('revision.marked');
      await mustHold(r, 'the rollback');
      // The archive lists the files while the cut is under way, then waits for the lock (or, moving without it, is done).
      const m = move('writerLocks.acquiring');
      // Held there (then it waits for the lock), or, a move that takes no lock, done already: the verdict tells which.
      await m.reached();
      await m.release();
      await r.release();
      return [m, r];
    });
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
  });

  it(`a rollback's answer found its thread, then the archive moves it before the turns are read: answered done, never split (${TRIALS} trials)`, async () => {
    const before = figures.rollbacksAcknowledged;
    const wrong = await interleave(10, 'archive', async ({ id, move, rollback }) => {
      const m = move('writerLocks.acquiring');
      await mustHold(m, 'the move');
      // Its 2nd read of byte ranges: the cut done, the answer's thread found where the index names it, its turns not yet read.
      const r = rollback('rollout.ranges.reading', 2);
      await mustHold(r, 'the rollback');
      // Held after the cut (a revision beside its base), not at a read before it.
      expect(filesOf(home, 'sessions', id), 'held after the cut').to.have.length(2);
      // The archive takes the locks, lists the files again (the revision now among them), moves them and tells the index.
      await m.release();
      await m.done;
      await r.release();
      return [m, r];
    });
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
    expect(figures.rollbacksAcknowledged - before).to.equal(TRIALS);
  });

  for (const [round, point, hit, when] of [
    [8, 'rollout.move.before', 2, 'has moved its base, not yet the revision'],
    [9, 'rollout.move.done', 1, 'has moved both files, not yet told the index'],
  ] as const) {
    it(`a rollback's revision is cut, then the archive ${when} while the rollback answers: answered done, never split (${TRIALS} trials)`, async () => {
      const before = figures.rollbacksAcknowledged;
      const wrong = await interleave(round, 'archive', async ({ move, rollback }) => {
        const r = rollback('revision.unlocked');
        await mustHold(r, 'the rollback');
        // The archive takes the locks, finds the revision (the files listed again under them), and moves.
        const m = move(point, hit);
        await mustHold(m, 'the move');
        await r.release();
        await r.done;
        await m.release();
        return [m, r];
      });
      expect(wrong, wrong.join('\n')).to.deep.equal([]);
      // Its revision is written (and archived with the rest): answered done, not failed.
      expect(figures.rollbacksAcknowledged - before).to.equal(TRIALS);
    });
  }

  it(`a rollback reads the thread, the archive (holding the locks) moves it, the rollback goes on: Conflict, never split (${TRIALS} trials)`, async () => {
    const before = figures.rollbacksConflicted;
    const wrong = await interleave(5, 'archive', async ({ move, rollback }) => {
      const m = move('rollout.move.before');
      await mustHold(m, 'the move');
      // The rollback reads the thread as it is (active), and is held before it asks for its base's lock.
      const r = rollback('rollout.lock.acquiring');
      await mustHold(r, 'the rollback');
      await m.release();
      await m.done;
      await r.release();
      return [m, r];
    });
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
    // Its base moved under the archive's lock: the cut finds no file where it read it, and writes nothing.
    expect(figures.rollbacksConflicted - before).to.equal(TRIALS);
  });

  it(`unarchive lists the files, a rollback of the archived thread cuts a revision, the unarchive goes on: never split (${TRIALS} trials)`, async () => {
    const wrong = await interleave(6, 'unarchive', async ({ move, rollback }) => {
      const m = move('writerLocks.acquiring');
      await mustHold(m, 'the move');
      const r = rollback();
      await r.done;
      await m.release();
      return [m, r];
    });
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
  });
});
