import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../domain/errors.js';
import { rejected } from '../domain/errors.js';
import type { IndexStore } from '../domain/ports.js';
import type { FileCheckpoint, IndexReader } from '../domain/index/rows.js';
import { Batch } from '../projections/batch.js';
import { beginFileBatch, emptyStats, foldLine } from '../projections/runner.js';
import type { RolloutContext } from '../projections/projection.js';
import { TOKEN_PROJECTION_SUBSET } from '../projections/all.js';
import { ScanStartError } from '../adapters/jsonl/lineScanner.js';
import { TokenLineBuffer, TokenLines } from '../adapters/jsonl/tokenLines.js';
import { toEngineError } from '../adapters/fs/fsError.js';
import { sha256 } from '../adapters/jsonl/probe.js';
import type { Probe } from '../adapters/jsonl/probe.js';
import { checkpointIn, commitFileBatches } from './commit.js';
import type { FileBatch } from './commit.js';
import { REMAP_EVERY_COMMITS, checkpointOf, indexFiles, same } from './indexFiles.js';
import type { PlannedFile } from './indexFiles.js';
import type { CatchUpOptions } from './catchUpOptions.js';
import type { CatchUpSummary } from './catchUpSummary.js';

/**
 * The catch-up of the token projection alone (a `tokens` report on a fresh or stale home), as a
 * lean pass: each file's new lines are read in place on this thread (adapters/jsonl/tokenLines.ts:
 * the lines the token fold reads are decoded, the others passed over by their first bytes), folded
 * by the token projection into the file's own batch in memory, and its rows written once with its
 * `tokenFiles` checkpoint, many files per transaction (commit.ts, with the same optimistic check
 * as every catch-up). The rows are the general runner's (indexFiles.ts) for the same lines; files
 * that only record a checkpoint, and early rollouts (upcast line by line), go through it.
 * Memory: a transaction's rows (ROWS_PER_COMMIT) and one read buffer; a file whose rows pass the
 * limit is committed part way, with a checkpoint where its read stopped.
 */

/**
 * Rows a transaction holds before it is committed (what it costs in memory). On a real-shaped
 * 300 MB home (87k rows), 4k and 16k rows a transaction took the same time and peak RSS.
 */
const ROWS_PER_COMMIT = 4096;

/** A file's share of the open transaction. */
interface Open {
  readonly probe: Probe;
  readonly ctx: RolloutContext;
  readonly batch: Batch;
  readonly resets: ReadonlyArray<string>;
  readonly fromStart: boolean;
  readonly expected: FileCheckpoint | undefined;
  readonly checkpoint: FileCheckpoint;
}

type Indexable = PlannedFile & { readonly action: { readonly kind: 'index' } };

const readsLean = (a: PlannedFile): a is Indexable => a.action.kind === 'index' && a.probe.identity.ok && a.probe.identity.upcast === null;

export const indexTokenFiles = async (
  store: IndexStore,
  /** The store's reader of its committed state (each file's batch is built against it). */
  reader: IndexReader,
  actions: ReadonlyArray<PlannedFile>,
  options: Pick<CatchUpOptions, 'signal' | 'between' | 'afterCommit'>,
  summary: CatchUpSummary,
  progress: (filesDone: number) => void = () => undefined,
): Promise<E.Either<EngineError, void>> => {
  const subset = TOKEN_PROJECTION_SUBSET;
  const general = await indexFiles(
    store,
    actions.filter((a) => !readsLean(a)),
    { ...options, subset: 'tokens' },
    summary,
  );
  if (E.isLeft(general)) return general;
  let filesDone = actions.length - actions.filter(readsLean).length;
  let open: Open[] = [];
  let rows = 0;
  let bytes = 0;
  let commits = 0;
  const conflictedPaths = new Set<string>();
  const flush = async (): Promise<E.Either<EngineError, void>> => {
    const batches: FileBatch[] = open.map((o) => ({
      plan: { ctx: o.ctx, resetRollouts: o.resets, fromStart: o.fromStart, tokensStored: false, lines: [], checkpoint: o.checkpoint },
      built: { writes: o.batch.writes(), rejected: [] },
      expected: o.expected,
      quarantined: [],
    }));
    const covered = bytes;
    open = [];
    rows = 0;
    bytes = 0;
    if (batches.length === 0) return E.right(undefined);
    const r = await commitFileBatches(store, batches, undefined, subset);
    if (E.isLeft(r)) return r;
    for (const b of r.right.conflicted) {
      summary.conflicts += 1;
      conflictedPaths.add(b.plan.checkpoint.path);
    }
    if (store.remap && ++commits % REMAP_EVERY_COMMITS === 0) {
      const m = store.remap();
      if (E.isLeft(m)) return m;
    }
    if (covered > 0) options.afterCommit?.(covered);
    return E.right(undefined);
  };
  const buffer = new TokenLineBuffer();
  for (const a of actions) {
    if (!readsLean(a)) continue;
    const p = a.probe;
    if (!p.identity.ok) continue;
    if (options.between !== undefined) await options.between();
    if (options.signal?.aborted === true) {
      const r = await flush();
      return E.isLeft(r) ? r : E.left(rejected('the catch-up was stopped; the index keeps what was committed'));
    }
    // Another indexer has moved the file on since it was probed: its commit would conflict.
    if (!same(checkpointIn(reader, subset, p.file.path), p.cp)) {
      summary.conflicts += 1;
      filesDone += 1;
      continue;
    }
    summary[a.action.counted] += 1;
    const from = a.action.from;
    const ctx: RolloutContext = { rolloutId: p.identity.rolloutId, threadId: p.identity.threadId, path: p.file.path, itemsFromResponses: false };
    let tail: TokenLines;
    try {
      tail = new TokenLines(p.file.path, from ? { ordinal: from.line, byteOffset: from.byteOffset } : { ordinal: 0, byteOffset: 0 }, buffer);
    } catch (err) {
      return E.left(err instanceof ScanStartError ? err.error : toEngineError(p.file.path, 'read')(err));
    }
    try {
      let expected = p.cp;
      let resets = a.action.resetRollouts;
      let fromStart = from === undefined;
      let batch = new Batch(reader);
      beginFileBatch(batch, { ctx, resetRollouts: resets, fromStart, tokensStored: false }, subset.tables);
      const stats = emptyStats();
      let pos = tail.end;
      for (let chunk = tail.next(); chunk !== undefined; chunk = tail.next()) {
        for (const l of chunk.lines) foldLine(batch, ctx, l, stats, subset.projections);
        summary.lines += chunk.end.ordinal - pos.ordinal;
        summary.bytes += chunk.end.byteOffset - pos.byteOffset;
        bytes += chunk.end.byteOffset - pos.byteOffset;
        pos = chunk.end;
        if (batch.size < ROWS_PER_COMMIT) continue;
        // A file of many responses is committed part way: a checkpoint covering exactly the lines read, the rest read on.
        const checkpoint = checkpointOf(p, { byteOffset: pos.byteOffset, line: pos.ordinal, size: pos.byteOffset, ...tailOf(tail, pos) });
        open.push({ probe: p, ctx, batch, resets, fromStart, expected, checkpoint });
        const f = await flush();
        if (E.isLeft(f)) return f;
        if (conflictedPaths.has(p.file.path)) break; // another indexer has this file
        expected = checkpoint;
        resets = [];
        fromStart = false;
        batch = new Batch(reader);
      }
      if (!conflictedPaths.has(p.file.path)) {
        const checkpoint = checkpointOf(p, { byteOffset: pos.byteOffset, line: pos.ordinal, size: Math.max(p.size, pos.byteOffset), ...tailOf(tail, pos) });
        open.push({ probe: p, ctx, batch, resets, fromStart, expected, checkpoint });
        rows += batch.size;
      }
    } catch (err) {
      return E.left(toEngineError(p.file.path, 'read')(err));
    } finally {
      tail.close();
    }
    filesDone += 1;
    progress(filesDone);
    if (rows >= ROWS_PER_COMMIT) {
      const f = await flush();
      if (E.isLeft(f)) return f;
    }
  }
  const f = await flush();
  progress(filesDone);
  return f;
};

const tailOf = (tail: TokenLines, end: { readonly ordinal: number; readonly byteOffset: number }): Pick<FileCheckpoint, 'tailHash' | 'tailLen'> => {
  const bytes = tail.tailBefore(end);
  return { tailHash: sha256(bytes), tailLen: bytes.length };
};
