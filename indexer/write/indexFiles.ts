import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import type { FileCheckpoint } from '../../domain/index/rows.js';
import { ScanStartError } from '../../adapters/driven/jsonl/lines/lineScanner.js';
import { LinkRefused, errnoCode, toEngineError } from '../../adapters/driven/fs/fsError.js';
import type { Probe } from '../../adapters/driven/jsonl/readers/probe.js';
import type { CatchUpPlan, FileAction } from '../catchUp/plan.js';
import type { TailedChunk, TailEnd } from '../../adapters/driven/jsonl/readers/tailLines.js';
import { inProcessTailReader } from '../../adapters/driven/jsonl/readers/tailReader.js';
import type { TailReader, TailStream } from '../../adapters/driven/jsonl/readers/tailReader.js';
import { checkpointIn } from './commit.js';
import type { CatchUpOptions } from '../catchUp/catchUpOptions.js';
import { subsetOf } from '../catchUp/catchUpOptions.js';
import type { ProjectionSubset } from '../../projections/all.js';
import type { CatchUpSummary } from '../catchUp/catchUpSummary.js';
import { checkpointOf, PendingTxn } from './pendingTxn.js';
import type { Cursor } from './pendingTxn.js';
import type { RolloutContext } from '../../projections/projection.js';

/**
 * Index the files of a plan (all of it, or one worker's share): each file's new lines are read
 * (adapters/driven/jsonl/readers/tailLines.ts, the next file's first read already in flight) into the open transaction, which is
 * committed with the files' checkpoints whenever it is full (pendingTxn.ts, commit.ts). Memory is bounded by
 * the transaction size.
 */

export const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A file's `tokenFiles` checkpoint (the token projection caught up alone past `files`), if any. */
const tokenCheckpointOf = async (store: IndexStore, path: string): Promise<FileCheckpoint | undefined> => {
  if (store.reader !== undefined) return store.reader.get('tokenFiles', [path]);
  const r = await store.get('tokenFiles', [path])();
  return E.isRight(r) ? r.right : undefined;
};

/** Why a file was refused when opened to read (`openToRead`: a link on the way, a special file), if that is how it failed; a reader thread's refusal comes back as an error with its code. */
const refusalOf = (err: unknown): string | undefined =>
  err instanceof LinkRefused
    ? `${err.what}: not followed`
    : errnoCode(err) === 'ELOOP'
      ? `refused: ${err instanceof Error ? err.message : String(err)}`
      : undefined;

type Started = { readonly tail: TailStream; readonly first: Promise<IteratorResult<TailedChunk, unknown>> };

/** Open a file's tail and start its first read (the next file is read while this one is folded). */
const startTail = (
  p: Probe,
  from: FileCheckpoint | undefined,
  reader: TailReader,
  subset: ProjectionSubset,
): Started => {
  const tail = reader.open({
    path: p.file.path,
    ...(p.file.root === undefined ? {} : { root: p.file.root }),
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

type ToRead = { probe: Probe; action: Extract<FileAction, { kind: 'index' }> };

/** What every file of one indexFiles call writes into: the store, its open transaction, the summary. */
interface IndexRun {
  readonly store: IndexStore;
  readonly txn: PendingTxn;
  readonly summary: CatchUpSummary;
  readonly subset: ProjectionSubset;
}

/** A file that holds no rows (unreadable, a duplicate) only records why. */
const recordOnly = async (run: IndexRun, p: Probe, why: { error: string } | { duplicateOf: string }): Promise<void> => {
  if ('error' in why) run.summary.unreadable.push({ path: p.file.path, reason: why.error });
  const fixed = checkpointOf(p, why);
  const tokens = run.subset.name === 'all' ? await tokenCheckpointOf(run.store, p.file.path) : undefined;
  if (!same(p.cp, fixed) || tokens !== undefined) {
    run.txn.add({
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
};

/** The files to read, their tails opened and first reads started ahead of the one being folded. */
const readAheadOf = (toRead: ReadonlyArray<ToRead>, reader: TailReader, subset: ProjectionSubset) => {
  const ahead: Started[] = [];
  let nextStart = 0;
  return {
    /** The next file's tail; the window is topped up first when it has room for the reader's opens at once. */
    next: (): Started => {
      if (ahead.length <= reader.readAhead - reader.opensAtOnce || ahead.length === 0)
        while (nextStart < toRead.length && ahead.length < reader.readAhead) {
          const f = toRead[nextStart++]!;
          ahead.push(startTail(f.probe, f.action.from, reader, subset));
        }
      return ahead.shift()!;
    },
    close: async (): Promise<void> => {
      for (const st of ahead) await st.tail.close().catch(() => undefined);
    },
  };
};

/** One planned file: counted, recorded, skipped or folded into the transaction; whether it was folded. */
const indexPlannedFile = async (
  run: IndexRun,
  ahead: ReturnType<typeof readAheadOf>,
  p: Probe,
  action: FileAction,
): Promise<boolean> => {
  if (action.kind === 'unchanged') {
    run.summary.unchanged += 1;
    return false;
  }
  if (action.kind === 'unreadable' || action.kind === 'duplicate') {
    await recordOnly(run, p, action.kind === 'unreadable' ? { error: action.reason } : { duplicateOf: action.winner });
    return false;
  }
  const current = ahead.next();
  // Another indexer (a request's own catch-up ahead of this backfill) has moved the file on since
  // it was probed: its commit would conflict, so it is not read at all.
  if (run.store.reader !== undefined && !same(checkpointIn(run.store.reader, run.subset, p.file.path), p.cp)) {
    await current.tail.close().catch(() => undefined);
    run.summary.conflicts += 1;
    return false;
  }
  // Refused when opened (a link or a special file swapped in since it was listed and probed):
  // skipped and reported as the listing's refusals are, never read, never fatal.
  const refusal = await current.first.then(
    () => undefined,
    (err: unknown) => refusalOf(err),
  );
  if (refusal !== undefined) {
    await current.tail.close().catch(() => undefined);
    await recordOnly(run, p, { error: refusal });
    return false;
  }
  run.summary[action.counted] += 1;
  await take(
    foldFile(
      current,
      p,
      action,
      run.txn,
      run.summary,
      run.subset.name === 'all' ? await tokenCheckpointOf(run.store, p.file.path) : undefined,
    ),
  );
  return true;
};

/**
 * Index, catch up, or just record each file, many files per transaction. `progress` is told
 * each time a file is done (the bytes read are in `summary`).
 */
export const indexFiles = (
  store: IndexStore,
  actions: ReadonlyArray<PlannedFile>,
  options: Pick<
    CatchUpOptions,
    'batchLines' | 'batchBytes' | 'quarantine' | 'signal' | 'between' | 'afterCommit' | 'subset'
  >,
  summary: CatchUpSummary,
  progress: (filesDone: number) => void = () => undefined,
  reader: TailReader = inProcessTailReader(),
): Promise<E.Either<EngineError, void>> =>
  useCase(async () => {
    const subset = subsetOf(options);
    const run: IndexRun = { store, txn: new PendingTxn(store, options, summary, subset), summary, subset };
    let filesDone = 0;
    // The next files' first reads are in flight while this one is folded.
    const ahead = readAheadOf(
      actions.filter((a): a is ToRead => a.action.kind === 'index'),
      reader,
      subset,
    );
    try {
      for (const { probe: p, action } of actions) {
        if (options.between !== undefined && action.kind === 'index') await options.between();
        if (options.signal?.aborted === true) {
          await take(run.txn.flush());
          return stop(rejected('the catch-up was stopped; the index keeps what was committed'));
        }
        const folded = await indexPlannedFile(run, ahead, p, action);
        filesDone += 1;
        if (folded) progress(filesDone);
      }
      const r = await run.txn.flush();
      progress(filesDone);
      await take(r);
    } finally {
      await ahead.close();
    }
  })();

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
    // Its own use case, per file: what it throws (not a stop) is the file's read error, below.
    return await useCase(async () => {
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
          await take(txn.flush());
          if (c.conflicted) return; // another indexer has this file
        }
        r = await started.tail.next();
      }
      // Bytes after the last line that are not UTF-8: no line yet, but Codex's loads fail on them (a mark).
      const tornAt = (r.value as TailEnd | undefined)?.notUtf8TailAt;
      if (tornAt !== undefined) {
        c.lines.push({ line: c.pos.line, byteOffset: tornAt, byteLength: 0, text: null, notUtf8Tail: true });
        txn.foldAhead(c);
      }
      c.done = true;
    })();
  } catch (err) {
    return E.left(err instanceof ScanStartError ? err.error : toEngineError(p.file.path, 'read')(err));
  } finally {
    await started.tail.close().catch(() => undefined);
  }
};
