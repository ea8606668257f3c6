import * as E from 'fp-ts/lib/Either.js';
import { notFound, notSupportedYet } from '../../domain/errors.js';
import type { FileCheckpoint, RolloutRow } from '../../domain/index/rows.js';
import { codexMetaRefusal } from '../../domain/rollout/event.js';
import { decodeRolloutLine } from '../../domain/rollout/line.js';
import type { ThreadLineage } from '../../domain/history/lineage.js';
import { currentSegmentOf } from '../../domain/history/lineage.js';
import type { HistoryReadPorts, QuarantinedLines } from '../ports.js';
import { loadLineage } from './lineage.js';
import { stop, take } from '../../domain/effect.js';

export interface OpenThreadOptions {
  /** The method Codex names when it refuses a thread's first meta (its words differ by method). */
  readonly refusedMetaAs?: string;
  /** A paginated read: the method Codex names when it cannot page a thread (a meta time it cannot read). */
  readonly paginatedReadAs?: string;
  /** The read loads the thread's history in Codex (turns): refused where Codex cannot load it (`refuseUnloadableHistory`). */
  readonly loadsHistory?: true;
}

/**
 * Read-repair the thread, then load its lineage. An unknown thread is NotFound, as for every other
 * use case; the words Codex uses for it differ by method and are the RPC layer's (`toRpcError`).
 * When its files hold quarantined lines, `onQuarantined` is told.
 */
export const openThread = async (
  ports: HistoryReadPorts,
  threadId: string,
  { refusedMetaAs, paginatedReadAs, loadsHistory }: OpenThreadOptions = {},
): Promise<ThreadLineage> => {
  const fresh = await ports.indexer.refreshThread(threadId)();
  if (E.isLeft(fresh) && fresh.left._tag !== 'NotFound') return stop(fresh.left);
  // The lineage the freshness check read, when nothing was written since; else loaded.
  const lineage = (E.isRight(fresh) ? fresh.right : undefined) ?? (await loadLineage(ports.index, threadId));
  if (lineage === undefined) {
    // A file whose meta Codex refuses with no state-DB row either (a refused history mode): Codex's words for it (by its rollout row, no walk of the files).
    await refuseAsCodex(ports, threadId, undefined, refusedMetaAs);
    return stop(notFound('thread', threadId));
  }
  const own = lineage.segments[lineage.segments.length - 1]!.rollout;
  // A thread whose first meta Codex refuses holds only the row its state DB keeps: Codex refuses its reads by its head.
  // The fold marks such a file's row as it indexes the meta (projections/threads.ts `putFirstMeta`, every
  // index since schema 38), so a read does not decode the meta again to know it.
  if (lineage.thread.metaRefused === true || own.refusedMeta !== undefined) {
    await refuseAsCodex(ports, threadId, own.path, refusedMetaAs);
    if (lineage.thread.metaRefused === true) return stop(notFound('thread', threadId));
  }
  // A paginated read of a thread whose first meta's time Codex's state DB cannot read: its row is
  // built from the file name, with no history mode (codex-rs `rollout/src/metadata.rs`
  // `builder_from_items`), so its paginated store has no such thread ("unindexed threads remain
  // unsupported", thread-store/src/local tests): Codex's words (measured on 0.169.0 by the fuzzer).
  // The thread row says so (projections/threadRows.ts: `stateDbHistoryMode`, from the same meta), not a parse per read.
  // So does a thread Codex cannot load, which has no state-DB row at all (`ThreadRow.historyUnloadable`).
  if (
    paginatedReadAs !== undefined &&
    lineage.thread.historyMode === 'paginated' &&
    (lineage.thread.stateDbHistoryMode === 'legacy' || lineage.thread.historyUnloadable !== undefined)
  )
    return stop(notSupportedYet(paginatedReadAs));
  if (loadsHistory === true) refuseUnloadableHistory(own);
  const quarantined = quarantinedLinesOf(lineage);
  if (quarantined !== undefined) ports.onQuarantined?.(quarantined);
  return lineage;
};

/**
 * Stops with Codex's error where it cannot load the file's history: a line that is not UTF-8 fails
 * tokio's `lines()` and the whole load (codex-rs rollout/src/recorder.rs `load_rollout_items`),
 * worded by thread-store/src/local/read_thread.rs `load_history_items` and
 * thread-store/src/error.rs, -32603 from the app-server (measured on 0.169.0 and 0.171.0:
 * `thread/read` with turns, every `thread/turns/list` whatever its cursor, `thread/fork`;
 * historyNotUtf8.compat). A file whose first meta Codex refuses is refused by its head before.
 */
export const refuseUnloadableHistory = (rollout: RolloutRow): void => {
  const at = rollout.notUtf8;
  if (at === undefined || rollout.refusedMeta !== undefined) return;
  stop({
    _tag: 'Corrupt',
    path: rollout.path,
    byteOffset: at.byteOffset,
    reason: 'a line that is not UTF-8',
    words: `failed to read thread: thread-store internal error: failed to load thread history ${rollout.path}: stream did not contain valid UTF-8`,
  });
};

/**
 * A mutation built on a legacy thread's history (`thread/fork`, `thread/rollback`, `review/start`):
 * Codex loads the history it copies or continues, so a file it cannot load is refused as its reads
 * refuse it, before anything is written. A paginated one refers to its source's lines, and Codex
 * makes a paginated fork of it (measured on 0.169.0: historyNotUtf8.compat).
 */
export const refuseUnloadableLegacyHistory = (lineage: ThreadLineage): void => {
  if (lineage.mode !== 'paginated') refuseUnloadableHistory(currentSegmentOf(lineage).rollout);
};

/**
 * The quarantined lines of a lineage's files, and their lines with repeated ordinals, as each
 * file's rollout row counts them (a base file's count is all of it, its lines above the cut
 * included); undefined when there are none.
 */
export const quarantinedLinesOf = (lineage: ThreadLineage): QuarantinedLines | undefined => {
  const files = lineage.segments
    .filter((s) => s.rollout.invalidLines > 0 || s.rollout.repeatedOrdinals > 0)
    .map((s) => ({
      path: s.rollout.path,
      lines: s.rollout.invalidLines,
      repeatedOrdinals: s.rollout.repeatedOrdinals,
    }));
  if (files.length === 0) return undefined;
  return {
    threadId: lineage.thread.id,
    lines: files.reduce((n, f) => n + f.lines, 0),
    repeatedOrdinals: files.reduce((n, f) => n + f.repeatedOrdinals, 0),
    files,
  };
};

/**
 * The file named for a thread, by its rollout row: one lookup, never a walk of every file row (40
 * unknown ids at once over 20,000 files kept serve over 200 MB when each walked them:
 * unknownThreadRescans.int). A file whose meta our codec refuses too has its rollout row under
 * its name's id (adapters/driven/jsonl/readers/probe.ts `identityOf`, marked `refusedMeta`).
 */
const fileNamedFor = async (ports: HistoryReadPorts, threadId: string): Promise<FileCheckpoint | undefined> => {
  const own = (await take(ports.index.get('rollouts', [threadId])))?.path;
  return own === undefined ? undefined : take(ports.index.get('files', [own]));
};

/** How much of a file's head is read for the meta Codex reads: its first record it decodes is well within it. */
const HEAD_BYTES = 1 << 20;

/**
 * Stops with Codex's error when Codex refuses every read of the thread for its file's head (a meta
 * its serde refuses, `codexMetaRefusal`), as its thread store words it (codex-rs
 * `thread-store` / rollout/src/list.rs `read_session_meta_line`: -32603). The file is the
 * thread's own (`path`), or, for a thread with no row (a refused `history_mode`: no state-DB row),
 * the file named for it (Codex finds a file by the id in its name). An early (upcast) file is ours alone.
 * `as`: a method that refuses it as Codex's item reads do (`<method> is not supported yet`).
 */
const refuseAsCodex = async (
  ports: HistoryReadPorts,
  threadId: string,
  path: string | undefined,
  as: string | undefined,
): Promise<void> => {
  const found: FileCheckpoint | undefined =
    path === undefined ? await fileNamedFor(ports, threadId) : await take(ports.index.get('files', [path]));
  if (found === undefined || found.upcastFrom !== null || found.size === 0) return;
  const [head] = await take(ports.readRanges(found.path, [[0, Math.min(found.size, HEAD_BYTES)]]));
  const why = codexMetaRefusal((head ?? '').split('\n'), decodeRolloutLine);
  if (why === undefined) return;
  // Codex's item reads take such a thread as no paginated history (measured on 0.169.0 by the fuzzer: -32601).
  if (as !== undefined) stop(notSupportedYet(as));
  const words = `failed to read thread: thread-store internal error: failed to read session metadata ${found.path}: ${why.replaceAll('<path>', found.path)}`;
  stop({ _tag: 'Corrupt', path: found.path, byteOffset: 0, reason: why, words });
};
