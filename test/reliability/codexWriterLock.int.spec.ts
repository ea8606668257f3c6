// Mutations of a thread a running Codex has loaded, and reused idempotency keys, through `serve`:
// a Codex-style process flocks `thread-writer-locks/<id>.lock` as Codex does while a thread is
// loaded; `rollout/append`, `thread/archive`, `thread/unarchive` and `thread/delete` are then
// refused as rollback and revert are, and write nothing (Codex numbers its lines from its own
// counter: ours beside them would share its ordinals). Released, the same requests go through.
// A recorded idempotency key sent with other lines is refused, not acknowledged with nothing written.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { codexWriterOf, THREAD_WRITER_LOCKS } from '../../adapters/driven/codexState/codexThreadState.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { reportArea } from './areaSummary.js';

const HELD = 'ffffffff-0000-7000-8000-00000000c001';
const ARCHIVED = 'ffffffff-0000-7000-8000-00000000c002';

/** Every file under `dir` with its size: what "nothing written" compares. */
const filesUnder = (dir: string): Record<string, number> => {
  const out: Record<string, number> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = nodePath.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[nodePath.relative(dir, p)] = fs.statSync(p).size;
    }
  };
  walk(dir);
  return out;
};

describe('reliability · a running Codex’s writer lock, and reused idempotency keys', function () {
  this.timeout(120_000);
  let home: string;
  let server: StdioRpcClient;
  let codex: ChildProcess | undefined;
  const w = chatThread('paginated', HELD, 2);
  const figures = { trials: 0, refused: 0, acknowledged: 0, writtenWhileHeld: 0, lost: 0, reusedKeysRefused: 0 };
  const ask = async (method: string, params: unknown): Promise<any> => server.request(method, params);
  const sessions = (): Record<string, number> => ({
    ...filesUnder(nodePath.join(home, 'sessions')),
    ...filesUnder(nodePath.join(home, 'archived_sessions')),
  });
  const lockOf = (threadId: string): string => nodePath.join(home, THREAD_WRITER_LOCKS, `${threadId}.lock`);

  /**
   * A Codex-style holder: flock(LOCK_EX) on the thread's lock file, kept until killed (as a loaded
   * thread's); `-s`, LOCK_SH, as a later Codex holds it while a fork reads the history (it still writes).
   */
  const holdAsCodex = async (threadId: string, mode: '-x' | '-s' = '-x'): Promise<void> => {
    fs.mkdirSync(nodePath.join(home, THREAD_WRITER_LOCKS), { recursive: true });
    fs.writeFileSync(lockOf(threadId), '');
    // A process group of its own: flock forks `sleep`, and killing flock alone left the sleep running after the suite.
    codex = spawn('flock', [mode, '-o', lockOf(threadId), 'sleep', '600'], { stdio: 'ignore', detached: true });
    const deadline = Date.now() + 60_000; // a hang bound, not a speed verdict
    while (codexWriterOf(home, threadId) === null) {
      if (Date.now() > deadline) throw new Error('the flock was not taken');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  /** Codex letting go: the flock released and the file removed. */
  const release = async (threadId: string): Promise<void> => {
    const c = codex!;
    codex = undefined;
    await new Promise((resolve) => (c.once('exit', resolve), process.kill(-c.pid!, 'SIGKILL')));
    fs.rmSync(lockOf(threadId), { force: true });
  };

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-writer-lock-'));
    writeRollout(home, rolloutName(HELD), w.text());
    writeRollout(home, rolloutName(ARCHIVED), chatThread('paginated', ARCHIVED, 1).text());
    server = await initializedServe(home, {
      capabilities: { experimentalApi: true },
    });
    expect((await ask('thread/archive', { threadId: ARCHIVED })).result).to.be.an('object');
  });
  after(async () => {
    if (codex !== undefined) process.kill(-codex.pid!, 'SIGKILL');
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
    reportArea('Codex writer lock, reused idempotency keys', figures);
  });

  const next = new RolloutWriter('paginated', HELD, {
    startOrdinal: w.nextOrdinal(),
    startMs: w.nowMs() + 1000,
  }).chatTurn('t-next', 'question', 'answer').lines;

  it('refuses append, archive, unarchive and delete of a thread a Codex process holds, writing nothing; the same requests go through once it lets go', async () => {
    const requests: Array<[string, string, unknown, '-x' | '-s']> = [
      [
        'rollout/append',
        HELD,
        { threadId: HELD, lines: next, expectedOrdinal: w.nextOrdinal(), idempotencyKey: 'while-held' },
        '-x',
      ],
      [
        'rollout/append',
        HELD,
        { threadId: HELD, lines: next, expectedOrdinal: w.nextOrdinal(), idempotencyKey: 'while-shared' },
        '-s',
      ],
      ['thread/archive', HELD, { threadId: HELD }, '-x'],
      ['thread/archive', HELD, { threadId: HELD }, '-s'],
      ['thread/delete', HELD, { threadId: HELD }, '-x'],
      ['thread/unarchive', ARCHIVED, { threadId: ARCHIVED }, '-x'],
    ];
    for (const [method, threadId, params, mode] of requests) {
      await holdAsCodex(threadId, mode);
      const before = sessions();
      figures.trials++;
      const r = await ask(method, params);
      const after = sessions();
      if (r.error !== undefined) figures.refused++;
      if (JSON.stringify(after) !== JSON.stringify(before)) figures.writtenWhileHeld++;
      expect(r.error?.message, `${method} while Codex holds the thread`).to.match(
        /is open in a running Codex \(pid \d+ holds its writer lock\)/,
      );
      expect(after, `${method} wrote nothing`).to.deep.equal(before);
      await release(threadId);
    }
    // Released: append first (the thread stays), then the moves.
    const appended = await ask('rollout/append', {
      threadId: HELD,
      lines: next,
      expectedOrdinal: w.nextOrdinal(),
      idempotencyKey: 'after-release',
    });
    expect(appended.result).to.include({ lines: next.length, ordinal: w.nextOrdinal() + next.length });
    figures.acknowledged++;
    const read = await ask('thread/read', { threadId: HELD, includeTurns: true });
    if (read.result.thread.turns.length !== 3) figures.lost++;
    expect(read.result.thread.turns.map((t: { id: string }) => t.id)).to.include('t-next');
    expect((await ask('thread/unarchive', { threadId: ARCHIVED })).result).to.be.an('object');
    expect((await ask('thread/archive', { threadId: HELD })).result).to.be.an('object');
    expect((await ask('thread/unarchive', { threadId: HELD })).result).to.be.an('object');
  });

  it('refuses a recorded idempotency key sent with other lines (InvalidArgument), writing nothing; the same lines still answer the first result', async () => {
    const end = w.nextOrdinal() + next.length;
    const at = (n: number, id: string) =>
      new RolloutWriter('paginated', HELD, { startOrdinal: n, startMs: w.nowMs() + 5000 + n }).chatTurn(
        id,
        `question ${id}`,
        `answer ${id}`,
      ).lines;
    const a = at(end, 'k-a');
    const first = await ask('rollout/append', {
      threadId: HELD,
      lines: a,
      expectedOrdinal: end,
      idempotencyKey: 'reused',
    });
    expect(first.result).to.include({ firstOrdinal: end, lines: a.length });
    figures.acknowledged++;
    const before = sessions();
    // Another append under the same key: the next turn at the new end (a valid append otherwise), or other lines at the same place.
    for (const [lines, expectedOrdinal] of [
      [at(first.result.ordinal, 'k-b'), first.result.ordinal],
      [at(end, 'k-c'), end],
    ] as const) {
      figures.trials++;
      const reused = await ask('rollout/append', { threadId: HELD, lines, expectedOrdinal, idempotencyKey: 'reused' });
      if (reused.error !== undefined) figures.reusedKeysRefused++;
      expect(reused.error?.code, 'invalid params').to.equal(-32602);
      expect(reused.error?.message).to.match(/idempotencyKey.*already used by an append of other lines/);
      expect(sessions(), 'nothing written').to.deep.equal(before);
    }
    const retry = await ask('rollout/append', {
      threadId: HELD,
      lines: a,
      expectedOrdinal: end,
      idempotencyKey: 'reused',
    });
    expect(retry.result).to.deep.equal(first.result);
    expect(sessions()).to.deep.equal(before);
  });
});
