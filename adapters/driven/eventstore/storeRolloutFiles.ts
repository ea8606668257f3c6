import * as fs from 'node:fs/promises';
import { openNoFollow } from '../fs/noFollow.js';
import { readTextNoFollow } from '../fs/heldRead.js';
import * as nodePath from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError, LogPosition } from '../../../domain/errors.js';
import { stop, take, useCase } from '../../../domain/effect.js';
import { conflict, corrupt, invalidArgument, isEngineError, timeout } from '../../../domain/errors.js';
import type { AppendResult, ExpectedPosition, RolloutFiles } from '../../../domain/ports.js';
import { renderDrafts } from '../../../domain/rollout/lineDraft.js';
import type { ThreadHomeFiles, ThreadStateLog } from '../../../replay/ports.js';
import { foldThreadState } from '../../../domain/threadState/threadStateEvent.js';
import { threadStateLogPath } from '../jsonl/writers/homeFacts.js';
import { homeRelativePath } from '../fs/insideHome.js';
import { lastLineOrdinal } from '../jsonl/lines/lastLineOrdinal.js';
import { readThreadNames, sessionIndexLine } from '../jsonl/home/sessionIndex.js';
import { supersededMarkOf } from '../jsonl/home/supersededMark.js';
import { errnoCode, toEngineError } from '../fs/fsError.js';
import type { EventStoreConnection } from './eventStoreClient.js';
import type { EventStoreEventLog } from './eventLog.js';
import type { HomeFact } from './homeControl.js';
import type { StreamSeal } from './lineEvents.js';
import { positionPast } from './lineEvents.js';
import { HOME_CONTROL_STREAM, appendHomeFactAt, readHomeFacts, recordHomeFacts } from './homeControl.js';
import { rolloutStreamOf } from './streamNames.js';

export interface StoreWritesOptions {
  /** How long a write waits for this node's copy to hold it before answering Timeout (read-your-writes). */
  readonly applyTimeoutMs?: number;
}

/** The store's name of a node-copy path: its stream and its file relative to the home (`/`-separated). */
const streamFileOf = (home: string, path: string): { stream: string; file: string } | undefined => {
  const stream = rolloutStreamOf(path);
  if (stream === undefined) return undefined;
  return { stream, file: homeRelativePath(home, path) };
};

const fileSize = async (path: string): Promise<number> => {
  try {
    return (await fs.stat(path)).size;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return -1;
    throw err;
  }
};

/**
 * Waits until this node's copy (kept by `followIntoHome`) holds what was written to the store: a
 * file at least `bytes` long, a mark present. The use case then catches the index up from the copy
 * as after any write, so the answer and every later read on this node see the write.
 */
const applied =
  (timeoutMs: number) =>
  async (what: string, done: () => Promise<boolean>): Promise<E.Either<EngineError, void>> => {
    const until = Date.now() + timeoutMs;
    let pause = 1;
    try {
      while (!(await done())) {
        if (Date.now() > until) return E.left(timeout(`this node's copy of ${what} to hold the write`, timeoutMs));
        await sleep(pause);
        pause = Math.min(pause * 2, 4);
      }
      return E.right(undefined);
    } catch (err) {
      return E.left(isEngineError(err) ? err : toEngineError(what, 'apply')(err));
    }
  };

/**
 * The rollout files of `serve --eventstore`: reads from this node's copy of the log (`home`, the
 * files the index was built from), writes to the store — each stream appended at its exact
 * revision through the EventLog adapter (another node's line there: `Conflict`, as a file append
 * gives) — answered once the node's copy holds the write.
 * long: a port's factory: the methods it returns share its closure's state
 */
export const storeRolloutFiles = (
  home: string,
  local: RolloutFiles,
  connection: EventStoreConnection,
  log: EventStoreEventLog,
  options: StoreWritesOptions = {},
): RolloutFiles => {
  const waitFor = applied(options.applyTimeoutMs ?? 30_000);
  const named = (path: string): E.Either<EngineError, { stream: string; file: string }> => {
    const n = streamFileOf(home, path);
    return n === undefined ? E.left(invalidArgument('path', `not a rollout file name: ${path}`)) : E.right(n);
  };

  /**
   * A sealed base's revision written whole (`StreamSeal`): the revision's stream from the seal's
   * lines, then the base's superseded fact. The reviser does it after its seal; anyone who finds
   * a seal does it too before answering Conflict, for the reviser may have stopped in between. The
   * same lines with the same ids: whoever is second writes nothing (or finds the same lines).
   */
  const finishRevision = async (
    base: { stream: string; file: string },
    seal: StreamSeal,
  ): Promise<E.Either<EngineError, AppendResult>> => {
    const stream = rolloutStreamOf(seal.file);
    if (stream === undefined)
      return E.left(corrupt(base.stream, 0, `its seal names ${JSON.stringify(seal.file)}, not a rollout file`));
    const stored = seal.lines.map((text, i) => ({
      bytes: Buffer.from(text, 'utf8'),
      ...(i === 0 ? { file: seal.file } : {}),
    }));
    const created = await log.appendStored(stream, stored, 'noStream')();
    let result: AppendResult;
    if (E.isRight(created)) result = created.right;
    else if (created.left._tag === 'Conflict') {
      // Written already (by the reviser, or another node finishing it): the same lines, or the store is not ours.
      const there: string[] = [];
      let next: LogPosition = { ordinal: 0, byteOffset: 0 };
      for await (const entry of log.readStored(stream)) {
        if (entry.kind === 'failed') return E.left(entry.error);
        there.push(entry.line.bytes.toString('utf8'));
        next = positionPast(entry.line, entry.line.bytes.length);
      }
      if (there.length !== seal.lines.length || there.some((line, i) => line !== seal.lines[i]))
        return E.left(
          corrupt(
            stream,
            0,
            `${stream}, the revision the seal of ${base.stream} names, holds other lines than the seal`,
          ),
        );
      result = { first: { ordinal: 0, byteOffset: 0 }, next };
    } else return created;
    const marked = await recordHomeFacts(connection, [
      { kind: 'superseded', file: base.file, revision: seal.revision },
    ]);
    return E.map(() => result)(marked);
  };

  /** A Conflict of the file `path`: if its stream is sealed, its revision is finished first and named. */
  const conflictOf = async (
    path: string,
    n: { stream: string; file: string },
    expected: LogPosition | 'noStream',
    error: EngineError,
  ): Promise<E.Either<EngineError, never>> =>
    useCase(async (): Promise<never> => {
      if (error._tag !== 'Conflict') return stop(error);
      const seal = error.supersededBy === undefined ? undefined : await take(log.sealOf(n.stream));
      if (seal !== undefined) await take(finishRevision(n, seal));
      return stop(conflict(path, expected, error.actual, error.supersededBy));
    })();

  /** Append whole lines (text) to the file's stream at `expected`, then wait for the copy. */
  const appendText = (
    path: string,
    lines: ReadonlyArray<string>,
    expected: ExpectedPosition,
  ): TE.TaskEither<EngineError, AppendResult> =>
    useCase(async (): Promise<AppendResult> => {
      const n = await take(named(path));
      const fresh = expected === 'noStream';
      const stored = lines.map((text, i) => ({
        bytes: Buffer.from(text, 'utf8'),
        ...(fresh && i === 0 ? { file: n.file } : {}),
      }));
      // A file append is exact by byte offset (its writer trusts the caller's ordinal there, a
      // paginated revision's being the thread's): so is this one, at the stream's own position.
      let at: ExpectedPosition = expected;
      if (expected !== 'noStream' && expected !== 'any') {
        const end = await take(log.end(n.stream));
        if (end === 'noStream' || end.byteOffset !== expected.byteOffset) return stop(conflict(path, expected, end));
        // A file a revision superseded takes no more lines (the writer's rule over files), whatever this node's copy says yet.
        const facts = await take(readHomeFacts(connection));
        const revision = facts.superseded.get(n.file);
        if (revision !== undefined) return stop(conflict(path, expected, end, revision));
        at = end;
      }
      const written = await log.appendStored(n.stream, stored, at)();
      // A Conflict naming a revision: the store sealed the stream for it (finished here if its reviser stopped).
      if (E.isLeft(written))
        return expected === 'any' ? stop(written.left) : take(conflictOf(path, n, expected, written.left));
      const endByte = written.right.next.byteOffset;
      await take(waitFor(path, async () => (await fileSize(path)) >= endByte));
      if (expected === 'noStream' || expected === 'any') return written.right;
      return { first: expected, next: { ordinal: expected.ordinal + lines.length, byteOffset: endByte } };
    });

  const collect = async (lines: AsyncIterable<string>): Promise<string[]> => {
    const all: string[] = [];
    for await (const line of lines) all.push(line);
    return all;
  };

  return {
    confine: local.confine,
    pathFor: local.pathFor,
    firstLine: local.firstLine,
    lineAt: local.lineAt,
    linesBefore: local.linesBefore,
    create: (path, lines) => appendText(path, lines, 'noStream'),
    createFrom: (path, lines) => async () => appendText(path, await collect(lines), 'noStream')(),
    appendRaw: (path, lines, expected) => appendText(path, lines, expected),
    // The node's copy is moved under its writer locks (`underWriterLocks` below), as a home's files are.
    awaitWriter: local.awaitWriter,
    append: (path, drafts, expected, mode) => async () => {
      if (mode === 'legacy') return appendText(path, renderDrafts(drafts, null), expected)();
      // Paginated lines continue the ordinals of the line before `expected`, which the copy holds (the index was read from it).
      let first = 0;
      if (expected.byteOffset > 0) {
        try {
          const fh = await openNoFollow(home, path, 'read');
          first = (await lastLineOrdinal(fh, path, expected.byteOffset).finally(() => fh.close())) + 1;
        } catch (err) {
          return E.left(isEngineError(err) ? err : toEngineError(path, 'append')(err));
        }
      }
      return appendText(path, renderDrafts(drafts, first), expected)();
    },
    revise: (base, expected, path, lines) =>
      useCase(async () => {
        const b = await take(named(base));
        const r = await take(named(path));
        // The base must still end at `expected` and not be superseded already (a mirrored home's
        // mark is a control fact). The seal then decides in the base's own stream, at the exact
        // revision of its last line: of a revision and an append (or two revisions) cut from one
        // end, exactly one passes; the revision's stream and its superseded fact follow.
        const end = await take(log.end(b.stream));
        if (end === 'noStream' || end.byteOffset !== expected.byteOffset)
          return stop(conflict(base, expected, end === 'noStream' ? { ordinal: 0, byteOffset: 0 } : end));
        const facts = await take(readHomeFacts(connection));
        const already = facts.superseded.get(b.file);
        if (already !== undefined) return stop(conflict(base, expected, end, already));
        const seal: StreamSeal = {
          revision: nodePath.relative(nodePath.dirname(base), path),
          file: r.file,
          lines: [...lines],
        };
        const sealed = await log.seal(b.stream, end, seal)();
        if (E.isLeft(sealed)) return take(conflictOf(base, b, expected, sealed.left));
        const created = await take(finishRevision(b, seal));
        const endByte = created.next.byteOffset;
        await take(
          waitFor(path, async () => (await fileSize(path)) >= endByte && (await fileSize(supersededMarkOf(base))) >= 0),
        );
        return created;
      }),
  };
};

/**
 * Thread management over the store. Archive and unarchive move this node's copy and record where
 * the file lives now in the control stream, so every other node moves its copy too
 * (`followIntoHome` applies a `rolloutFile` fact naming a new place as a rename). Renames and
 * deletes are facts of the control stream only: this node's copy applies them as every node's
 * does, and the answer waits until it has (read-your-writes).
 */
export const storeHomeFiles = (
  home: string,
  local: ThreadHomeFiles,
  connection: EventStoreConnection,
  options: StoreWritesOptions = {},
): ThreadHomeFiles => {
  const waitFor = applied(options.applyTimeoutMs ?? 30_000);
  const sessionIndex = nodePath.join(home, 'session_index.jsonl');
  const record = (facts: ReadonlyArray<HomeFact>): TE.TaskEither<EngineError, void> =>
    useCase(async () => {
      await take(recordHomeFacts(connection, facts));
    });
  const recordThenWait = (
    facts: ReadonlyArray<HomeFact>,
    what: string,
    done: () => Promise<boolean>,
  ): TE.TaskEither<EngineError, void> =>
    useCase(async () => {
      await take(record(facts));
      await take(waitFor(what, done));
    });
  const moved = (te: TE.TaskEither<EngineError, string[]>): TE.TaskEither<EngineError, string[]> =>
    useCase(async () => {
      const paths = await take(te);
      const facts = paths.flatMap((path): HomeFact[] => {
        const n = streamFileOf(home, path);
        return n === undefined ? [] : [{ kind: 'rolloutFile', stream: n.stream, file: n.file }];
      });
      await take(record(facts));
      return paths;
    });
  const namesOf = async (): Promise<ReadonlyMap<string, string>> => {
    const names = await readThreadNames(home)();
    if (E.isLeft(names)) throw names.left;
    return names.right;
  };
  return {
    archive: (paths) => moved(local.archive(paths)),
    unarchive: (paths) => moved(local.unarchive(paths)),
    // This node's processes wait on the copy's lock files; other nodes are held off by the store's exact revisions.
    underWriterLocks: (paths, work) => local.underWriterLocks(paths, work),
    appendThreadName: (threadId, name, at) =>
      recordThenWait([{ kind: 'threadName', threadId, name, at: at.toISOString() }], sessionIndex, async () => {
        try {
          return (await readTextNoFollow(home, sessionIndex)).includes(sessionIndexLine(threadId, name, at));
        } catch (err) {
          if (errnoCode(err) === 'ENOENT') return false;
          throw err;
        }
      }),
    forgetThreadNames: (threadId) =>
      recordThenWait(
        [{ kind: 'namesForgotten', threadId, at: new Date().toISOString() }],
        sessionIndex,
        async () => !(await namesOf()).has(threadId),
      ),
    remove: (paths) => {
      const facts = paths.flatMap((path): HomeFact[] => {
        const n = streamFileOf(home, path);
        return n === undefined ? [] : [{ kind: 'removed', stream: n.stream, file: n.file }];
      });
      return recordThenWait(facts, paths.join(', '), async () =>
        (await Promise.all(paths.map(fileSize))).every((size) => size < 0),
      );
    },
  };
};

/** Tries of a thread-state change that another node's change beat to the control stream. */
const THREAD_STATE_TRIES = 8;

/**
 * The engine's thread state (read receipts, stored git info) over the store: each change is a
 * `threadState` fact of the control stream, decided on the state the stream's facts fold to and
 * appended at the stream's exact revision, so two nodes changing one thread from the same state
 * cannot both pass `decide` (the second folds again and decides anew: a stale `expectedRevision`
 * is then `readStateConflict`, as over one home's log lock). Every node's follower appends the
 * event to its own thread-state log, which its index folds; the answer waits until this node's
 * log holds it (read-your-writes).
 */
export const storeThreadState = (
  home: string,
  local: ThreadStateLog,
  connection: EventStoreConnection,
  options: StoreWritesOptions = {},
): ThreadStateLog => {
  const waitFor = applied(options.applyTimeoutMs ?? 30_000);
  const log = threadStateLogPath(home);
  /** Does this node's log hold `line` among its last bytes (the follower appends in the stream's order)? */
  const logHolds = async (line: string): Promise<boolean> => {
    let fh: fs.FileHandle;
    try {
      fh = await openNoFollow(home, log, 'read');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
    try {
      const size = (await fh.stat()).size;
      const tail = Math.min(size, LOG_TAIL_BYTES);
      const buf = Buffer.alloc(tail);
      await fh.read(buf, 0, tail, size - tail);
      return buf.toString('utf8').includes(line);
    } finally {
      await fh.close();
    }
  };
  return {
    catchUp: local.catchUp,
    change: (threadId, decide) =>
      useCase(async () => {
        for (let attempt = 0; attempt < THREAD_STATE_TRIES; attempt++) {
          const facts = await take(readHomeFacts(connection));
          const current = facts.threadStates.get(threadId);
          const event = await take(decide(current));
          if (event === null) return current;
          const appended = await take(appendHomeFactAt(connection, { kind: 'threadState', event }, facts.revision));
          if (appended === 'conflict') continue;
          const line = JSON.stringify(event);
          await take(waitFor(log, () => logHolds(line)));
          await take(local.catchUp());
          return foldThreadState(current, event);
        }
        return stop(conflict(HOME_CONTROL_STREAM, { ordinal: -1, byteOffset: 0 }, { ordinal: -1, byteOffset: 0 }));
      }),
  };
};

/** How far back from its end this node's thread-state log is searched for a line it was just sent (events of other threads may follow it). */
const LOG_TAIL_BYTES = 1 << 20;
