// The soak of issue 39: two `serve` processes and a Codex-style writer on one home. Each round
// both servers run a random mutation of a small set of shared threads (delete, rename, fork,
// rollback, rollout/append) while the Codex-style process, holding Codex's writer flock on its
// own thread, appends turns to that thread's file and renames to session_index.jsonl (O_APPEND +
// fsync, no lock of ours). Afterwards: every acknowledged write is there (names, lines, forks),
// no failed one is, a deleted thread has no file, name or read left, and every thread's full
// turns cursor walk (both ways, on both servers) equals what thread/read answers. Each round's
// thread and operation are drawn from a seed printed on failure (SOAK_SEED replays the draws; what
// the two servers' concurrent operations then do to each other still depends on timing).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';

import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { renderError } from '../../domain/errors.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { chatThread, dayDir, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { reportArea } from './areaSummary.js';
import { runSeed, seededRandom } from '../fixtures/seededRandom.js';
import { filesOf, openServe, sessionIndexNames } from './sharedHome.js';

const ROUNDS = Number(process.env['SOAK_ROUNDS'] ?? 200);
const SEED_ENV = 'SOAK_SEED';
/** Live threads the rounds pick from (a deleted one is replaced). */
const POOL = 5;

type Answer = {
  readonly result?: any;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: any };
};
const ok = (a: RpcAnswer | Answer): boolean => (a as Answer).result !== undefined;

const idOf = (n: number): string => `cccccccc-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

/** The Codex-style writer: under `flock` of Codex's writer lock for `threadId`, turns appended with its own ordinal counter, renames appended to session_index.jsonl. */
const codexStyleWriter = (
  home: string,
  threadId: string,
  rollout: string,
  stop: string,
): { readonly done: Promise<{ turns: string[]; names: number }> } => {
  const fixtures = new URL('../fixtures/rolloutLines.js', import.meta.url).href;
  const script = `
    import * as fs from 'node:fs';
    import { RolloutWriter } from ${JSON.stringify(fixtures)};
    const [home, id, rollout, stop] = process.argv.slice(1);
    const last = fs.readFileSync(rollout, 'utf8').trimEnd().split('\\n').pop();
    let ordinal = JSON.parse(last).ordinal + 1;
    const turns = [];
    let names = 0;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const append = (path, text) => {
      const fd = fs.openSync(path, 'a');
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    };
    while (!fs.existsSync(stop)) {
      const turnId = 'codex-t' + turns.length;
      const w = new RolloutWriter('paginated', id, { startOrdinal: ordinal, startMs: Date.now() }).chatTurn(turnId, 'codex asks', 'codex answers');
      append(rollout, w.lines.join('\\n') + '\\n');
      ordinal += w.lines.length;
      turns.push(turnId);
      append(home + '/session_index.jsonl', JSON.stringify({ id, thread_name: 'codex-' + names, updated_at: new Date().toISOString() }) + '\\n');
      names++;
      Atomics.wait(pause, 0, 0, 200);
    }
    process.stdout.write(JSON.stringify({ turns, names }));
  `;
  const lockDir = nodePath.join(home, 'thread-writer-locks');
  fs.mkdirSync(lockDir, { recursive: true });
  const child = spawn(
    'flock',
    [
      nodePath.join(lockDir, `${threadId}.lock`),
      process.execPath,
      '--input-type=module',
      '-e',
      script,
      home,
      threadId,
      rollout,
      stop,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c: string) => (out += c));
  return {
    done: new Promise((resolve) =>
      child.once('exit', () => resolve(JSON.parse(out) as { turns: string[]; names: number })),
    ),
  };
};

/** Turn ids of a full cursor walk of `thread/turns/list` in one direction (oldest first either way), or the error. */
const cursorWalk = async (
  s: StdioRpcClient,
  threadId: string,
  sortDirection: 'asc' | 'desc',
): Promise<string[] | string> => {
  const ids: string[] = [];
  let cursor: string | null | undefined;
  for (let page = 0; page < 10_000; page++) {
    const r = (await s.request('thread/turns/list', {
      threadId,
      limit: 7,
      sortDirection,
      ...(cursor ? { cursor } : {}),
    })) as Answer;
    if (r.error !== undefined) return r.error.message;
    ids.push(...(r.result.data as Array<{ id: string }>).map((t) => t.id));
    cursor = r.result.nextCursor as string | null;
    if (cursor == null) break;
  }
  return sortDirection === 'asc' ? ids : ids.reverse();
};

/** Every row of the index at `dir` read by this process (its own record structures, loaded from the index): how many, or what failed. */
const indexRowsRead = async (dir: string): Promise<string> => {
  const opened = await openLmdbIndex(dir)();
  if (E.isLeft(opened)) return `index: not opened (${renderError(opened.left)})`;
  const dumped = await opened.right.dump()();
  await opened.right.close()();
  return E.isLeft(dumped)
    ? `index: a row does not decode in a process of its own either (${renderError(dumped.left)})`
    : `index: all ${dumped.right.length} rows decode in a process of its own`;
};

const turnIdsOf = (a: RpcAnswer | Answer): string[] =>
  ((a as Answer).result.thread.turns as Array<{ id: string }>).map((t) => t.id);

describe('reliability · soak: two serve processes and a Codex-style writer mutating shared threads', function () {
  this.timeout(600_000);
  let home: string;
  let servers: StdioRpcClient[] = [];
  const figures = {
    rounds: 0,
    operations: 0,
    acknowledged: 0,
    lost: 0,
    phantom: 0,
    cursorMismatches: 0,
    codexTurns: 0,
    codexNames: 0,
    oursOnCodexThread: 0,
    deletedLeftovers: 0,
  };

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-soak-'));
    fs.mkdirSync(dayDir(home), { recursive: true });
    servers = await Promise.all([openServe(home), openServe(home)]);
  });
  const seed = runSeed(SEED_ENV);
  let replay = '';
  // Whatever fails (an assertion, a request that timed out, a throw), the seed is said.
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`soak failed: ${replay}`);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(home, { recursive: true, force: true });
    reportArea('soak (two serve processes + a Codex-style writer: delete, rename, fork, rollback, append)', figures);
  });

  it(`${ROUNDS} rounds: every acknowledged write present, every failed one absent, every cursor walk equals thread/read`, async () => {
    replay = `seed ${seed} (${SEED_ENV}=${seed} replays it)`;
    const random = seededRandom(seed);
    let nextId = 1;
    const codexThread = idOf(0);
    const codexRollout = writeRollout(home, rolloutName(codexThread), chatThread('paginated', codexThread, 2).text());
    const stop = nodePath.join(home, 'stop-writer');
    const codex = codexStyleWriter(home, codexThread, codexRollout, stop);

    const pool: string[] = [codexThread];
    const deleted = new Set<string>();
    /** Each acknowledged fork and the turns it answered. */
    const forks = new Map<string, string[]>();
    const names = new Map<string, { acked: string[]; failed: string[] }>();
    /** Appended turns: thread, turn id, acknowledged or not, and the answer's sequence number. */
    const appends: Array<{ threadId: string; turnId: string; acked: boolean; seq: number }> = [];
    /** The sequence number of the last acknowledged rollback of each thread. */
    const lastRollback = new Map<string, number>();
    let seq = 0;
    const fresh = (): string => {
      const id = idOf(nextId++);
      writeRollout(home, rolloutName(id), chatThread('paginated', id, 3).text());
      return id;
    };
    while (pool.length < POOL) pool.push(fresh());

    const operate = async (s: StdioRpcClient, side: number, round: number): Promise<void> => {
      // Drawn before the first await: server 0's draws, then server 1's, in every round.
      const threadId = pool[Math.floor(random() * pool.length)]!;
      const op = Math.floor(random() * 10);
      figures.operations++;
      if (op < 3) {
        const name = `n ${round} ${side}`;
        const r = await s.request('thread/name/set', { threadId, name });
        const seen = names.get(threadId) ?? { acked: [], failed: [] };
        (ok(r) ? seen.acked : seen.failed).push(name);
        names.set(threadId, seen);
      } else if (op < 6) {
        const turnId = `a-${round}-${side}`;
        const read = (await s.request('thread/read', { threadId, includeTurns: false })) as Answer;
        if (read.error !== undefined) return;
        let expectedOrdinal = 0;
        for (let attempt = 0; attempt < 3; attempt++) {
          const lines = new RolloutWriter('paginated', threadId, {
            startOrdinal: expectedOrdinal,
            startMs: Date.now(),
          }).chatTurn(turnId, 'q', 'a').lines;
          const r = (await s.request('rollout/append', {
            threadId,
            lines,
            expectedOrdinal,
            idempotencyKey: `${turnId}-${attempt}`,
          })) as Answer;
          const actual = r.error?.data?.actual?.ordinal as number | undefined;
          if (r.error !== undefined && actual !== undefined && actual !== expectedOrdinal && attempt < 2) {
            expectedOrdinal = actual;
            continue;
          }
          appends.push({ threadId, turnId, acked: ok(r), seq: ++seq });
          // Codex holds this thread's writer lock all along: an append of ours there is refused (ordinals Codex reuses next).
          if (ok(r) && threadId === codexThread) figures.oursOnCodexThread++;
          return;
        }
      } else if (op < 7) {
        const r = (await s.request('thread/fork', { threadId })) as Answer;
        if (ok(r)) {
          const forkId = r.result.thread.id as string;
          forks.set(forkId, turnIdsOf(r));
          pool.push(forkId);
        }
      } else if (op < 8) {
        const r = await s.request('thread/rollback', { threadId, numTurns: 1 });
        if (ok(r)) lastRollback.set(threadId, ++seq);
      } else if (threadId !== codexThread || op === 9) {
        const r = await s.request('thread/delete', { threadId });
        if (ok(r)) {
          deleted.add(threadId);
          const at = pool.indexOf(threadId);
          if (at >= 0) pool.splice(at, 1);
          if (pool.length < POOL) pool.push(fresh());
        }
      }
    };

    const t0 = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(servers.map((s, side) => operate(s, side, round)));
      figures.rounds++;
      if (process.env['SOAK_TRACE'] !== undefined && round % 20 === 0)
        console.log(`round ${round}: ${Date.now() - t0} ms`);
    }
    fs.writeFileSync(stop, '');
    const written = await codex.done;
    figures.codexTurns = written.turns.length;
    figures.codexNames = written.names;

    const wrong: string[] = [];
    const lines = sessionIndexNames(home);
    const named = new Set(lines.map((l) => `${l.id} ${l.name}`));
    // Codex's own writes: its names and its turns.
    for (let n = 0; n < written.names; n++) {
      figures.acknowledged++;
      if (!named.has(`${codexThread} codex-${n}`)) {
        figures.lost++;
        wrong.push(`Codex's rename codex-${n} lost`);
      }
    }
    const finalTurns = new Map<string, string[]>();
    const live = [...new Set([...pool, ...forks.keys(), ...names.keys(), ...appends.map((x) => x.threadId)])].filter(
      (id) => !deleted.has(id),
    );
    for (const id of live) {
      const reads = await Promise.all(
        servers.map((s) => s.request('thread/read', { threadId: id, includeTurns: true })),
      );
      if (!reads.every(ok)) {
        const failing = reads.flatMap((r, side) => (ok(r) ? [] : [side]));
        wrong.push(
          `thread ${id} not deleted, yet not read by server ${failing.join(' and ')}: ${JSON.stringify(reads.find((r) => !ok(r)))}`,
        );
        continue;
      }
      const [ta, tb] = reads.map(turnIdsOf);
      if (JSON.stringify(ta) !== JSON.stringify(tb)) wrong.push(`thread ${id}: the two servers read different turns`);
      finalTurns.set(id, ta!);
      for (const s of servers)
        for (const direction of ['asc', 'desc'] as const) {
          const walked = await cursorWalk(s, id, direction);
          if (JSON.stringify(walked) !== JSON.stringify(ta)) {
            figures.cursorMismatches++;
            wrong.push(
              `thread ${id}: ${direction} cursor walk ${typeof walked === 'string' ? walked : `${walked.length} turns`} ≠ thread/read ${ta!.length} turns`,
            );
          }
        }
    }
    const codexTurns = finalTurns.get(codexThread) ?? [];
    for (const t of written.turns) {
      figures.acknowledged++;
      if (!codexTurns.includes(t)) {
        figures.lost++;
        wrong.push(`Codex's turn ${t} lost`);
      }
    }
    // Our renames: a live thread keeps every acknowledged name line and none of the failed ones; a deleted one keeps none.
    for (const [id, seen] of names) {
      figures.acknowledged += seen.acked.length;
      for (const n of seen.acked)
        if (!deleted.has(id) && !named.has(`${id} ${n}`)) {
          figures.lost++;
          wrong.push(`rename ${id} "${n}" acknowledged, lost`);
        }
      for (const n of seen.failed)
        if (named.has(`${id} ${n}`)) {
          figures.phantom++;
          wrong.push(`rename ${id} "${n}" failed, yet present`);
        }
    }
    // Our appends: an acknowledged turn stays unless its thread was deleted or rolled back after it; a failed one never appears.
    for (const x of appends) {
      const turns = finalTurns.get(x.threadId);
      if (x.acked) figures.acknowledged++;
      if (x.acked && turns !== undefined && !turns.includes(x.turnId) && (lastRollback.get(x.threadId) ?? 0) < x.seq) {
        figures.lost++;
        wrong.push(`append ${x.turnId} to ${x.threadId} acknowledged, lost`);
      }
      if (!x.acked && turns?.includes(x.turnId) === true) {
        figures.phantom++;
        wrong.push(`append ${x.turnId} to ${x.threadId} failed, yet present`);
      }
    }
    // Forks: each acknowledged one still reads the turns it answered (unless deleted or rolled back since).
    for (const [f, answered] of forks) {
      figures.acknowledged++;
      const turns = finalTurns.get(f);
      if (deleted.has(f) || lastRollback.has(f)) continue;
      if (turns === undefined || JSON.stringify(turns.slice(0, answered.length)) !== JSON.stringify(answered)) {
        figures.lost++;
        wrong.push(`fork ${f} acknowledged with ${answered.length} turns, reads ${turns?.length ?? 'none'}`);
      }
    }
    // Deletes: nothing of the thread left.
    for (const id of deleted) {
      figures.acknowledged++;
      const reads = await Promise.all(servers.map((s) => s.request('thread/read', { threadId: id })));
      if (filesOf(home, id).length > 0 || lines.some((l) => l.id === id) || reads.some(ok)) {
        figures.deletedLeftovers++;
        wrong.push(
          `deleted ${id}, yet files ${filesOf(home, id).length}, names ${lines.filter((l) => l.id === id).length}, reads ${reads.filter(ok).length}`,
        );
      }
    }
    if (figures.oursOnCodexThread > 0)
      wrong.push(
        `${figures.oursOnCodexThread} rollout/append acknowledged on the thread Codex holds (its writer flock)`,
      );
    // What failed says whether the index itself holds it (every row read by a process of its own) or a server's state.
    if (wrong.length > 0) wrong.unshift(await indexRowsRead(nodePath.join(home, '.rollout-engine', 'index')));
    expect(wrong, `${wrong.length} wrong; ${replay}:\n${wrong.slice(0, 12).join('\n')}`).to.deep.equal([]);
  });
});
