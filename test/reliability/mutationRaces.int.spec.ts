// Two `serve` processes on one home mutate the same paginated thread at the same moment: a
// revision (rollback) must be cut under the same lock and expected position as an append (inline
// review), so either one of them gets Conflict or they ran one after the other — never both
// against the same state: no acknowledged line cut away, no sibling revisions.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { chatThread, dayDir, rolloutName, writeRollout } from '../replay/mutationHome.js';
import * as E from 'fp-ts/lib/Either.js';
import { readThreadByFold } from '../oracle/wholeFileFold.js';
import { jsonlRolloutStore } from '../oracle/rolloutStore.js';
import { reportArea } from './areaSummary.js';

// 100 trials each: alone they take 16 s and 35 s for 200, but in a whole clean-clone run the same
// 200 outran a 240 s bound in both of stop 78's runs (cause not yet found: ~1.7 s a trial there).
// The bound is a hang guard, so it must not decide the verdict by the machine's pace.
const TRIALS = Number(process.env['RACE_TRIALS'] ?? 100);
const threadIdOf = (race: number, trial: number): string =>
  `eeeeeeee-0000-7000-8000-${race.toString(16).padStart(4, '0')}${trial.toString(16).padStart(8, '0')}`;

type Answer = { readonly result?: any; readonly error?: { readonly code: number; readonly message: string } };

const openServe = async (home: string): Promise<StdioRpcClient> => {
  return initializedServe(home, {
    clientInfo: { name: 'race', version: '1' },
    capabilities: { experimentalApi: true },
  });
};

/** The revision files of a thread and the cut each names (`thread_id@end_ordinal_exclusive`). */
const revisionCuts = (home: string, threadId: string): string[] => {
  const sessions = nodePath.join(home, 'sessions');
  return fs
    .readdirSync(sessions, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.jsonl') && nodePath.basename(p).includes(`${threadId}_`))
    .map((p) => {
      const meta = JSON.parse(fs.readFileSync(nodePath.join(sessions, p), 'utf8').split('\n', 1)[0]!) as {
        payload: { history_base?: { thread_id: string; end_ordinal_exclusive: number } };
      };
      return `${meta.payload.history_base?.thread_id}@${meta.payload.history_base?.end_ordinal_exclusive}`;
    });
};

const conflictOrOk = (a: RpcAnswer): 'ok' | 'conflict' => {
  const x = a as Answer;
  if (x.result !== undefined) return 'ok';
  // Conflict is answered -32600 naming the expected and actual ends (toRpcError).
  if (x.error?.code === -32600 && /conflict|superseded|changed/i.test(x.error.message)) return 'conflict';
  throw new Error(`neither an answer nor a Conflict: ${JSON.stringify(a)}`);
};

describe('reliability · two serve processes mutating one paginated thread', function () {
  this.timeout(600_000);
  let home: string;
  let a: StdioRpcClient;
  let b: StdioRpcClient;
  const figures = {
    trials: 0,
    acknowledgedLines: 0,
    lostLines: 0,
    conflicts: 0,
    bothSucceeded: 0,
    siblingRevisions: 0,
    staleAnswers: 0,
  };

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-races-'));
    fs.mkdirSync(dayDir(home), { recursive: true });
    [a, b] = await Promise.all([openServe(home), openServe(home)]);
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    fs.rmSync(home, { recursive: true, force: true });
    reportArea('mutation races (review ‖ rollback, rollback ‖ rollback; two serve processes)', figures);
  });

  /** The history as the files hold it (the whole-file fold), and as each server answers it. */
  const finalTurns = async (threadId: string): Promise<string[]> => {
    const folded = await readThreadByFold(jsonlRolloutStore(home), threadId, true)();
    if (E.isLeft(folded)) throw new Error(JSON.stringify(folded.left));
    const truth = folded.right.turns.map((t) => t.id);
    for (const s of [a, b]) {
      const read = (await s.request('thread/read', { threadId, includeTurns: true })) as Answer;
      const served = (read.result.thread.turns as Array<{ id: string }>).map((t) => t.id);
      if (JSON.stringify(served) !== JSON.stringify(truth)) figures.staleAnswers++;
    }
    return truth;
  };

  it(`review/start (inline) ‖ thread/rollback: one gets Conflict or they ran in turn; the review line is never cut away (${TRIALS} trials)`, async () => {
    const lost: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const id = threadIdOf(1, trial);
      writeRollout(home, rolloutName(id), chatThread('paginated', id, 3).text());
      const [review, rollback] = await Promise.all([
        a.request('review/start', { threadId: id, target: { type: 'custom', instructions: `review ${trial}` } }),
        b.request('thread/rollback', { threadId: id, numTurns: 1 }),
      ]);
      const rv = conflictOrOk(review);
      const rb = conflictOrOk(rollback);
      figures.trials++;
      if (rv === 'conflict' || rb === 'conflict') figures.conflicts++;
      const turns = await finalTurns(id);
      const reviewTurn = rv === 'ok' ? ((review as Answer).result.turn.id as string) : undefined;
      if (reviewTurn !== undefined) figures.acknowledgedLines++;
      // Codex lists an inline review turn once it ends (no task_started of its own:
      // thread_history_projection.rs): the review's line is found by its turn id.
      const reviewKept =
        reviewTurn !== undefined &&
        (((await a.request('thread/items/list', { threadId: id, turnId: reviewTurn })) as Answer).result?.data
          ?.length ?? 0) > 0;
      let expected: string[][];
      if (rv === 'ok' && rb === 'ok') {
        figures.bothSucceeded++;
        // One after the other: the rollback before the review (its revision holds the review), or
        // after it (its cut drops the last listed turn, t3, and the review after it).
        expected = [['t1', 't2']];
      } else if (rv === 'ok') expected = reviewKept ? [['t1', 't2', 't3']] : [];
      else if (rb === 'ok') expected = [['t1', 't2']];
      else expected = [['t1', 't2', 't3']];
      if (!expected.some((e) => JSON.stringify(e) === JSON.stringify(turns))) {
        lost.push(
          `trial ${trial}: review ${rv}, rollback ${rb}, history ${turns.join(',')}; rollback kept ${rb === 'ok' ? JSON.stringify((rollback as Answer).result.thread.turns.map((t: { id: string }) => t.id)) : '-'}; files ${fs
            .readdirSync(dayDir(home))
            .filter((f) => f.includes(id))
            .map((f) => f + ':' + fs.readFileSync(nodePath.join(dayDir(home), f), 'utf8').split('\n').length)
            .join(' ')}`,
        );
        if (reviewTurn !== undefined && !reviewKept) figures.lostLines++;
      }
      const cuts = revisionCuts(home, id);
      if (new Set(cuts).size !== cuts.length) figures.siblingRevisions++;
    }
    expect(lost, lost.slice(0, 5).join('\n')).to.deep.equal([]);
    expect(figures.siblingRevisions).to.equal(0);
  });

  it(`thread/rollback ‖ thread/rollback: one gets Conflict or they ran in turn; never two sibling revisions (${TRIALS} trials)`, async () => {
    const wrong: string[] = [];
    const before = figures.siblingRevisions;
    for (let trial = 0; trial < TRIALS; trial++) {
      const id = threadIdOf(2, trial);
      writeRollout(home, rolloutName(id), chatThread('paginated', id, 3).text());
      const answers = await Promise.all([
        a.request('thread/rollback', { threadId: id, numTurns: 1 }),
        b.request('thread/rollback', { threadId: id, numTurns: 1 }),
      ]);
      const [x, y] = answers.map(conflictOrOk);
      figures.trials++;
      if (x === 'conflict' || y === 'conflict') figures.conflicts++;
      const oks = [x, y].filter((r) => r === 'ok').length;
      figures.acknowledgedLines += oks;
      if (oks === 2) figures.bothSucceeded++;
      const turns = await finalTurns(id);
      const expected = oks === 2 ? ['t1'] : oks === 1 ? ['t1', 't2'] : ['t1', 't2', 't3'];
      if (JSON.stringify(turns) !== JSON.stringify(expected)) {
        wrong.push(`trial ${trial}: ${x}/${y}, history ${turns.join(',')}`);
        figures.lostLines++;
      }
      const cuts = revisionCuts(home, id);
      if (new Set(cuts).size !== cuts.length) figures.siblingRevisions++;
    }
    expect(wrong, wrong.slice(0, 5).join('\n')).to.deep.equal([]);
    expect(figures.siblingRevisions - before).to.equal(0);
  });
});
