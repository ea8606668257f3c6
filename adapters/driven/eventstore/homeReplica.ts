import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { syncFolder, writeFileAtomic } from '../fs/writeFileAtomic.js';
import { crashPoint } from '../system/crashPoint.js';
import { mkdirNoFollow, openNoFollow } from '../fs/noFollow.js';
import { readTextNoFollow } from '../fs/heldRead.js';
import { appendNoFollow } from '../fs/appendNoFollow.js';
import { ROLLOUT_FILE_MODE } from '../jsonl/writers/lockedRolloutFile.js';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { EngineError } from '../../../domain/errors.js';
import { corrupt } from '../../../domain/errors.js';
import { decodeShape } from '../../../domain/decodeShape.js';
import { supersededMarkOf } from '../jsonl/home/supersededMark.js';
import { sessionIndexLine } from '../jsonl/home/sessionIndex.js';
import { appendThreadStateEvent, writeSupersededMark } from '../jsonl/writers/homeFacts.js';
import { appendSessionIndexLine, forgetThreadNames } from '../jsonl/writers/sessionIndexWriter.js';
import { moveRolloutFile, removeRolloutFiles } from '../jsonl/writers/threadHomeFiles.js';
import { errnoCode, toEngineError } from '../fs/fsError.js';
import type { AllPosition, EventStoreConnection, RecordedEvent } from './eventStoreClient.js';
import { eventStoreError } from './eventStoreError.js';
import { HOME_CONTROL_STREAM, homeFactOf } from './homeControl.js';
import { isSealEvent, lineMetadataOf } from './lineEvents.js';
import { ROLLOUT_STREAM_PREFIX, confinedRolloutPath, rolloutStreamOf } from './streamNames.js';
import { ownMadeFolders } from '../fs/ownership.js';
import { parseJson } from '../../../domain/jsonNesting.js';

/**
 * A node's own copy of the log as rollout files, kept current by a catch-up subscription to
 * `$all` (rollout streams and the control stream): the node's indexer then builds its LMDB
 * projections from it exactly as from a Codex home, and the history API reads item bytes from it
 * by the same byte ranges. The subscription's position `{commit, prepare}` and the stream → file
 * map are kept in `<home>/.rollout-engine/eventstore-replica.json`, written after the lines they
 * cover; a restart resumes from it, and an event whose line the file already holds (its offset
 * is below the file's end: the lines were written before a kill) is skipped, so nothing is
 * written twice and nothing is lost.
 *
 * Exactly once without the `$all` position in the LMDB transaction: the copy's files are the
 * index's input, and the index commits each file's checkpoint (bytes folded) in the same LMDB
 * transaction as the rows they gave (`indexer/write/commit.ts`). So the chain is store → copy,
 * idempotent by byte offset (a line is only ever written at its file's end; the position is saved
 * after the lines, so a kill replays events, never skips them) → index, atomic per batch. The
 * control stream's facts replay in order from the saved position and each is idempotent: a move
 * whose source is gone is done, a mark is rewritten whole, a removal forces, a rename's line is
 * appended only if the file lacks it, forgetting names twice forgets nothing more. Tested by
 * SIGKILLing `serve --eventstore` while it follows (`followKills.int.spec.ts`).
 */
export const REPLICA_STATE_FILE = nodePath.join('.rollout-engine', 'eventstore-replica.json');

const ReplicaState = t.type({
  position: t.union([t.null, t.type({ commit: t.string, prepare: t.string })]),
  files: t.record(t.string, t.string),
});
type ReplicaState = t.TypeOf<typeof ReplicaState>;

export interface FollowOptions {
  /** Stop once the subscription has delivered the past (a one-shot catch-up); else follow until `signal`. */
  readonly untilCaughtUp?: boolean;
  readonly signal?: AbortSignal;
  /** Called each time the subscription reports it has caught up (readiness). */
  readonly onCaughtUp?: () => void;
  /** Events between two writes of the buffered lines and the state. */
  readonly flushEvery?: number;
  /** Called after a thread-state event was appended to the node's thread-state log (its index folds it then). */
  readonly onThreadState?: () => void;
  /** Reconnect delays after the subscription drops (doubling up to `maxBackoffMs`). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface FollowSummary {
  readonly events: number;
  readonly lines: number;
  readonly bytes: number;
  readonly skipped: number;
  readonly reconnects: number;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NL = Buffer.from('\n');

const readState = async (home: string): Promise<E.Either<EngineError, ReplicaState>> => {
  const file = nodePath.join(home, REPLICA_STATE_FILE);
  let text: string;
  try {
    text = await readTextNoFollow(home, file);
  } catch (err) {
    return errnoCode(err) === 'ENOENT'
      ? E.right({ position: null, files: {} })
      : E.left(toEngineError(file, 'read')(err));
  }
  let json: unknown;
  try {
    json = parseJson(text);
  } catch {
    json = undefined;
  }
  const decoded = decodeShape(ReplicaState, json);
  return E.isRight(decoded) ? E.right(decoded.right) : E.left(corrupt(file, 0, 'not a replica state'));
};

const writeState = async (home: string, state: ReplicaState): Promise<void> => {
  const file = nodePath.join(home, REPLICA_STATE_FILE);
  await mkdirNoFollow(home, nodePath.dirname(file), 0o700);
  await writeFileAtomic(file, JSON.stringify(state), { mode: 0o600, root: home });
};

/** Follow the store into `home` (see the module's comment). Resolves when caught up (`untilCaughtUp`), aborted, or failed. */
export const followIntoHome = async (
  connection: EventStoreConnection,
  home: string,
  options: FollowOptions = {},
): Promise<E.Either<EngineError, FollowSummary>> => {
  const loaded = await readState(home);
  if (E.isLeft(loaded)) return loaded;
  const f = following(home, loaded.right, options);
  let backoff = options.backoffMs ?? 100;
  for (;;) {
    const outcome = await subscribeOnce(connection, f);
    if (outcome.kind !== 'failed') {
      try {
        await flush(f);
      } catch (err) {
        return E.left(toEngineError(home, 'follow')(err));
      }
      return E.right(f.summary);
    }
    const error = outcome.error;
    if (error !== null && typeof error === 'object' && '_tag' in error) return E.left(error as EngineError);
    const mapped = eventStoreError('$all', 'subscribe')(error);
    if (!(mapped._tag === 'Io' && mapped.code === 'UNAVAILABLE') && mapped._tag !== 'Timeout') return E.left(mapped);
    // The connection dropped: resume from the last position applied, after a pause.
    f.summary.reconnects += 1;
    try {
      await flush(f);
    } catch (err) {
      return E.left(toEngineError(home, 'follow')(err));
    }
    f.parts.clear();
    f.live = false;
    await new Promise((r) => setTimeout(r, backoff));
    backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 5000);
  }
};

/** One follow under way: the replica's state, the copy's files as this process knows them, and the position applied. */
interface Following {
  readonly home: string;
  readonly state: ReplicaState;
  readonly options: FollowOptions;
  readonly flushEvery: number;
  readonly summary: { -readonly [K in keyof FollowSummary]: FollowSummary[K] };
  /** Per file: its size as this process knows it (whole lines only), and the bytes waiting to be appended. */
  readonly sizes: Map<string, number>;
  readonly pending: Map<string, Buffer[]>;
  readonly pendingBytes: Map<string, number>;
  /** Per stream: the parts of a line whose last part has not come yet. */
  readonly parts: Map<string, Buffer[]>;
  position: AllPosition | undefined;
  sinceFlush: number;
  live: boolean;
  /** Flushes run one after another (the caught-up signal flushes too), and events wait for them. */
  flushing: Promise<void>;
}

const following = (home: string, state: ReplicaState, options: FollowOptions): Following => ({
  home,
  state,
  options,
  flushEvery: options.flushEvery ?? 2000,
  summary: { events: 0, lines: 0, bytes: 0, skipped: 0, reconnects: 0 },
  sizes: new Map(),
  pending: new Map(),
  pendingBytes: new Map(),
  parts: new Map(),
  position:
    state.position === null
      ? undefined
      : { commit: BigInt(state.position.commit), prepare: BigInt(state.position.prepare) },
  sinceFlush: 0,
  live: false,
  flushing: Promise.resolve(),
});

/** One subscription from the position applied, until it catches up (`untilCaughtUp`), is aborted, or fails. */
const subscribeOnce = async (
  connection: EventStoreConnection,
  f: Following,
): Promise<{ kind: 'caughtUp' | 'aborted' } | { kind: 'failed'; error: unknown }> => {
  const { options } = f;
  let stop: (() => Promise<void>) | undefined;
  const outcome = await new Promise<{ kind: 'caughtUp' | 'aborted' } | { kind: 'failed'; error: unknown }>(
    (resolve) => {
      let busy = Promise.resolve();
      const subscription = connection.subscribeAll(
        [ROLLOUT_STREAM_PREFIX, HOME_CONTROL_STREAM],
        f.position ?? 'start',
        {
          onEvent: async (event) => {
            busy = onEvent(f, event);
            await busy;
          },
          onCaughtUp: () => {
            f.live = true;
            void busy
              .then(() => flush(f))
              .then(() => {
                options.onCaughtUp?.();
                if (options.untilCaughtUp === true) resolve({ kind: 'caughtUp' });
              })
              .catch((error: unknown) => resolve({ kind: 'failed', error }));
          },
          onError: (error) => resolve({ kind: 'failed', error }),
        },
      );
      options.signal?.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true });
      if (options.signal?.aborted === true) resolve({ kind: 'aborted' });
      stop = () => subscription.stop();
    },
  );
  await stop?.().catch(() => undefined);
  return outcome;
};

const onEvent = async (f: Following, event: RecordedEvent): Promise<void> => {
  await f.flushing;
  f.summary.events += 1;
  if (event.stream === HOME_CONTROL_STREAM) await applyFact(f, event);
  else await applyLine(f, event);
  // A resume starts past the position: only where no line is half received.
  if (event.position !== undefined && f.parts.size === 0) f.position = event.position;
  // Past the caught-up point events come one by one: each is written as it comes.
  if (++f.sinceFlush >= f.flushEvery || f.live) await flush(f);
};

const pathOf = (f: Following, file: string, stream: string): string => {
  const relative = confinedRolloutPath(file, stream);
  if (relative === undefined)
    throw corrupt(
      stream,
      0,
      `the stream names ${JSON.stringify(file)} as its file: not a rollout path under sessions/ or archived_sessions/`,
    );
  return nodePath.join(f.home, relative);
};

/** A file's size of whole lines: a tail left by a kill mid-write (no newline) is cut first. */
const sizeOf = async (f: Following, path: string): Promise<number> => {
  const known = f.sizes.get(path);
  if (known !== undefined) return known;
  let size = 0;
  try {
    const fh = await openNoFollow(f.home, path, 'read');
    const bytes = await fh.readFile().finally(() => fh.close());
    const last = bytes.lastIndexOf(0x0a);
    size = last + 1;
    if (size !== bytes.length) {
      const w = await openNoFollow(f.home, path, 'append', ROLLOUT_FILE_MODE);
      await w.truncate(size).finally(() => w.close());
    }
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  f.sizes.set(path, size);
  return size;
};

const flush = (f: Following): Promise<void> => (f.flushing = f.flushing.then(() => writePending(f)));

const writePending = async (f: Following): Promise<void> => {
  const { home, state } = f;
  // The lines reach the disk before the position that says they were applied: a power loss
  // after the state write must not leave the copy resuming past lines it never kept.
  for (const [path, buffers] of f.pending) {
    const bytes = Buffer.concat(buffers);
    const created = (f.sizes.get(path) ?? 0) === 0;
    await mkdirNoFollow(home, nodePath.dirname(path), 0o700);
    crashPoint('follow.append.before');
    await appendNoFollow(home, path, bytes, ROLLOUT_FILE_MODE, true);
    crashPoint('follow.append.after');
    if (created) await syncFolder(nodePath.dirname(path));
    f.sizes.set(path, (f.sizes.get(path) ?? 0) + bytes.length);
  }
  f.pending.clear();
  f.pendingBytes.clear();
  f.sinceFlush = 0;
  const position = f.position;
  await writeState(home, {
    ...state,
    position: position === undefined ? null : { commit: String(position.commit), prepare: String(position.prepare) },
  });
  crashPoint('follow.position.saved');
};

/** A fact of the home's control stream: a name, forgotten names, a thread-state event, a removal, a superseded mark, or where a stream's file is. */
const applyFact = async (f: Following, event: RecordedEvent): Promise<void> => {
  const { home, state, options } = f;
  const fact = homeFactOf(event);
  if (E.isLeft(fact)) throw fact.left;
  const h = fact.right;
  if (h.kind === 'threadName') {
    // The copy's own folders may not be there yet (its rollout lines are written in batches).
    await fs
      .mkdir(home, { recursive: true, mode: 0o700 })
      .then((first) => ownMadeFolders(first, home))
      .catch((err: unknown) => Promise.reject(toEngineError(home, 'mkdir')(err)));
    const named = await appendSessionIndexLine(home, h.line ?? sessionIndexLine(h.threadId, h.name, new Date(h.at)), {
      once: true,
    })();
    if (E.isLeft(named)) throw named.left;
    return;
  }
  if (h.kind === 'namesForgotten') {
    const forgotten = await forgetThreadNames(home, h.threadId)();
    if (E.isLeft(forgotten)) throw forgotten.left;
    return;
  }
  if (h.kind === 'threadState') {
    // The event as a line of this node's own thread-state log, under its lock (a local change may run meanwhile).
    await appendThreadStateEvent(home, h.event);
    options.onThreadState?.();
    return;
  }
  if (h.kind === 'removed') {
    // Deleted (thread/delete): the copy's file and its mark go, and the stream is forgotten.
    await flush(f);
    const path = pathOf(f, state.files[h.stream] ?? h.file, h.stream);
    const removed = await removeRolloutFiles([path, supersededMarkOf(path)])();
    if (E.isLeft(removed)) throw removed.left;
    f.sizes.delete(path);
    delete state.files[h.stream];
    return;
  }
  if (h.kind === 'superseded') {
    const stream = rolloutStreamOf(h.file);
    if (stream === undefined)
      throw corrupt(HOME_CONTROL_STREAM, event.revision, `a superseded mark names ${JSON.stringify(h.file)}`);
    const file = pathOf(f, h.file, stream);
    await mkdirNoFollow(home, nodePath.dirname(file), 0o700);
    await writeSupersededMark(home, file, h.revision);
    return;
  }
  const was = state.files[h.stream];
  if (was === undefined || was === h.file) {
    state.files[h.stream] = h.file;
    return;
  }
  // The file moved (archived, unarchived): the copy moves with it.
  await flush(f);
  const from = pathOf(f, was, h.stream);
  const to = pathOf(f, h.file, h.stream);
  crashPoint('follow.move.before');
  const moved = await moveRolloutFile(home, from, to)();
  if (E.isLeft(moved)) throw moved.left;
  crashPoint('follow.move.after');
  f.sizes.delete(from);
  state.files[h.stream] = h.file;
};

/** A rollout line (or a part of one): queued for its file once whole, skipped when the copy has it already. */
const applyLine = async (f: Following, event: RecordedEvent): Promise<void> => {
  const { state, summary } = f;
  // A revision's seal is not a line; its base's mark comes with the superseded fact.
  if (isSealEvent(event)) return;
  const decoded = lineMetadataOf(event);
  if (E.isLeft(decoded)) throw decoded.left;
  const meta = decoded.right;
  if (
    meta.ordinal === 0 &&
    (meta.part ?? 0) === 0 &&
    meta.file !== undefined &&
    state.files[event.stream] === undefined
  )
    state.files[event.stream] = meta.file;
  const file = state.files[event.stream];
  if (file === undefined)
    throw corrupt(
      event.stream,
      meta.byteOffset,
      `event ${event.revision} comes before the stream's first line says where its file is`,
    );
  const path = pathOf(f, file, event.stream);
  const size = (await sizeOf(f, path)) + (f.pendingBytes.get(path) ?? 0);
  const lineStart = meta.bom === true ? 0 : meta.byteOffset;
  if (lineStart < size) {
    summary.skipped += 1;
    return;
  }
  if (lineStart !== size)
    throw corrupt(
      path,
      meta.byteOffset,
      `event ${event.revision} of ${event.stream} starts at byte ${meta.byteOffset}, the copy ends at ${size}`,
    );
  const held = f.parts.get(event.stream) ?? [];
  held.push(Buffer.from(event.data));
  if ((meta.part ?? 0) < (meta.parts ?? 1) - 1) {
    f.parts.set(event.stream, held);
    return;
  }
  f.parts.delete(event.stream);
  const bytes = held.length === 1 ? held[0]! : Buffer.concat(held);
  if (bytes.length !== meta.byteLength)
    throw corrupt(
      event.stream,
      meta.byteOffset,
      `line ${meta.ordinal} has ${bytes.length} bytes, its metadata says ${meta.byteLength}`,
    );
  const out = f.pending.get(path) ?? [];
  if (meta.bom === true) out.push(BOM);
  out.push(bytes, NL);
  f.pending.set(path, out);
  f.pendingBytes.set(path, (f.pendingBytes.get(path) ?? 0) + (meta.bom === true ? BOM.length : 0) + bytes.length + 1);
  summary.lines += 1;
  summary.bytes += bytes.length + 1;
};
