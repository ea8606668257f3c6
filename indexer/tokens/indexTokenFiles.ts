import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { FileCheckpoint, IndexReader, IndexWrite, TableName } from '../../domain/index/rows.js';
import { inTableOrder } from '../../domain/index/rows.js';
import { Batch } from '../../projections/batch.js';
import { beginFileBatch, emptyStats, foldLine } from '../../projections/runner.js';
import type { LineIn } from '../../projections/runner.js';
import type { RolloutContext } from '../../projections/projection.js';
import { TOKEN_PROJECTION_SUBSET } from '../../projections/all.js';
import { ScanStartError } from '../../adapters/driven/jsonl/lines/lineScanner.js';
import { TokenLineBuffer, TokenLines } from '../../adapters/driven/jsonl/readers/tokenLines.js';
import type { TokenTail } from '../../adapters/driven/jsonl/readers/tokenLines.js';
import { LinkRefused, toEngineError } from '../../adapters/driven/fs/fsError.js';
import { checkpointIn } from '../write/commit.js';
import { indexFiles, same } from '../write/indexFiles.js';
import { checkpointOf } from '../write/pendingTxn.js';
import type { PlannedFile } from '../write/indexFiles.js';
import type { CatchUpOptions, LeanStore } from '../catchUp/catchUpOptions.js';
import type { CatchUpSummary } from '../catchUp/catchUpSummary.js';

/**
 * The catch-up of the token projection alone (a `tokens` report on a fresh or stale home), as a
 * lean pass: each file's new lines are read in place (adapters/driven/jsonl/readers/tokenLines.ts: the lines the
 * token fold reads are decoded — most by their few fields, read from the bytes
 * (projections/tokenLineFields.ts) — the others passed over by their first bytes), folded
 * by the token projection into a batch of the file's own, and its rows and `tokenFiles`
 * checkpoint written into the open transaction as the file ends (`IndexStore.commitAsBuilt`):
 * no row waits in memory for the commit, so a fresh home's rows die young instead of filling the
 * old generation. Each file is checked, inside the transaction, to be where it was probed (or
 * where the last transaction left it), as every catch-up's commit checks. The rows are the
 * general runner's (indexFiles.ts) for the same lines; files that only record a checkpoint, and
 * early rollouts (upcast line by line), go through it. `between` and `signal` are heeded between
 * transactions. Memory: one file's batch and one read buffer; a file whose rows fill a
 * transaction is committed part way, with a checkpoint where its read stopped.
 */

/**
 * Rows a transaction holds before it is committed (its dirty pages are what it costs in memory):
 * on a real-shaped home, fewer rows made the catch-up slower and more made it no faster, at the
 * same peak RSS.
 */
const ROWS_PER_COMMIT = 16_384;

/**
 * The tables whose rows go into the transaction as they are built: a row per response, nearly all
 * the rows. The others' (a few a file: its checkpoint, fold state and sums) wait for the
 * transaction's end and go in table by table (`inTableOrder`). A warm report reads those tables
 * whole; scattered among the response rows' pages, the kernel's fault-around made their reads map
 * in half the index for a few MB of checkpoints.
 */
const WRITTEN_AS_BUILT: ReadonlySet<TableName> = new Set<TableName>(['tokenAudit', 'tokenRecordIds']);

/** The file being read: what its next rows continue from (a file of many responses spans transactions). */
interface Reading {
  readonly action: Indexable;
  readonly ctx: RolloutContext;
  readonly tail: TokenTail;
  /** Its checkpoint as stored before these rows (the commit's check), the rollouts to clear first, and whether it is read from its first line. */
  expected: FileCheckpoint | undefined;
  resets: ReadonlyArray<string>;
  fromStart: boolean;
}

type Indexable = PlannedFile & { readonly action: { readonly kind: 'index' } };

const readsLean = (a: PlannedFile): a is Indexable =>
  a.action.kind === 'index' && a.probe.identity.ok && a.probe.identity.upcast === null;

/** Where a file's tail starts: its checkpoint's position, or its first line. */
const startOf = (a: Indexable) =>
  a.action.from ? { ordinal: a.action.from.line, byteOffset: a.action.from.byteOffset } : { ordinal: 0, byteOffset: 0 };

/** The lean pass's place between transactions: the next file to open, the file being read, the files done. */
interface LeanPass {
  readonly lean: ReadonlyArray<Indexable>;
  readonly summary: CatchUpSummary;
  readonly open: (a: Indexable) => TokenTail;
  next: number;
  reading: Reading | undefined;
  filesDone: number;
}

/** The file being read is done with (read to its end, or moved on by another indexer). */
const finishReading = (pass: LeanPass, f: Reading): void => {
  closeReading(f);
  pass.reading = undefined;
  pass.filesDone += 1;
};

/**
 * One transaction: files read and folded one after another, each file's rows written as it ends
 * (or when they fill the transaction), until the transaction holds ROWS_PER_COMMIT rows. A Left is
 * returned, not thrown: the transaction commits what was written before it (commitAsBuilt).
 */
const fillTransaction = (
  pass: LeanPass,
  reader: IndexReader,
  write: (w: IndexWrite) => void,
): E.Either<EngineError, void> => {
  let rows = 0;
  while (rows < ROWS_PER_COMMIT) {
    if (pass.reading === undefined) {
      const a = pass.lean[pass.next];
      if (a === undefined) break;
      pass.next += 1;
      const started = startReading(reader, a, () => pass.open(a), pass.summary);
      if (started === undefined) {
        pass.filesDone += 1;
        continue;
      }
      if (E.isLeft(started)) return started;
      pass.reading = started.right;
    }
    const f = pass.reading;
    // Checked inside the transaction: another indexer may have moved the file on since it was probed.
    // (A file is folded once a transaction, so its checkpoint here is a committed one.)
    const path = f.action.probe.file.path;
    if (!same(checkpointIn(reader, TOKEN_PROJECTION_SUBSET, path), f.expected)) {
      pass.summary.conflicts += 1;
      finishReading(pass, f);
      continue;
    }
    const folded = foldOn(reader, f, ROWS_PER_COMMIT - rows, pass.summary);
    if (E.isLeft(folded)) {
      closeReading(f);
      pass.reading = undefined;
      return folded;
    }
    for (const w of folded.right.writes) write(w);
    write({ op: 'put', table: 'tokenFiles', key: [path], value: folded.right.checkpoint });
    rows += folded.right.writes.length + 1;
    f.expected = folded.right.checkpoint;
    f.resets = [];
    f.fromStart = false;
    if (!folded.right.done) break; // its state is read again in the next transaction, where it is written
    finishReading(pass, f);
  }
  return E.right(undefined);
};

/** One transaction of the lean pass, committed: the response rows written as built, the others at its end. */
const commitTransaction = (store: LeanStore, pass: LeanPass): E.Either<EngineError, E.Either<EngineError, void>> =>
  store.commitAsBuilt((reader, writeNow): E.Either<EngineError, void> => {
    const late: IndexWrite[] = [];
    const write = (w: IndexWrite): void => {
      if (WRITTEN_AS_BUILT.has(w.table)) writeNow(w);
      else late.push(w);
    };
    const filled = fillTransaction(pass, reader, write);
    for (const w of inTableOrder(late)) writeNow(w);
    return filled;
  });

export const indexTokenFiles = (
  store: LeanStore,
  actions: ReadonlyArray<PlannedFile>,
  options: Pick<CatchUpOptions, 'signal' | 'between' | 'afterCommit'>,
  summary: CatchUpSummary,
  progress: (filesDone: number) => void = () => undefined,
): Promise<E.Either<EngineError, void>> =>
  useCase(async () => {
    await take(
      indexFiles(
        store,
        actions.filter((a) => !readsLean(a)),
        { ...options, subset: 'tokens' },
        summary,
      ),
    );
    const lean = actions.filter(readsLean);
    const buffer = new TokenLineBuffer();
    const pass: LeanPass = {
      lean,
      summary,
      open: (a) => new TokenLines(a.probe.file.path, startOf(a), buffer, true, a.probe.file.root),
      next: 0,
      reading: undefined,
      filesDone: actions.length - lean.length,
    };
    try {
      while (pass.next < lean.length || pass.reading !== undefined) {
        if (options.between !== undefined) await options.between();
        if (options.signal?.aborted === true)
          return stop(rejected('the catch-up was stopped; the index keeps what was committed'));
        const before = { files: pass.filesDone, bytes: summary.bytes };
        await take(await take(commitTransaction(store, pass)));
        // Every commit: the pages of the map this transaction touched would stay resident (a higher peak).
        if (store.remap) await take(store.remap());
        if (summary.bytes > before.bytes) options.afterCommit?.(summary.bytes - before.bytes);
        if (pass.filesDone > before.files) progress(pass.filesDone);
      }
    } finally {
      if (pass.reading !== undefined) closeReading(pass.reading);
    }
  })();

/** Open a file to read (counted in the summary); undefined: another indexer has moved it on since it was probed. */
const startReading = (
  reader: IndexReader,
  a: Indexable,
  open: () => TokenTail,
  summary: CatchUpSummary,
): E.Either<EngineError, Reading> | undefined => {
  const p = a.probe;
  if (!p.identity.ok) return undefined;
  if (!same(checkpointIn(reader, TOKEN_PROJECTION_SUBSET, p.file.path), p.cp)) {
    summary.conflicts += 1;
    return undefined;
  }
  summary[a.action.counted] += 1;
  const from = a.action.from;
  try {
    const tail = open();
    const ctx = leanContextOf(p.identity, p.file.path);
    return E.right({
      action: a,
      ctx,
      tail,
      expected: p.cp,
      resets: a.action.resetRollouts,
      fromStart: from === undefined,
    });
  } catch (err) {
    // Refused when opened (a link or a special file swapped in since it was probed): skipped and
    // reported as the listing's refusals are, never read, never fatal.
    if (err instanceof LinkRefused) {
      summary[a.action.counted] -= 1;
      summary.unreadable.push({ path: p.file.path, reason: `${err.what}: not followed` });
      return undefined;
    }
    return E.left(err instanceof ScanStartError ? err.error : toEngineError(p.file.path, 'read')(err));
  }
};

const closeReading = (f: Reading): void => {
  try {
    f.tail.close();
  } catch {
    // read-only descriptor: nothing is lost
  }
};

/** The context the lean pass folds a file in: its identity from its session_meta, never an early (upcast) rollout. */
export const leanContextOf = (
  identity: { readonly rolloutId: string; readonly threadId: string },
  path: string,
): RolloutContext => ({
  rolloutId: identity.rolloutId,
  threadId: identity.threadId,
  path,
  itemsFromResponses: false,
});

/**
 * A file's batch of the token projection, begun as the lean pass begins one (the rollouts it
 * clears; from its first line, nothing of it stored), and the fold of one of its lines into it.
 * The tokens bench's `folded` floor runs the same (bench/tokenLinesFloor.ts).
 */
export const beginTokenBatch = (
  reader: IndexReader,
  ctx: RolloutContext,
  resets: ReadonlyArray<string>,
  fromStart: boolean,
): { readonly batch: Batch; readonly fold: (l: LineIn) => void } => {
  const batch = new Batch(reader);
  beginFileBatch(batch, { ctx, resetRollouts: resets, fromStart, tokensStored: false }, TOKEN_PROJECTION_SUBSET.tables);
  const stats = emptyStats();
  return { batch, fold: (l) => foldLine(batch, ctx, l, stats, TOKEN_PROJECTION_SUBSET.projections) };
};

/**
 * Fold the file's next lines into a batch of its own (reading the committed state and this
 * transaction's writes), until the end or `room` rows: its writes and the checkpoint after them.
 */
const foldOn = (
  reader: IndexReader,
  f: Reading,
  room: number,
  summary: CatchUpSummary,
): E.Either<EngineError, { writes: IndexWrite[]; checkpoint: FileCheckpoint; done: boolean }> => {
  const p = f.action.probe;
  try {
    const { batch, fold } = beginTokenBatch(reader, f.ctx, f.resets, f.fromStart);
    let pos = f.tail.end;
    let done = false;
    // A file of many responses is committed part way: a checkpoint covering exactly the lines read.
    for (;;) {
      if (!f.tail.next(fold)) {
        done = true;
        break;
      }
      const end = f.tail.end;
      summary.lines += end.ordinal - pos.ordinal;
      summary.bytes += end.byteOffset - pos.byteOffset;
      pos = end;
      if (batch.size >= room) break;
    }
    const { tailHash, tailLen } = f.tail.tailAt(pos);
    const checkpoint = checkpointOf(p, {
      byteOffset: pos.byteOffset,
      line: pos.ordinal,
      size: done ? Math.max(p.size, pos.byteOffset) : pos.byteOffset,
      tailHash,
      tailLen,
    });
    return E.right({ writes: batch.writes(), checkpoint, done });
  } catch (err) {
    return E.left(err instanceof ScanStartError ? err.error : toEngineError(p.file.path, 'read')(err));
  }
};
