import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import type { FileCheckpoint } from '../../domain/index/rows.js';
import type { QuarantineRecord } from '../../domain/rollout/rawLine.js';
import { Batch } from '../../projections/batch.js';
import { beginFileBatch, emptyStats, foldLine } from '../../projections/runner.js';
import type { BatchStats, LineIn } from '../../projections/runner.js';
import type { RolloutContext } from '../../projections/projection.js';
import type { ProjectionSubset } from '../../projections/all.js';
import { toEngineError } from '../../adapters/driven/fs/fsError.js';
import { sha256, tailHashOf } from '../../adapters/driven/jsonl/readers/probe.js';
import type { Probe } from '../../adapters/driven/jsonl/readers/probe.js';
import { holdPoint } from '../../adapters/driven/system/holdPoint.js';
import { commitFileBatches, tokensKeptAfter } from './commit.js';
import type { FileBatch } from './commit.js';
import type { CatchUpOptions } from '../catchUp/catchUpOptions.js';
import type { CatchUpSummary } from '../catchUp/catchUpSummary.js';

/*
 * The transaction a catch-up fills (indexFiles.ts reads into it): the files being folded, each a
 * `Cursor` from its last committed checkpoint, committed together with their checkpoints whenever
 * the transaction is full (commit.ts). Memory is bounded by the transaction size.
 */

const DEFAULT_BATCH_LINES = 50_000;
const DEFAULT_BATCH_BYTES = 8 << 20;
/**
 * Rows a transaction holds at most (distinct keys written): what it costs in memory and in
 * commit work is its rows, not the rollout bytes they came from. Real rollouts give about one row
 * per line, so this ends their transactions well before the byte limit, which lowered a
 * real-shaped home's peak RSS; lines with large payloads (tool output) reach the byte limit
 * first, as before.
 */
const DEFAULT_BATCH_ROWS = 4096;
/**
 * The token projection alone writes a few rows per response (less than one a line of a real
 * rollout) and skips most lines unread: its transactions end on rows (DEFAULT_BATCH_ROWS), not on
 * the bytes read. Larger transactions were no faster on a real-shaped home and peaked higher.
 */
const TOKEN_BATCH = { lines: 1_000_000, bytes: 1 << 30, rows: DEFAULT_BATCH_ROWS } as const;
/**
 * Commits between two remaps of the store's memory map (when it has one): each commit's writer
 * touches pages of the map, which would otherwise stay resident up to the whole index. With
 * commits of DEFAULT_BATCH_ROWS rows, every 8 keeps a real-shaped home's peak RSS lower than
 * every 16 did.
 */
const REMAP_EVERY_COMMITS = 8;
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

export /** A file being folded: lines read since its last committed checkpoint. */
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
export class PendingTxn {
  private cursors: Cursor[] = [];
  private lines = 0;
  private bytes = 0;
  /** Rows the open cursors' folded lines write (see DEFAULT_BATCH_ROWS). */
  rows = 0;
  private commits = 0;

  constructor(
    private readonly store: IndexStore,
    private readonly options: Pick<
      CatchUpOptions,
      'batchLines' | 'batchBytes' | 'quarantine' | 'between' | 'afterCommit'
    >,
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
      beginFileBatch(
        batch,
        { ctx: c.ctx, resetRollouts: c.resets, fromStart: c.fromStart, tokensStored: c.tokensStored },
        this.subset.tables,
      );
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
  flush(): Promise<E.Either<EngineError, void>> {
    return useCase(async () => {
      const cursors = this.cursors.filter((c) => !c.conflicted);
      for (const c of cursors) this.foldAhead(c);
      const bytes = this.bytes;
      this.cursors = [];
      this.lines = 0;
      this.bytes = 0;
      this.rows = 0;
      if (cursors.length === 0) return;
      let checkpoints: FileCheckpoint[];
      try {
        checkpoints = await Promise.all(cursors.map((c) => checkpointAt(c)));
      } catch (err) {
        return stop(toEngineError(cursors[0]!.probe.file.path, 'read')(err));
      }
      const batches: FileBatch[] = cursors.map((c, i) => ({
        plan: {
          ctx: c.ctx,
          resetRollouts: c.resets,
          fromStart: c.fromStart,
          tokensStored: c.tokensStored,
          lines: c.lines,
          checkpoint: checkpoints[i]!,
        },
        ...(c.ahead ? { built: { writes: c.ahead.batch.writes(), rejected: c.ahead.stats.rejected } } : {}),
        expected: c.expected,
        expectedTokens: c.tokens,
        quarantined: c.quarantined,
      }));
      // The token projection caught up alone records nothing in the quarantine: the full catch-up that reads every line does.
      const r = await take(
        commitFileBatches(
          this.store,
          batches,
          this.subset.name === 'tokens' ? undefined : this.options.quarantine,
          this.subset,
        ),
      );
      if (this.store.remap && ++this.commits % REMAP_EVERY_COMMITS === 0) await take(this.store.remap());
      this.summary.quarantined += r.quarantined;
      if (bytes > 0) this.options.afterCommit?.(bytes);
      await holdPoint('index.batch.committed');
      const conflicted = new Set(r.conflicted);
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
    })();
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
  const tail =
    c.tail !== undefined
      ? { tailHash: sha256(c.tail), tailLen: c.tail.length }
      : tailHashOf(c.probe.file.path, c.pos.byteOffset, c.probe.file.root);
  return checkpointOf(c.probe, { byteOffset: c.pos.byteOffset, line: c.pos.line, size, ...tail });
};
