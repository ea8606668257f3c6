import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { relative } from 'node:path';
import { readCodexRowTimes, stateDbOf } from '../../adapters/driven/fs/codexStateDb.js';
import { backfilledRowTimes } from '../../domain/thread/backfillTimes.js';
import type { BackfilledFile } from '../../domain/thread/backfillTimes.js';
import type { CodexRowTimesOf } from '../../domain/thread/codexRowTimes.js';
import { fileTakenTimes } from '../../domain/thread/codexRowTimes.js';
import type { EngineError } from '../../domain/errors.js';
import type { ThreadRow } from '../../domain/index/rows.js';
import type { HistoryReadPorts } from '../../replay/ports.js';
import type { ThreadCursorMethod, ThreadListCursor } from '../../replay/internal/threadListCursor.js';
import {
  compareInThreadOrder,
  parseThreadListCursor,
  pastCursor,
  timeBefore,
} from '../../replay/internal/threadListCursor.js';
import { scanRows } from '../../replay/internal/scanRows.js';
import { take, useCase } from '../../domain/effect.js';
import { listRequestOf, threadListPageOf } from '../../replay/history/listThreads.js';
import type { ListThreadsQuery, ThreadListPage } from '../../replay/history/listThreads.js';
import { sourceKindsOf } from '../../replay/internal/sourceKinds.js';
import { asStateDbRow } from '../../domain/thread/threadFromRow.js';
import type { ThreadSourceKind } from '../../replay/internal/sourceKinds.js';

/**
 * The `thread/list` of schema 9, kept as the oracle of the ordered walk (replay/history/listThreads.ts):
 * every thread row and its rollout row read, filtered, all candidates sorted, one page cut, and
 * what the source filter hid counted over the whole list.
 */

interface Candidate {
  readonly row: ThreadRow;
  readonly key: number;
}

const ms = (iso: string | null | undefined): number | null => {
  if (iso === null || iso === undefined) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};

/**
 * What Codex's thread list (its SQLite rows) shows of a thread, and its sort timestamps in
 * milliseconds (session start, last line, last turn start else start). The list row differs from
 * `thread/read` as Codex's does: no `forkedFromId`, no `threadSource`. (A fork's listed preview is its history's first
 * user message, as Codex's rows have it until a background repair may rewrite it.)
 */
const listRowOf = async (
  ports: HistoryReadPorts,
  row: ThreadRow,
  codexRows: ReadonlyMap<string, CodexRowTimesOf>,
): Promise<{ row: ThreadRow; created: number; updated: number; recency: number; named: number }> => {
  const r = await take(ports.index.get('rollouts', [row.rolloutId]));
  const meta = (r?.meta ?? {}) as { timestamp?: string };
  const created = ms(meta.timestamp) ?? row.createdAt * 1000;
  // A thread Codex's state DB took (or will take) from its file: that reading (issue 69), else its lines'.
  // The file's mtime as indexed (its checkpoint's), as the rest of the row is.
  const cp = await take(ports.index.get('files', [row.path]));
  const taken = fileTakenTimes(codexRows.get(row.id), cp?.mtimeMs);
  const updated = taken?.updatedMs ?? ms(r?.lastLineTimestamp) ?? row.updatedAt * 1000;
  const recency = taken?.recencyMs ?? ms(r?.lastTurnStartTimestamp) ?? created;
  // The file name's time read as UTC (`rollout-YYYY-MM-DDThh-mm-ss-…`): Codex's file scan's created order.
  const name = /rollout-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-/.exec(
    row.path.slice(row.path.lastIndexOf('/') + 1),
  );
  // NaN for a time that is none (hour 25, or a day past the month's end: it does not read back as written).
  const iso = name === null ? null : `${name[1]}T${name[2]}:${name[3]}:${name[4]}Z`;
  const parsed = iso === null ? Math.floor(created / 1000) * 1000 : Date.parse(iso);
  const named =
    iso !== null && !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 19) !== iso.slice(0, 19)
      ? NaN
      : parsed;
  return { row: { ...row, forkedFromId: null, threadSource: null }, created, updated, recency, named };
};

/** Substring match, case-sensitive as Codex's search term is. */
const contains = (hay: string, needle: string): boolean => hay.includes(needle);

/** `thread/list` by a scan of every thread; and how many the source filter hid. */
export const listThreadsByScan = (
  ports: HistoryReadPorts,
  q: ListThreadsQuery,
): TE.TaskEither<EngineError, { page: ThreadListPage; hiddenBySource: Partial<Record<ThreadSourceKind, number>> }> =>
  useCase(async () => {
    const cursor: ThreadListCursor | null =
      q.cursor === null || q.cursor === undefined ? null : await take(parseThreadListCursor(q.cursor));
    const {
      sortKey,
      direction,
      limit,
      order,
      kinds,
      providers,
      cwds,
      excluded,
      included,
      archived,
      term,
      metadataFiltered,
    } = listRequestOf(q, await take(ports.configuredModelProvider()), ports.hostPaths);
    // A listing Codex filters by no metadata is answered from its state DB, as the use case answers it.
    const fromStateDb = term !== '' || q.useStateDbOnly === true || !metadataFiltered;
    const heldAs: ThreadCursorMethod = fromStateDb ? 'stateDb' : 'fileScan';
    const ahead =
      q.useStateDbOnly === true || ports.indexer.listAhead === undefined
        ? null
        : await take(
            ports.indexer.listAhead(
              heldAs === 'fileScan' && sortKey === 'created_at' ? { ...order, key: 'named' } : order,
            ),
          );
    if (q.useStateDbOnly !== true && ahead === null) await take(ports.indexer.refreshAll());

    const codexRowsOf = new Map<string, ReadonlyMap<string, CodexRowTimesOf>>();
    /**
     * Codex's state-DB row times of the home a row's file lies in (`<home>/sessions/…`,
     * `<home>/archived_sessions/…`); without a DB, the rows its backfill will write from the files
     * as indexed (domain/thread/backfillTimes.ts).
     */
    const codexRowsFor = async (path: string): Promise<ReadonlyMap<string, CodexRowTimesOf>> => {
      const home = path.replace(/\/(?:sessions|archived_sessions)\/.*$/, '');
      if (!codexRowsOf.has(home)) {
        if (stateDbOf(home) === undefined) {
          const files: BackfilledFile[] = [];
          for await (const r of scanRows(ports.index, 'files', [], { reverse: false }, 256))
            if (
              r.value.threadId !== null &&
              r.value.error === null &&
              r.value.upcastFrom === null &&
              r.value.path.startsWith(`${home}/`)
            )
              files.push({
                relativePath: relative(home, r.value.path),
                threadId: r.value.threadId,
                mtimeMs: r.value.mtimeMs,
              });
          codexRowsOf.set(home, backfilledRowTimes(files));
        } else
          codexRowsOf.set(
            home,
            E.getOrElse((): ReadonlyMap<string, CodexRowTimesOf> => new Map())(await readCodexRowTimes(home)),
          );
      }
      return codexRowsOf.get(home)!;
    };
    /** The list's candidates in the index, sorted (threads still pending for a list ahead of a build left out: their rows may be stale). */
    const candidatesNow = async (): Promise<{
      candidates: Candidate[];
      hiddenBySource: Partial<Record<ThreadSourceKind, number>>;
    }> => {
      const candidates: Candidate[] = [];
      const hiddenBySource: Partial<Record<ThreadSourceKind, number>> = {};
      others = [];
      for await (const r of scanRows(ports.index, 'threads', [], { reverse: false }, 256)) {
        if (
          r.value.archived !== archived ||
          excluded.has(r.value.id) ||
          (included !== null && !included.has(r.value.id)) ||
          ahead?.pending(r.value.id) === true
        )
          continue;
        // A first meta Codex's serde refuses: only its state DB holds the thread.
        if (
          r.value.metaRefused === true &&
          r.value.scanListed !== true &&
          heldAs !== 'stateDb' &&
          sortKey !== 'recency_at'
        )
          continue;
        const listed = await listRowOf(ports, r.value, await codexRowsFor(r.value.path));
        // Filtered by the fields Codex's state DB holds on its paths (and by recency_at), by the first meta's on its file scan.
        const row =
          heldAs === 'stateDb' || sortKey === 'recency_at'
            ? asStateDbRow(listed.row)
            : { ...listed.row, modelProvider: listed.row.fileScanProvider ?? listed.row.modelProvider };
        // Codex lists only threads with a first user message (its "visible" index: preview <> '').
        if (row.preview === '' && !archived) continue;
        if (providers && !providers.has(row.modelProvider ?? '')) continue;
        if (cwds && !cwds.has(row.cwd)) continue;
        if (term !== '' && !contains(row.name ?? '', term) && !contains(row.preview, term)) continue;
        // Codex's file scan passes by a file whose name's time is no time.
        if (heldAs === 'fileScan' && Number.isNaN(listed.named)) continue;
        const key =
          sortKey === 'created_at'
            ? heldAs === 'fileScan'
              ? listed.named
              : listed.created
            : sortKey === 'updated_at'
              ? listed.updated
              : listed.recency;
        const c: Candidate = { row: listed.row, key };
        // The source filter last, so what it drops is what it alone hides.
        const rowKinds = sourceKindsOf(row.source);
        if (!rowKinds.some((k) => kinds.has(k))) {
          const kind = rowKinds[0] ?? 'unknown';
          hiddenBySource[kind] = (hiddenBySource[kind] ?? 0) + 1;
          if (!cursor || pastCursor(heldAs, sortKey, c, cursor, direction)) others.push(c);
          continue;
        }
        if (cursor && !pastCursor(heldAs, sortKey, c, cursor, direction)) continue;
        candidates.push(c);
      }
      candidates.sort(compareInThreadOrder(heldAs, sortKey, direction));
      return { candidates, hiddenBySource };
    };
    /** Threads past the cursor only the source filter dropped (a page of post-filtered kinds then has a next cursor). */
    let others: Candidate[] = [];

    let { candidates, hiddenBySource } = await candidatesNow();
    // Ahead of a build: index the threads that can still come first until the page and the one
    // after it lie strictly ahead of every thread still pending (or none is).
    for (let bound = ahead?.bound() ?? null; ahead !== null && bound !== null; bound = ahead.bound()) {
      const after = candidates[limit];
      if (after !== undefined && timeBefore(heldAs, sortKey, direction, after.key, bound)) break;
      await take(ahead.next(2 * (limit + 1)));
      ({ candidates, hiddenBySource } = await candidatesNow());
    }
    const postFiltered = [...kinds].some((k) =>
      [
        'exec',
        'appServer',
        'subAgent',
        'subAgentReview',
        'subAgentCompact',
        'subAgentThreadSpawn',
        'subAgentOther',
        'unknown',
      ].includes(k),
    );
    const lastOfPage = candidates[limit - 1];
    const inOrder = compareInThreadOrder(heldAs, sortKey, direction);
    const moreUnfiltered =
      postFiltered &&
      candidates.length === limit &&
      lastOfPage !== undefined &&
      others.some((o) => inOrder(lastOfPage, o) < 0);
    return {
      // Codex's recency_at rows are its state DB's (no parent), as the use case answers them.
      page: threadListPageOf(candidates, {
        limit,
        sortKey,
        direction,
        heldAs,
        fromStateDbRows: fromStateDb || sortKey === 'recency_at',
        hostPaths: ports.hostPaths,
        moreUnfiltered,
        requestMs: ports.clock.now().getTime(),
      }),
      hiddenBySource,
    };
  });
