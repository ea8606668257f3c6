import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../domain/errors.js';
import { rejected } from '../domain/errors.js';
import type { IndexStore } from '../domain/ports.js';
import type { FileCheckpoint } from '../domain/index/rows.js';
import type { QuarantineRecord } from '../domain/rollout/rawLine.js';
import { Batch } from '../projections/batch.js';
import { beginFileBatch, emptyStats, foldLine } from '../projections/runner.js';
import type { BatchStats, LineIn } from '../projections/runner.js';
import type { RolloutContext } from '../projections/projection.js';
import { ScanStartError } from '../adapters/jsonl/lineScanner.js';
import { toEngineError } from '../adapters/fs/fsError.js';
import { sha256, tailHashOf } from '../adapters/jsonl/probe.js';
import type { Probe } from '../adapters/jsonl/probe.js';
import type { CatchUpPlan, FileAction } from './plan.js';
import type { TailedChunk } from '../adapters/jsonl/tailLines.js';
import { inProcessTailReader } from '../adapters/jsonl/tailReader.js';
import type { TailReader, TailStream } from '../adapters/jsonl/tailReader.js';
import { checkpointIn, commitFileBatches, tokensKeptAfter } from './commit.js';
import type { FileBatch } from './commit.js';
import type { CatchUpOptions } from './catchUpOptions.js';
import { subsetOf } from './catchUpOptions.js';
import type { ProjectionSubset } from '../projections/all.js';
import type { CatchUpSummary } from './catchUpSummary.js';
import { holdPoint } from '../adapters/system/holdPoint.js';

/**
 * Index the files of a plan (all of it, or one worker's share): each file's new lines are read
 * (adapters/jsonl/tailLines.ts, the next file's first read already in flight) into the open transaction, which is
 * committed with the files' checkpoints whenever it is full (commit.ts). Memory is bounded by
 * the transaction size.
 */

const DEFAULT_BATCH_LINES = 50_000;
const DEFAULT_BATCH_BYTES = 8 << 20;
/**
 * Rows a transaction holds at most (distinct keys written): what it costs in memory and in
 * commit work is its rows, not the rollout bytes they came from. Real rollouts (~0.6 KB lines)
 * give about one row per line, so this ends their transactions near 4 MB of lines (peak RSS of a
 * real-shaped 300 MB home 213 → ~190 MB); lines with large payloads (5 KB tool output) reach the
 * byte limit first, as before.
 */
const DEFAULT_BATCH_ROWS = 4096;
/**
 * The token projection alone writes a few rows per response (~0.4 a line of a real rollout) and
 * skips most lines unread: its transactions end on rows (DEFAULT_BATCH_ROWS, ~11 MB of real
 * rollouts), not on the bytes read. 32k rows a transaction was no faster on a real-shaped 300 MB
 * home and peaked 30 MB higher (182 against 150 MB).
 */
const TOKEN_BATCH = { lines: 1_000_000, bytes: 1 << 30, rows: DEFAULT_BATCH_ROWS } as const;
/**
 * Commits between two remaps of the store's memory map (when it has one): each commit's writer
 * touches pages of the map, which would otherwise stay resident up to the whole index. With
 * commits of DEFAULT_BATCH_ROWS rows, every 8 keeps a real-shaped 300 MB home's peak RSS under
 * 200 MB (16: up to ~210).
 */
const REMAP_EVERY_COMMITS = 8;
export const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export const checkpointOf = (p: Probe, fields: Partial<FileCheckpoint>): FileCheckpoint => ({
  path: p.file.path,
  rolloutId: p.identity.ok ? p.identity.rolloutId : null,
  threadId: p.identity.ok ? p.identity.threadId : null,
  archived: p.file.archived,
  fileTimestamp: p.file.fileTimestamp,
  revisionId: p.file.revisionId ?? null,
  byteOffset: 0,
  line: 0,
  size: p.size,
  headHash: p.headHash,
  headLen: p.headLen,
  tailHash: '',
  tailLen: 0,
  mtimeMs: p.mtimeMs,
  ctimeMs: p.ctimeMs,
  upcastFrom: p.identity.ok ? (p.identity.upcast?.format ?? null) : null,
  duplicateOf: null,
  error: null,
  ...fields,
});

/** A file being folded: lines read since its last committed checkpoint. */
interface Cursor {
  readonly probe: Probe;
  readonly ctx: RolloutContext | null;
  resets: ReadonlyArray<string>;
  /** Its next batch starts at the file's first line (nothing of it is stored yet). */
  fromStart: boolean;
  expected: FileCheckpoint | undefined;
  pos: { line: number; byteOffset: number };
  lines: LineIn[];
  /** With a store that has a committed-state reader: the lines already folded (see `foldAhead`). */
  ahead: { batch: Batch; stats: BatchStats } | undefined;
  quarantined: QuarantineRecord[];
  /** The bytes before `pos` (at most 4 KiB), when lines were read. */
  tail?: Buffer;
  /** All complete lines read: the checkpoint may record the size seen. */
  done: boolean;
  /** For a rows-less file (unreadable, duplicate): its checkpoint as is. */
  readonly fixed?: FileCheckpoint;
  conflicted: boolean;
  /** A full catch-up: the file's `tokenFiles` checkpoint as read (the token projection caught up alone), checked at commit. */
  tokens: FileCheckpoint | undefined;
  /** Its token rows are in the store from before this batch (`BatchPlan.tokensStored`). */
  tokensStored: boolean;
}

/** The transaction being filled: open cursors and how much they hold. */
class PendingTxn {
  private cursors: Cursor[] = [];
  private lines = 0;
  private bytes = 0;
  /** Rows the open cursors' folded lines write (see DEFAULT_BATCH_ROWS). */
  rows = 0;
  private commits = 0;

  constructor(
    private readonly store: IndexStore,
    private readonly options: Pick<CatchUpOptions, 'batchLines' | 'batchBytes' | 'quarantine' | 'between' | 'afterCommit'>,
    private readonly summary: CatchUpSummary,
    private readonly subset: ProjectionSubset,
  ) {}

  /** Between two chunks of a file: what the catch-up's `between` waits for. */
  async between(): Promise<void> {
    await this.options.between?.();
  }

  add(c: Cursor): void {
    this.cursors.push(c);
  }

  /**
   * Fold a cursor's new lines now, against the committed state, when the store offers a reader:
   * the transaction then only checks checkpoints and writes (short transactions, so parallel
   * writers do not queue behind each other's folding), and line texts do not wait for the flush.
   */
  foldAhead(c: Cursor): void {
    const reader = this.store.reader;
    if (reader === undefined || c.ctx === null || c.lines.length === 0) return;
    if (c.ahead === undefined) {
      const batch = new Batch(reader);
      beginFileBatch(batch, { ctx: c.ctx, resetRollouts: c.resets, fromStart: c.fromStart, tokensStored: c.tokensStored }, this.subset.tables);
      c.ahead = { batch, stats: emptyStats() };
    }
    const before = c.ahead.batch.size;
    for (const l of c.lines) foldLine(c.ahead.batch, c.ctx, l, c.ahead.stats, this.subset.projections);
    this.rows += c.ahead.batch.size - before;
    c.lines = [];
  }

  /** Count a line read into an open cursor; true when the transaction is full. */
  grew(bytes: number): boolean {
    this.lines += 1;
    this.bytes += bytes;
    const tokens = this.subset.name === 'tokens';
    return (
      this.lines >= (this.options.batchLines ?? (tokens ? TOKEN_BATCH.lines : DEFAULT_BATCH_LINES)) ||
      this.bytes >= (this.options.batchBytes ?? (tokens ? TOKEN_BATCH.bytes : DEFAULT_BATCH_BYTES))
    );
  }

  /** Rows a transaction holds at most before it is committed. */
  get rowLimit(): number {
    return this.subset.name === 'tokens' ? TOKEN_BATCH.rows : DEFAULT_BATCH_ROWS;
  }

  /** Commit what the open cursors hold; finished cursors leave, the others continue from their new checkpoint. */
  async flush(): Promise<E.Either<EngineError, void>> {
    const cursors = this.cursors.filter((c) => !c.conflicted);
    for (const c of cursors) this.foldAhead(c);
    const bytes = this.bytes;
    this.cursors = [];
    this.lines = 0;
    this.bytes = 0;
    this.rows = 0;
    if (cursors.length === 0) return E.right(undefined);
    let checkpoints: FileCheckpoint[];
    try {
      checkpoints = await Promise.all(cursors.map((c) => checkpointAt(c)));
    } catch (err) {
      return E.left(toEngineError(cursors[0]!.probe.file.path, 'read')(err));
    }
    const batches: FileBatch[] = cursors.map((c, i) => ({
      plan: { ctx: c.ctx, resetRollouts: c.resets, fromStart: c.fromStart, tokensStored: c.tokensStored, lines: c.lines, checkpoint: checkpoints[i]! },
      ...(c.ahead ? { built: { writes: c.ahead.batch.writes(), rejected: c.ahead.stats.rejected } } : {}),
      expected: c.expected,
      expectedTokens: c.tokens,
      quarantined: c.quarantined,
    }));
    // The token projection caught up alone records nothing in the quarantine: the full catch-up that reads every line does.
    const r = await commitFileBatches(this.store, batches, this.subset.name === 'tokens' ? undefined : this.options.quarantine, this.subset);
    if (E.isLeft(r)) return r;
    if (this.store.remap && ++this.commits % REMAP_EVERY_COMMITS === 0) {
      const m = this.store.remap();
      if (E.isLeft(m)) return m;
    }
    this.summary.quarantined += r.right.quarantined;
    if (bytes > 0) this.options.afterCommit?.(bytes);
    await holdPoint('index.batch.committed');
    const conflicted = new Set(r.right.conflicted);
    cursors.forEach((c, i) => {
      if (conflicted.has(batches[i]!)) {
        c.conflicted = true;
        this.summary.conflicts += 1;
        return;
      }
      c.expected = checkpoints[i]!;
      c.tokens = tokensKeptAfter(batches[i]!);
      c.resets = [];
      c.fromStart = false;
      c.tokensStored = false;
      c.lines = [];
      c.ahead = undefined;
      c.quarantined = [];
      if (!c.done) this.cursors.push(c);
    });
    return E.right(undefined);
  }
}

/**
 * The checkpoint a cursor has reached. Until the file is read to its end it covers exactly the
 * lines read (size = byteOffset), so a run that stops there catches up the rest next time.
 */
const checkpointAt = async (c: Cursor): Promise<FileCheckpoint> => {
  if (c.fixed) return c.fixed;
  const size = c.done ? Math.max(c.probe.size, c.pos.byteOffset) : c.pos.byteOffset;
  // The bytes the checkpoint ends on: kept from the read when lines were read, else read now.
  const tail = c.tail !== undefined ? { tailHash: sha256(c.tail), tailLen: c.tail.length } : tailHashOf(c.probe.file.path, c.pos.byteOffset);
  return checkpointOf(c.probe, { byteOffset: c.pos.byteOffset, line: c.pos.line, size, ...tail });
};

/** A file's `tokenFiles` checkpoint (the token projection caught up alone past `files`), if any. */
const tokenCheckpointOf = async (store: IndexStore, path: string): Promise<FileCheckpoint | undefined> => {
  if (store.reader !== undefined) return store.reader.get('tokenFiles', [path]);
  const r = await store.get('tokenFiles', [path])();
  return E.isRight(r) ? r.right : undefined;
};

type Started = { readonly tail: TailStream; readonly first: Promise<IteratorResult<TailedChunk, unknown>> };

/** Open a file's tail and start its first read (the next file is read while this one is folded). */
const startTail = (p: Probe, from: FileCheckpoint | undefined, reader: TailReader, subset: ProjectionSubset): Started => {
  const tail = reader.open({
    path: p.file.path,
    ...(subset.name === 'tokens' ? { tokensOnly: true } : {}),
    from: from ? { ordinal: from.line, byteOffset: from.byteOffset } : { ordinal: 0, byteOffset: 0 },
    itemsFromResponses: p.identity.ok && p.identity.upcast !== null,
    upcast: p.identity.ok ? p.identity.upcast : null,
    sizeHint: p.size,
  });
  const first = tail.next();
  first.catch(() => undefined); // awaited later; never an unhandled rejection meanwhile
  return { tail, first };
};

/** What to do with each file of a plan (or a worker's share of it). */
export type PlannedFile = CatchUpPlan['actions'][number];

/**
 * Index, catch up, or just record each file, many files per transaction. `progress` is told
 * each time a file is done (the bytes read are in `summary`).
 */
export const indexFiles = async (
  store: IndexStore,
  actions: ReadonlyArray<PlannedFile>,
  options: Pick<CatchUpOptions, 'batchLines' | 'batchBytes' | 'quarantine' | 'signal' | 'between' | 'afterCommit' | 'subset'>,
  summary: CatchUpSummary,
  progress: (filesDone: number) => void = () => undefined,
  reader: TailReader = inProcessTailReader(),
): Promise<E.Either<EngineError, void>> => {
  const subset = subsetOf(options);
  const txn = new PendingTxn(store, options, summary, subset);
  let filesDone = 0;
  const toRead = actions.filter((a): a is { probe: Probe; action: Extract<FileAction, { kind: 'index' }> } => a.action.kind === 'index');
  // The next files' first reads are in flight while this one is folded.
  const ahead: Started[] = [];
  let nextStart = 0;
  const cleanup = async () => {
    for (const st of ahead) await st.tail.close().catch(() => undefined);
  };
  try {
    for (const { probe: p, action } of actions) {
      if (options.between !== undefined && action.kind === 'index') await options.between();
      if (options.signal?.aborted === true) {
        const r = await txn.flush();
        return E.isLeft(r) ? r : E.left(rejected('the catch-up was stopped; the index keeps what was committed'));
      }
      if (action.kind === 'unchanged') {
        summary.unchanged += 1;
        filesDone += 1;
        continue;
      }
      if (action.kind === 'unreadable' || action.kind === 'duplicate') {
        // A file that holds no rows only records why.
        if (action.kind === 'unreadable') summary.unreadable.push({ path: p.file.path, reason: action.reason });
        const fixed = checkpointOf(p, action.kind === 'unreadable' ? { error: action.reason } : { duplicateOf: action.winner });
        const tokens = subset.name === 'all' ? await tokenCheckpointOf(store, p.file.path) : undefined;
        if (!same(p.cp, fixed) || tokens !== undefined) {
          txn.add({
            tokens,
            tokensStored: false,
            probe: p,
            ctx: null,
            resets: [],
            fromStart: false,
            expected: p.cp,
            pos: { line: 0, byteOffset: 0 },
            lines: [],
            ahead: undefined,
            quarantined: [],
            done: true,
            fixed,
            conflicted: false,
          });
        }
        filesDone += 1;
        continue;
      }
      if (ahead.length <= reader.readAhead - reader.opensAtOnce || ahead.length === 0)
        while (nextStart < toRead.length && ahead.length < reader.readAhead) {
          const f = toRead[nextStart++]!;
          ahead.push(startTail(f.probe, f.action.from, reader, subset));
        }
      const current = ahead.shift()!;
      // Another indexer (a request's own catch-up ahead of this backfill) has moved the file on since
      // it was probed: its commit would conflict, so it is not read at all.
      if (store.reader !== undefined && !same(checkpointIn(store.reader, subset, p.file.path), p.cp)) {
        await current.tail.close().catch(() => undefined);
        summary.conflicts += 1;
        filesDone += 1;
        continue;
      }
      summary[action.counted] += 1;
      const r = await foldFile(current, p, action, txn, summary, subset.name === 'all' ? await tokenCheckpointOf(store, p.file.path) : undefined);
      if (E.isLeft(r)) return r;
      filesDone += 1;
      progress(filesDone);
    }
    const r = await txn.flush();
    progress(filesDone);
    return r;
  } finally {
    await cleanup();
  }
};

/** Read one file's new lines into the transaction, flushing whenever it is full. */
const foldFile = async (
  started: Started,
  p: Probe,
  action: Extract<FileAction, { kind: 'index' }>,
  txn: PendingTxn,
  summary: CatchUpSummary,
  /** A full catch-up: the file's `tokenFiles` checkpoint, if the token projection was caught up alone past `files`. */
  tokens: FileCheckpoint | undefined,
): Promise<E.Either<EngineError, void>> => {
  if (!p.identity.ok) return E.right(undefined);
  const from = action.from;
  // The token rows below `tokens` are there to keep when the file is the one they were folded
  // from (catchUpHome has marked it changed otherwise) and nothing resets them; else they go too.
  const keepTokens = tokens !== undefined && !p.changed && action.resetRollouts.length === 0;
  const ctx: RolloutContext = {
    rolloutId: p.identity.rolloutId,
    threadId: p.identity.threadId,
    path: p.file.path,
    itemsFromResponses: p.identity.upcast !== null,
    ...(p.identity.upcast !== null ? { upcastFrom: p.identity.upcast.format } : {}),
    ...(keepTokens ? { tokensFrom: tokens.byteOffset } : {}),
  };
  const c: Cursor = {
    probe: p,
    ctx,
    tokens,
    tokensStored: keepTokens && from === undefined,
    resets:
      tokens !== undefined && !keepTokens && !action.resetRollouts.includes(p.identity.rolloutId)
        ? [...action.resetRollouts, p.identity.rolloutId]
        : action.resetRollouts,
    fromStart: from === undefined,
    expected: p.cp,
    pos: from ? { line: from.line, byteOffset: from.byteOffset } : { line: 0, byteOffset: 0 },
    lines: [],
    ahead: undefined,
    quarantined: [],
    done: false,
    conflicted: false,
  };
  txn.add(c);
  try {
    let r = await started.first;
    while (r.done !== true) {
      let full = false;
      c.tail = r.value.tail;
      for (const t of r.value.lines) {
        c.lines.push(t.line);
        if (t.quarantined) c.quarantined.push(t.quarantined);
        c.pos = { line: t.line.line + 1, byteOffset: t.line.byteOffset + t.line.byteLength + 1 };
        summary.lines += 1;
        summary.bytes += t.line.byteLength + 1;
        full = txn.grew(t.line.byteLength + 1) || full;
      }
      // Fold while the next chunk is read; commit (chunk boundaries only) when the transaction is full.
      txn.foldAhead(c);
      await txn.between();
      if (full || txn.rows >= txn.rowLimit) {
        const f = await txn.flush();
        if (E.isLeft(f)) return f;
        if (c.conflicted) return E.right(undefined); // another indexer has this file
      }
      r = await started.tail.next();
    }
    c.done = true;
    return E.right(undefined);
  } catch (err) {
    return E.left(err instanceof ScanStartError ? err.error : toEngineError(p.file.path, 'read')(err));
  } finally {
    await started.tail.close().catch(() => undefined);
  }
};
