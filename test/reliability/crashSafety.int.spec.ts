// Crash safety: a child process mutates a home (appends through the engine's writer, forks,
// rollbacks, inline reviews, renames, read-state changes; legacy and paginated) and acknowledges
// each mutation once durable; it SIGKILLs itself at a named step of the writers
// (WRITER_CRASH_POINTS, adapters/driven/system/crashPoint.ts), every point in every round, the hit of the
// point and the child's choices drawn from one seed (CRASH_SAFETY_SEED replays it; printed on
// failure). Once the child is gone (its exit and its output drained), the next writer meets what it
// left, then a fresh read checks the home: every acknowledged byte is there, each acknowledged line
// exactly once; no torn line is left unquarantined (a rollout's is kept in quarantine.jsonl and cut,
// a log's ended as a line of its own); no lock left blocks the next writer beyond its documented
// expiry; the index answers as the whole-file fold, and holds the thread-state log's fold.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as readline from 'node:readline';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { openCodexHome } from '../../adapters/driving/composition/openCodexHome.js';
import { resolveIndexDir } from '../../adapters/driving/composition/layout.js';
import { acquireLock, LOCK_DEFAULTS, releaseLock } from '../../adapters/driven/fs/lockFile.js';
import { quarantineFileOf } from '../../adapters/driven/jsonl/writers/quarantine.js';
import { parseRolloutFileName } from '../../adapters/driven/jsonl/home/rolloutFileName.js';
import { sessionIndexPath } from '../../adapters/driven/jsonl/home/sessionIndex.js';
import { threadStateLogPath } from '../../adapters/driven/jsonl/writers/homeFacts.js';
import { decodeThreadStateLines } from '../../adapters/driven/engineState/threadStateLog.js';
import { CRASH_AT_ENV, WRITER_CRASH_POINTS, crashedAtLine } from '../../adapters/driven/system/crashPoint.js';
import { foldThreadState } from '../../domain/threadState/threadStateEvent.js';
import type { ThreadStateRow } from '../../domain/threadState/threadStateEvent.js';
import { readThread } from '../../replay/history/readThread.js';
import { setThreadName } from '../../replay/mutations/setThreadName.js';
import { jsonlRolloutStore } from '../oracle/rolloutStore.js';
import { readThreadByFold } from '../oracle/wholeFileFold.js';
import { streamedText } from '../fixtures/streamedText.js';
import { runSeed, seededRandom } from '../fixtures/seededRandom.js';
import type { CrashAck } from './crashHome.js';
import { CRASH_THREADS, appendTurn, crashAck, writeCrashHome } from './crashHome.js';
import { reportArea } from './areaSummary.js';

const ROUNDS = Number(process.env['CRASH_ROUNDS'] ?? 3);
/** A point kills at its 1st, 2nd or 3rd hit in a child (drawn from the seed). */
const MAX_HIT = 3;
const SEED_ENV = 'CRASH_SAFETY_SEED';
/** Every point is reached within a few seconds of mutations; a child that has not reached its point by then never will. */
const REACH_MS = 30_000;
const CHILD = fileURLToPath(new URL('./crashChild.js', import.meta.url));

interface Trial {
  readonly acks: CrashAck[];
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stderr: string;
}

/** Run the child until it kills itself at `crashAt`; resolved once it has exited and its output is drained (`close`). */
const runToCrash = (home: string, childSeed: number, crashAt: string): Promise<Trial> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, home, String(childSeed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, [CRASH_AT_ENV]: crashAt },
    });
    const acks: CrashAck[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    // Never reached: killed from here, which the crash line's absence tells apart.
    const deadline = setTimeout(() => child.kill('SIGKILL'), REACH_MS);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line !== 'ready') acks.push(JSON.parse(line) as CrashAck);
    });
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      resolve({ acks, signal, code, stderr });
    });
  });

const rolloutFilesOf = (home: string): string[] =>
  fs
    .readdirSync(nodePath.join(home, 'sessions'), { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.jsonl'))
    .map((p) => nodePath.join(home, 'sessions', p));

const sizes = (home: string): Map<string, number> => new Map(rolloutFilesOf(home).map((f) => [f, fs.statSync(f).size]));

const endsMidLine = (path: string): boolean => {
  if (!fs.existsSync(path)) return false;
  const text = fs.readFileSync(path, 'latin1');
  return text.length > 0 && !text.endsWith('\n');
};

/** The file's last line without its newline. */
const fragmentOf = (path: string): string => {
  const text = fs.readFileSync(path, 'utf8');
  return text.slice(text.lastIndexOf('\n') + 1);
};

/** As if the fragment had stood still for longer than a writer waits on one (TORN_STILL_MS, the logs' own wait). */
const stoodStill = (path: string): void => {
  const old = new Date(Date.now() - 10_000);
  fs.utimesSync(path, old, old);
};

/** A thread's JSON without its `name`, and the name (compared apart: see below). */
const withoutName = (json: string): [string, unknown] => {
  const { name, ...rest } = JSON.parse(json) as { name?: unknown };
  return [JSON.stringify(rest), name];
};

/**
 * The answer without its thread's times, and the times. In a home without Codex's state DB they are
 * the rows Codex's backfill will write, which depend on every file's mtime (its allocation, issue 69:
 * domain/thread/backfillTimes.ts), and a read catches up its own thread's files only.
 */
const withoutTimes = (json: string): [string, unknown] => {
  const { updatedAt, recencyAt, ...rest } = JSON.parse(json) as { updatedAt?: unknown; recencyAt?: unknown };
  return [JSON.stringify(rest), [updatedAt, recencyAt]];
};

const parses = (line: string): boolean => {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
};

/** Where two answers part, 200 characters either side. */
const difference = (x: string, y: string): string => {
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return `ours ${x.slice(Math.max(0, i - 200), i + 200)}\ntheirs ${y.slice(Math.max(0, i - 200), i + 200)}`;
};

describe('reliability · crash safety: a writer SIGKILLed at every named step', function () {
  this.timeout(280_000);
  let home: string;
  const figures = {
    rounds: 0,
    points: WRITER_CRASH_POINTS.length,
    trials: 0,
    crashes: 0,
    acknowledgedLines: 0,
    lostLines: 0,
    duplicatedLines: 0,
    tornRolloutTails: 0,
    linelessNewFiles: 0,
    tornLogLines: 0,
    unquarantinedTornLines: 0,
    blockingLocks: 0,
    indexNotFold: 0,
    namesStaleOnRead: 0,
    timesStaleOnRead: 0,
    threadStateNotFold: 0,
  };

  before(() => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-crash-'));
    writeCrashHome(home);
  });
  const seed = runSeed(SEED_ENV);
  const replay = `seed ${seed} (${SEED_ENV}=${seed} replays it)`;
  // Whatever fails (an assertion, a timeout, a throw), the seed is said.
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`crash safety failed: ${replay}`);
  });
  after(() => {
    fs.rmSync(home, { recursive: true, force: true });
    reportArea(
      'crash safety (SIGKILL at every writer crash point: appends, forks, rollbacks, reviews, names, read states)',
      figures,
    );
  });

  it(`every point of WRITER_CRASH_POINTS in each of ${ROUNDS} rounds: acknowledged lines kept exactly once, no torn line unquarantined, no blocking lock, index == fresh fold`, async () => {
    const random = seededRandom(seed);
    const problems: string[] = [];
    /** Every acknowledgement of every trial: its bytes stay as they were, whatever later kills leave. */
    const acknowledged: CrashAck[] = [];
    /** New files killed before their first line was whole: no thread, and no writer ever appends to them. */
    const lineless = new Set<string>();
    /** What the next writer (this process, after a kill) acknowledged. */
    const nextWriter = new Set<CrashAck>();
    const nextWriterAck = (a: CrashAck): CrashAck => {
      nextWriter.add(a);
      return a;
    };
    const quarantined = (): string => {
      const q = quarantineFileOf(nodePath.join(home, '.rollout-engine'));
      return fs.existsSync(q) ? fs.readFileSync(q, 'utf8') : '';
    };

    for (let round = 0; round < ROUNDS; round++) {
      figures.rounds++;
      for (const point of WRITER_CRASH_POINTS) {
        const hit = 1 + Math.floor(random() * MAX_HIT);
        const at = `round ${round}, ${point}:${hit}`;
        const problem = (what: string): void => void problems.push(`${at}: ${what}`);
        const before = sizes(home);
        const t = await runToCrash(home, Math.floor(random() * 2 ** 31), `${point}:${hit}`);
        figures.trials++;
        if (t.signal === 'SIGKILL' && t.stderr.includes(crashedAtLine(point, hit))) figures.crashes++;
        else problem(`the child was not killed at its point (exit ${t.code}, ${t.signal}): ${t.stderr.slice(-500)}`);
        acknowledged.push(...t.acks);

        const opened = await openCodexHome(home, resolveIndexDir(home, undefined), { backfill: 'onDemand' });
        if (E.isLeft(opened))
          throw new Error(`${at}: the home does not open: ${JSON.stringify(opened.left)}; ${replay}`);
        const ports = opened.right.mutations;
        const changed = new Set<string>();
        try {
          // The next writer meets what the kill left: a rollout's torn tail is quarantined and cut
          // (once it stood still), a log's fragment ended before the next line.
          for (const f of rolloutFilesOf(home)) {
            const text = fs.readFileSync(f, 'latin1');
            const threadId = parseRolloutFileName(nodePath.basename(f))?.threadId;
            if (!text.includes('\n') || threadId === undefined) {
              // A new file written in place (a paginated fork) killed before its first line was whole:
              // empty, or a part of that line. No thread (an append in flight, as a reader takes it),
              // and no writer appends to it.
              if (lineless.has(f)) continue;
              if (text.length > 0 && !point.endsWith('.partial'))
                problem(`${f} ends mid-line, though ${point} writes whole lines`);
              figures.linelessNewFiles++;
              lineless.add(f);
              continue;
            }
            if (!endsMidLine(f)) continue;
            if (!point.endsWith('.partial')) problem(`${f} ends mid-line, though ${point} writes whole lines`);
            const fragment = fragmentOf(f);
            figures.tornRolloutTails++;
            stoodStill(f);
            const next = await appendTurn(ports, threadId, `next-${round}-${point}`)();
            if (E.isLeft(next)) problem(`the next append to ${f} failed: ${JSON.stringify(next.left)}`);
            // Acknowledged as the child's are: its lines whole, kept from now on.
            else
              acknowledged.push(
                nextWriterAck(crashAck('append', threadId, next.right.path, next.right.from, next.right.to)),
              );
            if (endsMidLine(f) || !quarantined().includes(JSON.stringify(fragment).slice(1, -1))) {
              figures.unquarantinedTornLines++;
              problem(`torn tail of ${f} not quarantined and cut by the next append`);
            }
          }
          const nextLogWriters: ReadonlyArray<
            readonly [string, 'rename' | 'readState', () => Promise<E.Either<unknown, unknown>>]
          > = [
            [
              sessionIndexPath(home),
              'rename',
              () => setThreadName(ports, { threadId: CRASH_THREADS.legacy, name: `next ${round} ${point}` })(),
            ],
            [
              threadStateLogPath(home),
              'readState',
              () =>
                ports.threadState.change(CRASH_THREADS.legacy, () =>
                  E.right({
                    type: 'readState',
                    threadId: CRASH_THREADS.legacy,
                    at: new Date().toISOString(),
                    readState: { firstUnread: null, revision: `next-${round}-${point}` },
                  }),
                )(),
            ],
          ];
          for (const [log, op, next] of nextLogWriters) {
            if (!endsMidLine(log)) continue;
            if (!point.endsWith('.partial')) problem(`${log} ends mid-line, though ${point} writes whole lines`);
            figures.tornLogLines++;
            const fragment = fragmentOf(log);
            const length = Buffer.byteLength(fragment);
            const size = fs.statSync(log).size;
            const offset = size - length;
            stoodStill(log);
            const ended = await next();
            if (E.isLeft(ended)) problem(`the next append to ${log} failed: ${JSON.stringify(ended.left)}`);
            else acknowledged.push(nextWriterAck(crashAck(op, CRASH_THREADS.legacy, log, size, fs.statSync(log).size)));
            const bytes = fs.readFileSync(log);
            if (
              endsMidLine(log) ||
              bytes.subarray(offset, offset + length).toString('utf8') !== fragment ||
              bytes[offset + length] !== 0x0a
            ) {
              figures.unquarantinedTornLines++;
              problem(
                `the fragment ${JSON.stringify(fragment.slice(0, 80))} of ${log} was not ended as a line of its own by the next append`,
              );
            }
          }

          const whose = (a: CrashAck): string =>
            t.acks.includes(a) ? 'by this child' : nextWriter.has(a) ? 'by the next writer' : 'earlier';
          // Every acknowledged byte range is in its file (one found lost is said once); each of this trial's lines once in that file.
          const texts = new Map<string, string>();
          for (const a of [...acknowledged]) {
            const text = texts.get(a.path) ?? fs.readFileSync(a.path, 'latin1');
            texts.set(a.path, text);
            const bytes = Buffer.from(text.slice(a.from, a.to), 'latin1');
            const lines = bytes.toString('latin1').split('\n').slice(0, -1);
            const mine = t.acks.includes(a);
            if (mine) figures.acknowledgedLines += lines.length;
            if (createHash('sha256').update(bytes).digest('hex') !== a.sha256) {
              figures.lostLines += lines.length;
              problem(`${a.op} bytes ${a.from}..${a.to} of ${a.path} (acknowledged ${whose(a)}) changed or lost`);
              acknowledged.splice(acknowledged.indexOf(a), 1);
              continue;
            }
            // Whole lines, each one JSON: never glued onto what another write left.
            const whole = (a.from === 0 || text[a.from - 1] === '\n') && text[a.to - 1] === '\n' && lines.every(parses);
            if (!whole) {
              figures.lostLines += lines.length;
              problem(
                `${a.op} bytes ${a.from}..${a.to} of ${a.path} (acknowledged ${whose(a)}) are not whole lines: ${JSON.stringify(bytes.toString('utf8').slice(0, 160))}`,
              );
              acknowledged.splice(acknowledged.indexOf(a), 1);
              continue;
            }
            // Copies (a legacy fork) may repeat lines; an appended block (turn, review, marker, name, state) is unique as a whole.
            if (mine && a.from > 0) {
              const block = bytes.toString('latin1');
              if (text.indexOf(block) !== text.lastIndexOf(block)) {
                figures.duplicatedLines += lines.length;
                problem(`the ${a.op} block at ${a.from} occurs twice in ${a.path}`);
              }
            }
          }

          // A lock the killed writer left gives way within its documented expiry.
          const bound = Math.max(LOCK_DEFAULTS.unreadableStaleMs, 0) + 1_000;
          for (const lock of fs
            .readdirSync(home, { recursive: true, encoding: 'utf8' })
            .filter((p) => p.endsWith('.lock'))) {
            const started = Date.now();
            try {
              await releaseLock(await acquireLock(nodePath.join(home, lock), { waitMs: bound }));
            } catch (err) {
              figures.blockingLocks++;
              problem(`${lock} still blocks after ${Date.now() - started} ms: ${String(err)}`);
            }
          }

          // The index answers each thread this trial touched as the whole-file fold: the two
          // threads, acknowledged forks, and every file that changed or appeared (an unacknowledged
          // fork or revision included; a file with no complete line is no thread). First as a read
          // catches it up (its files: read-repair, and its name as session_index.jsonl gives it now,
          // even one written without its catch-up: a kill between the two), then once the home is
          // caught up (refreshAll, as a list or serve's watch runs it). The thread's times where
          // another file changed within a second of its own show only then (counted, timesStaleOnRead).
          for (const [f, size] of sizes(home)) if (before.get(f) !== size) changed.add(f);
          const ids = new Map<string, string | undefined>();
          for (const f of changed) {
            const id = parseRolloutFileName(nodePath.basename(f))?.threadId;
            if (id !== undefined) ids.set(id, lineless.has(f) ? f : undefined);
          }
          for (const id of [
            CRASH_THREADS.legacy,
            CRASH_THREADS.paginated,
            ...t.acks.filter((a) => a.op === 'fork').map((a) => a.thread),
          ])
            if (!ids.has(id)) ids.set(id, undefined);
          const folds = new Map<string, string>();
          for (const [id, linelessFile] of ids) {
            const ours = await readThread(ports, { threadId: id, includeTurns: true })();
            if (linelessFile !== undefined) {
              if (E.isRight(ours) || ours.left._tag !== 'NotFound')
                problem(
                  `thread ${id}: its one file ${linelessFile} has no complete line, yet the index ${E.isRight(ours) ? 'answers it' : JSON.stringify(ours.left)}`,
                );
              continue;
            }
            const theirs = await readThreadByFold(jsonlRolloutStore(home), id, true)();
            if (E.isLeft(ours) || E.isLeft(theirs)) {
              figures.indexNotFold++;
              problem(
                `thread ${id}: index ${E.isLeft(ours) ? JSON.stringify(ours.left) : 'answers'}, fold ${E.isLeft(theirs) ? JSON.stringify(theirs.left) : 'answers'}`,
              );
              continue;
            }
            const y = JSON.stringify(theirs.right);
            folds.set(id, y);
            const x = await streamedText(ours.right.thread);
            const [xn, xName] = withoutName(x);
            const [yn, yName] = withoutName(y);
            if (xName !== yName) {
              figures.namesStaleOnRead++;
              problem(`thread ${id}: its read named it ${JSON.stringify(xName)}, the fold ${JSON.stringify(yName)}`);
            }
            const [xs, xTimes] = withoutTimes(xn);
            const [ys, yTimes] = withoutTimes(yn);
            if (JSON.stringify(xTimes) !== JSON.stringify(yTimes)) figures.timesStaleOnRead++;
            if (xs !== ys) {
              figures.indexNotFold++;
              problem(`thread ${id}: the index's answer after its read differs from the fold\n${difference(xs, ys)}`);
            }
          }
          const all = await ports.indexer.refreshAll()();
          if (E.isLeft(all)) problem(`the home's catch-up failed: ${JSON.stringify(all.left)}`);
          for (const [id, y] of folds) {
            const ours = await readThread(ports, { threadId: id, includeTurns: true })();
            const x = E.isRight(ours) ? await streamedText(ours.right.thread) : JSON.stringify(ours.left);
            if (x !== y) {
              figures.indexNotFold++;
              problem(
                `thread ${id}: the index's answer once the home is caught up differs from the fold\n${difference(x, y)}`,
              );
            }
          }

          // The index's thread states are the fold of the thread-state log's complete lines.
          const log = threadStateLogPath(home);
          const { events } = decodeThreadStateLines(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
          for (const id of [CRASH_THREADS.legacy, CRASH_THREADS.paginated]) {
            const folded = events
              .filter((e) => e.threadId === id)
              .reduce<ThreadStateRow | undefined>((row, e) => foldThreadState(row, e), undefined);
            const indexed = opened.right.store.reader.get('threadState', [id]);
            if (JSON.stringify(indexed) !== JSON.stringify(folded)) {
              figures.threadStateNotFold++;
              problem(
                `thread ${id}: the index's thread state ${JSON.stringify(indexed)} is not the log's fold ${JSON.stringify(folded)}`,
              );
            }
          }
        } finally {
          await opened.right.close();
        }
      }
    }
    expect(problems, `${problems.length} problems; ${replay}\n${problems.slice(0, 8).join('\n')}`).to.deep.equal([]);
    expect(figures.crashes, replay).to.equal(ROUNDS * WRITER_CRASH_POINTS.length);
  });
});
