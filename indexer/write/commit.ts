import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import type { FileCheckpoint, IndexReader, IndexWrite } from '../../domain/index/rows.js';
import type { QuarantineRecord } from '../../domain/rollout/rawLine.js';
import { Batch } from '../../projections/batch.js';
import { projectInto } from '../../projections/runner.js';
import { ALL_PROJECTIONS_SUBSET } from '../../projections/all.js';
import type { ProjectionSubset } from '../../projections/all.js';
import type { BatchPlan, RejectedLine } from '../../projections/runner.js';
import type { QuarantineSink } from '../../adapters/driven/jsonl/writers/quarantine.js';
import { toEngineError } from '../../adapters/driven/fs/fsError.js';
import { openToRead } from '../../adapters/driven/fs/heldRead.js';
import { writeCheckpoint } from '../../projections/fileCheckpoints.js';

/**
 * Commit: several files' batches in one LMDB write transaction (a commit is an fsync, so many
 * small files share one), each applied only on top of the checkpoint it was read from
 * (optimistic concurrency: a file another indexer moved first is left to it). Quarantine
 * records are written after the commit that holds their lines, so nothing is recorded twice
 * by two indexers racing on a file.
 */

/**
 * One file's share of a transaction: lines to fold inside the transaction (`plan`), or writes
 * already built against the committed state (`built`, with the lines it rejected), which the
 * transaction only applies if the file's checkpoint is still the one they were built on.
 */
export interface FileBatch {
  readonly plan: BatchPlan;
  readonly built?: { readonly writes: ReadonlyArray<IndexWrite>; readonly rejected: ReadonlyArray<RejectedLine> };
  /** The stored checkpoint this file batch continues (undefined: none): for the token projection alone, its own if any, else the file's. */
  readonly expected: FileCheckpoint | undefined;
  /** A full catch-up: the file's `tokenFiles` checkpoint the batch was built with (undefined: none). */
  readonly expectedTokens?: FileCheckpoint | undefined;
  /** Lines the reader could not take as text (invalid UTF-8, empty), with their bytes. */
  readonly quarantined: ReadonlyArray<QuarantineRecord>;
}

export interface CommitOutcome {
  /** File batches whose writes were committed. */
  readonly applied: ReadonlyArray<FileBatch>;
  /** File batches skipped because their file's checkpoint had moved. */
  readonly conflicted: ReadonlyArray<FileBatch>;
  /** Records written to the quarantine sink (reader-level and undecodable text lines). */
  readonly quarantined: number;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The checkpoint a catch-up of `subset` continues from: the token projection's own while it is ahead of the file's. */
export const checkpointIn = (reader: IndexReader, subset: ProjectionSubset, path: string): FileCheckpoint | undefined =>
  (subset.name === 'tokens' ? reader.get('tokenFiles', [path]) : undefined) ?? reader.get('files', [path]);

/**
 * The `tokenFiles` checkpoint a full catch-up's batch leaves: none once the batch has passed it
 * (the file's own checkpoint covers the token rows then), or re-indexed the file, or found it
 * holds no rows; else the one it was built with.
 */
export const tokensKeptAfter = (seg: Pick<FileBatch, 'plan' | 'expectedTokens'>): FileCheckpoint | undefined => {
  const t = seg.expectedTokens;
  if (
    t === undefined ||
    seg.plan.ctx === null ||
    seg.plan.resetRollouts.length > 0 ||
    seg.plan.checkpoint.byteOffset >= t.byteOffset
  )
    return undefined;
  return t;
};

/** The stored text of a line whose decoded text was elided (rare: only rejected lines need it). */
// Not `jsonl/readRange`: a rejected line may be invalid UTF-8 or cut short, and its record keeps what is there (U+FFFD, the bytes read) where readRange answers Corrupt.
const storedText = async (path: string, byteOffset: number, byteLength: number): Promise<string> => {
  const fh = await openToRead(path);
  try {
    const buf = Buffer.alloc(byteLength);
    const { bytesRead } = await fh.read(buf, 0, byteLength, byteOffset);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
};

/** Commit file batches in one transaction; then write their quarantine records to `sink`. */
export const commitFileBatches = async (
  store: IndexStore,
  batches: ReadonlyArray<FileBatch>,
  sink: QuarantineSink | undefined,
  subset: ProjectionSubset = ALL_PROJECTIONS_SUBSET,
): Promise<E.Either<EngineError, CommitOutcome>> =>
  useCase(async (): Promise<CommitOutcome> => {
    let applied: FileBatch[] = [];
    let conflicted: FileBatch[] = [];
    let records: Array<Omit<QuarantineRecord, 'text'> & { text: string | null }> = [];
    await take(
      store.commit((reader) => {
        // The build may run again if the store retries; start from scratch each time.
        applied = [];
        conflicted = [];
        records = [];
        const b = new Batch(reader);
        const built: IndexWrite[] = [];
        for (const seg of batches) {
          const path = seg.plan.checkpoint.path;
          // Another indexer moved the file on (or, for a full catch-up, the token projection caught up alone past it).
          if (
            !same(checkpointIn(b, subset, path), seg.expected) ||
            (subset.name === 'all' && !same(b.get('tokenFiles', [path]), seg.expectedTokens))
          ) {
            conflicted.push(seg);
            continue;
          }
          let rejected: ReadonlyArray<RejectedLine>;
          if (seg.built) {
            built.push(...seg.built.writes);
            writeCheckpoint(b, subset.checkpoints, path, seg.plan.checkpoint);
            rejected = seg.built.rejected;
          } else rejected = projectInto(b, seg.plan, subset).rejected;
          if (seg.expectedTokens !== undefined && tokensKeptAfter(seg) === undefined) b.del('tokenFiles', [path]);
          applied.push(seg);
          records.push(...seg.quarantined);
          for (const x of rejected) {
            records.push({
              path: seg.plan.checkpoint.path,
              ordinal: x.line,
              byteOffset: x.byteOffset,
              byteLength: x.byteLength,
              reason: x.reason,
              text: x.text,
            });
          }
        }
        return built.length === 0 ? b.writes() : [...built, ...b.writes()];
      }),
    );
    if (sink && records.length > 0) {
      const complete: QuarantineRecord[] = [];
      for (const rec of records.sort((a, b) =>
        a.path === b.path ? a.byteOffset - b.byteOffset : a.path < b.path ? -1 : 1,
      )) {
        let text = rec.text;
        if (text === null) {
          try {
            text = await storedText(rec.path, rec.byteOffset, rec.byteLength);
          } catch (err) {
            return stop(toEngineError(rec.path, 'read')(err));
          }
        }
        complete.push({ ...rec, text });
      }
      if (sink.recordAll) await take(sink.recordAll(complete));
      else for (const rec of complete) await take(sink.record(rec));
    }
    return { applied, conflicted, quarantined: records.length };
  })();
