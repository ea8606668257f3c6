import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { readCodexRows, readCodexRowTimes, stateDbOf } from '../../adapters/driven/fs/codexStateDb.js';
import { backfilledRowTimes } from '../../domain/thread/backfillTimes.js';
import type { BackfilledFile } from '../../domain/thread/backfillTimes.js';
import type { CodexRowTimesOf } from '../../domain/thread/codexRowTimes.js';
import { fileTakenTimes } from '../../domain/thread/codexRowTimes.js';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { RolloutStore } from './rolloutStore.js';
import type { QuarantineRecord } from '../../domain/rollout/rawLine.js';
import type { Thread } from '../../domain/thread/thread.js';
import { classifyRolloutLine, codexNumbersLegacyEvent, codexView } from '../../domain/rollout/event.js';
import { emptyTurnFold, foldTurnEvent, toApiTurn, visibleTurnEntries } from './referenceTurnFold.js';
import { codexProjectsLine, codexSkipsForTime, nextOrdinalAfter } from '../../domain/thread/paginatedOrdinals.js';
import type { TurnFoldState } from './referenceTurnFold.js';
import type { HistoryMode } from '../../domain/rollout/historyMode.js';
import { emptyThreadMeta, foldThreadMeta } from '../../domain/thread/threadMeta.js';
import type { ThreadMetaState } from '../../domain/thread/threadMeta.js';
import { buildThread } from '../../domain/thread/buildThread.js';
import { resolveThread } from './resolveHistory.js';
import type { ResolvedThread } from './resolveHistory.js';

export interface FoldedThread {
  readonly resolved: ResolvedThread;
  readonly turns: TurnFoldState;
  readonly meta: ThreadMetaState;
  readonly lastLineTimestamp: string | null;
  readonly lastTurnStartTimestamp: string | null;
  /** Lines that could not be read; the thread is still answered from the rest. */
  readonly quarantined: ReadonlyArray<QuarantineRecord>;
}

/**
 * The whole-file fold: a thread's whole logical history read from its files and folded in one
 * pass, with nothing from the index. Tests and benchmarks use it as the oracle (and the naive
 * baseline) that the index-served history API must equal; no production path reads this way.
 */
export const foldThread =
  (store: RolloutStore, threadId: string): TE.TaskEither<EngineError, FoldedThread> =>
  async () => {
    const files = await store.listRolloutFiles()();
    if (E.isLeft(files)) return files;
    const resolved = await resolveThread(store, files.right, threadId)();
    if (E.isLeft(resolved)) return resolved;
    return foldResolvedThread(store, resolved.right)();
  };

/** Fold a thread whose history is already resolved (callers that list the files once). */
export const foldResolvedThread =
  (store: RolloutStore, resolved: ResolvedThread): TE.TaskEither<EngineError, FoldedThread> =>
  async () => {
    const mode: HistoryMode = resolved.meta.history_mode === 'paginated' ? 'paginated' : 'legacy';
    const itemsFromResponses = resolved.meta.upcast_from != null;
    const turns = emptyTurnFold(mode, { itemsFromResponses });
    let meta = emptyThreadMeta();
    const quarantined: QuarantineRecord[] = [];
    const currentRollout = resolved.segments[resolved.segments.length - 1]!.rolloutId;
    let lastLineTimestamp: string | null = null;
    let lastTurnStartTimestamp: string | null = null;
    // Paginated: the ordinal Codex's projection expects next in each file (paginatedOrdinals.ts).
    const expected = new Map<string, number>();
    for await (const entry of store.readHistory(resolved.segments)) {
      if (entry.kind === 'failed') return E.left(entry.error);
      if (entry.kind === 'quarantined') {
        // Codex cannot decode it either; `seq` passes over it, so it has no place in the numbers.
        quarantined.push(entry.record);
        continue;
      }
      // As the index's history folds read it: as Codex reads it back (an upcast file: as we read it).
      const ours = classifyRolloutLine(entry.line);
      const ev = itemsFromResponses ? ours : codexView(entry.line, ours, entry.position.line);
      const { rolloutId, line, ordinal = null } = entry.position;
      if (line === 0 && ours.kind === 'sessionMeta')
        expected.set(rolloutId, ours.payload.history_base?.end_ordinal_exclusive ?? 0);
      const next = expected.get(rolloutId) ?? 0;
      expected.set(rolloutId, nextOrdinalAfter(next, ordinal, ev.kind !== 'invalid'));
      if (mode === 'legacy' || (codexProjectsLine(next, ordinal) && !codexSkipsForTime(ev, entry.line.timestamp)))
        foldTurnEvent(turns, ev, entry.position);
      // A line Codex cannot decode (`invalid`) is counted out by the reference fold itself.
      if (mode === 'legacy' && ev.kind !== 'invalid' && !codexNumbersLegacyEvent(entry.line, ev))
        turns.codexUnreadLines += 1;
      meta = foldThreadMeta(meta, ev, itemsFromResponses);
      if (entry.position.rolloutId === currentRollout) {
        lastLineTimestamp = entry.line.timestamp;
        if (ev.kind === 'taskStarted') lastTurnStartTimestamp = entry.line.timestamp;
      }
    }
    return E.right({ resolved, turns, meta, lastLineTimestamp, lastTurnStartTimestamp, quarantined });
  };

/**
 * Codex's state-DB rows of the home; without a DB, the rows its first start's backfill writes: every
 * file whose session_meta it reads (not a pre-envelope one) at its mtime now, read from the files.
 */
const codexRowsOf = async (
  store: RolloutStore,
): Promise<E.Either<EngineError, ReadonlyMap<string, CodexRowTimesOf>>> => {
  if (stateDbOf(store.home) !== undefined) return readCodexRowTimes(store.home);
  const listed = await store.listRolloutFiles()();
  if (E.isLeft(listed)) return listed;
  const files: BackfilledFile[] = [];
  for (const file of listed.right) {
    if (file.refused !== undefined) continue;
    const meta = await store.readSessionMeta(file.path)();
    if (E.isLeft(meta) || meta.right.upcast_from != null) continue;
    files.push({
      relativePath: relative(store.home, file.path),
      threadId: meta.right.id,
      mtimeMs: statSync(file.path).mtimeMs,
    });
  }
  return E.right(backfilledRowTimes(files));
};

/** A thread's name in Codex's state DB (its `name` column), null without a row or a name; undefined without a DB. */
const stateDbNameOf = async (store: RolloutStore, threadId: string): Promise<string | null | undefined> => {
  if (stateDbOf(store.home) === undefined) return undefined;
  const rows = await readCodexRows(store.home);
  return E.isLeft(rows) ? null : (rows.right.names.get(threadId) ?? null);
};

/** `thread/read` as the whole-file fold answers it: the thread, with every turn (itemsView full) when `includeTurns`. */
export const readThreadByFold =
  (store: RolloutStore, threadId: string, includeTurns: boolean): TE.TaskEither<EngineError, Thread> =>
  async () => {
    const folded = await foldThread(store, threadId)();
    if (E.isLeft(folded)) return folded;
    const names = await store.threadNames()();
    if (E.isLeft(names)) return names;
    const provider = await store.defaultModelProvider()();
    if (E.isLeft(provider)) return provider;
    const f = folded.right;
    const dbName =
      f.resolved.meta.history_mode === 'paginated' ? await stateDbNameOf(store, f.resolved.meta.id) : undefined;
    const thread = buildThread(
      {
        meta: f.resolved.meta,
        path: f.resolved.current.path,
        lastLineTimestamp: f.lastLineTimestamp,
        lastTurnStartTimestamp: f.lastTurnStartTimestamp,
        // A paginated thread's name is its state-DB row's (none in a DB Codex's backfill builds); session_index.jsonl's without a DB.
        name: dbName === undefined ? (names.right.get(f.resolved.meta.id) ?? null) : dbName,
        defaultModelProvider: provider.right,
        folded: f.meta,
      },
      includeTurns ? visibleTurnEntries(f.turns).map(toApiTurn) : [],
    );
    // A thread Codex's state DB took (or will take) from its file answers that reading (issue 69).
    const codexRows = await codexRowsOf(store);
    if (E.isLeft(codexRows)) return codexRows;
    const taken = fileTakenTimes(codexRows.right.get(thread.id), statSync(f.resolved.current.path).mtimeMs);
    return E.right(
      taken === undefined
        ? thread
        : { ...thread, updatedAt: Math.floor(taken.updatedMs / 1000), recencyAt: Math.floor(taken.recencyMs / 1000) },
    );
  };
