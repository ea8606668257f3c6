import { codexRefusal } from '../domain/rollout/codexSerde.js';
import type {
  IndexReader,
  IndexWrite,
  KeyOf,
  LaterMeta,
  RolloutRow,
  StateDbFields,
  ThreadRow,
  ThreadSortMs,
} from '../domain/index/rows.js';
import { THREAD_ORDER_KEYS, holdsRows } from '../domain/index/rows.js';
import type { SessionMetaPayload } from '../domain/rollout/kinds/sessionMeta.js';
import { buildThread, gitInfoOf } from '../domain/thread/buildThread.js';
import type { GitInfo } from '../domain/thread/thread.js';
import type { SettingsChange } from '../domain/thread/threadMeta.js';
import { apiSourceOfMeta, applySettingsChange } from '../domain/thread/threadMeta.js';
import { currentFileOf, hopOfRow } from '../domain/history/historyBase.js';
import { Batch } from './batch.js';
import type { WalkedHistory } from '../domain/history/walk.js';
import { walkHistorySync } from '../domain/history/walk.js';
import type { ThreadStateRow } from '../domain/threadState/threadStateEvent.js';
import type { RolloutFile } from '../domain/rollout/rolloutFile.js';
import { fileNameTimestampOf } from '../domain/rollout/rolloutFile.js';
import { codexMetaTimestampMs, rfc3339Ms } from '../domain/rfc3339.js';
import type { CodexRowTimesOf } from '../domain/thread/codexRowTimes.js';
import { fileTakenTimes } from '../domain/thread/codexRowTimes.js';
import { headOnlyRowOf } from './headOnlyRow.js';

/**
 * A rollout file that holds rows (the winner for its rollout id): never a refused entry, and
 * known by the rollout id and thread id its session_meta gave it.
 */
export interface IndexedFile extends Omit<RolloutFile, 'refused'> {
  readonly rolloutId: string;
  /** The file's mtime its checkpoint saw (ms): Codex's backfill dates a thread it did not write by it. */
  readonly mtimeMs?: number;
}

const ms = (iso: string | null | undefined): number | null => {
  if (iso === null || iso === undefined) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};

/**
 * `thread/list`'s sort keys of a thread from its current file's rollout row, in milliseconds as
 * Codex's rows hold them: session start, last line, last turn start (else start); a missing
 * timestamp falls back to the row's seconds. `fileTimestamp`: the current file name's time, as
 * Codex's file scan reads it, the writer's local time taken for UTC
 * (codex-rs/rollout/src/list.rs, `parse_timestamp_uuid_from_filename`: `assume_utc`); without one
 * (a name whose time is no time, which the file scan passes by), the session's second.
 */
export const sortMsOf = (
  rollout: RolloutRow | undefined,
  thread: { readonly createdAt: number; readonly updatedAt: number },
  fileTimestamp?: string,
  fileMtimeMs?: number,
): ThreadSortMs => {
  // As Codex's state DB reads the meta's time; one it cannot read is the row's (its file name's).
  const created =
    codexMetaTimestampMs((rollout?.meta as { timestamp?: string } | null | undefined)?.timestamp) ??
    thread.createdAt * 1000;
  const updated = ms(rollout?.lastLineTimestamp) ?? thread.updatedAt * 1000;
  return {
    created,
    updated,
    recency: ms(rollout?.lastTurnStartTimestamp) ?? created,
    named: ms(fileTimestamp) ?? Math.floor(created / 1000) * 1000,
    // Whole milliseconds, as Codex's cursors write it; a file never stat'ed, its last line's.
    scanned: fileMtimeMs === undefined ? updated : Math.floor(fileMtimeMs),
  };
};

/** A thread row's keys in `threadOrder`, one per list order. */
export const threadOrderKeysOf = (row: ThreadRow): Array<KeyOf<'threadOrder'>> =>
  THREAD_ORDER_KEYS.map((k) => [row.archived ? 1 : 0, k, row.sortMs[k], row.id]);

/** The thread a thread row is drawn below: the one it was forked from, else the one a sub-agent (a review, a spawned agent) worked for. */
export const threadParentOf = (row: Pick<ThreadRow, 'forkedFromId' | 'parentThreadId'>): string | null =>
  row.forkedFromId ?? row.parentThreadId ?? null;

/**
 * Write a thread row (or delete it: `row` undefined) with its `threadOrder` keys and its link below
 * its parent (`threadChildren`), the old row's going.
 */
export const writeThreadRow = (b: Batch, threadId: string, row: ThreadRow | undefined): void => {
  const old = b.get('threads', [threadId]);
  if (old?.sortMs !== undefined) for (const k of threadOrderKeysOf(old)) b.del('threadOrder', k);
  const parentBefore = old === undefined ? null : threadParentOf(old);
  const parentAfter = row === undefined ? null : threadParentOf(row);
  if (parentBefore !== null && parentBefore !== parentAfter) b.del('threadChildren', [parentBefore, threadId]);
  if (parentAfter !== null && parentAfter !== parentBefore) b.put('threadChildren', [parentAfter, threadId], 0);
  if (row === undefined) {
    if (old !== undefined) b.del('threads', [threadId]);
    return;
  }
  b.put('threads', [threadId], row);
  for (const k of threadOrderKeysOf(row)) b.put('threadOrder', k, 0);
};

/**
 * A thread row with what the thread-state log says of it: its read receipt, and the git metadata
 * `thread/metadata/update` stored (which replaces the rollout's, as Codex's cache does).
 */
export const withThreadState = (row: ThreadRow, state: ThreadStateRow | undefined): ThreadRow => {
  const { readState: _old, ...rest } = row;
  const git = state?.gitInfo === undefined ? rest : { ...rest, gitInfo: state.gitInfo };
  return state?.readState === undefined ? git : { ...git, readState: state.readState };
};

export type { ThreadNames, ThreadRowHome } from './threadRowHome.js';
import type { ThreadNames, ThreadRowHome } from './threadRowHome.js';
import { rowNameOf, threadNamesOf } from './threadRowHome.js';

/** The Thread's fields a thread row starts from (the Thread but its turns and status). */
type ThreadFields = Omit<ReturnType<typeof buildThread>, 'turns' | 'status'>;

/**
 * The settings fold and the state DB's fields over a thread's history: settings replay through it
 * in order, base first, each base only below its cut (as the fold reads it).
 */
const foldHistorySettings = (
  chain: WalkedHistory<RolloutRow>['chain'],
  meta: SessionMetaPayload,
  defaultModelProvider: string,
): { readonly settings: { model: string | null; reasoningEffort: string | null }; readonly db: StateDbState } => {
  const settings = { model: null as string | null, reasoningEffort: null as string | null };
  const db = stateDbOf(meta, defaultModelProvider);
  for (const c of chain) {
    const below = (at: number): boolean => c.cut === null || at < c.cut.endByteOffset;
    for (const change of c.node.settings) if (below(change.byteOffset)) applySettingsChange(settings, change);
    // The state DB's fields, its lines in the file's order (a later meta is the current file's own).
    const lines = [
      ...c.node.settings.map((s) => ({ at: s.byteOffset, settings: s })),
      ...(c.node.laterMetas ?? []).map((m) => ({ at: m.byteOffset, meta: m })),
    ];
    for (const l of lines.sort((a, b) => a.at - b.at)) if (below(l.at)) applyToStateDb(db, l, defaultModelProvider);
  }
  return { settings, db };
};

/** The state DB's fields where they differ from the thread's own (its first meta's, as Codex answers them). */
const stateDbFieldsOf = (db: StateDbState, fromLines: ThreadFields): StateDbFields =>
  Object.fromEntries(
    (['cwd', 'modelProvider', 'source', 'cliVersion'] as const).flatMap((k) =>
      same(db[k], fromLines[k]) ? [] : [[k, db[k]]],
    ),
  );

/** A thread Codex's state DB took (or will take) from its file: its times are that reading, not its lines'. */
const withTakenTimes = (
  fromLines: ThreadFields,
  lineMs: ThreadSortMs,
  codexRow: CodexRowTimesOf | undefined,
  mtimeMs: number | undefined,
): { readonly rest: ThreadFields; readonly sortMs: ThreadSortMs } => {
  const taken = fileTakenTimes(codexRow, mtimeMs);
  if (taken === undefined) return { rest: fromLines, sortMs: lineMs };
  return {
    rest: {
      ...fromLines,
      updatedAt: Math.floor(taken.updatedMs / 1000),
      recencyAt: Math.floor(taken.recencyMs / 1000),
    },
    sortMs: { ...lineMs, updated: taken.updatedMs, recency: taken.recencyMs },
  };
};

/** A rollout of the history whose preview lies below the cut its successor takes of it (or with no cut). */
const previewBelowCut = (c: WalkedHistory<RolloutRow>['chain'][number]): boolean =>
  c.node.preview !== null && (c.cut === null || (c.node.previewByteOffset ?? 0) < c.cut.endByteOffset);

/** The thread row of a thread whose current file is `current` (the Thread fields but turns/status). */
export const threadRowOf = (
  b: Batch,
  current: IndexedFile,
  names: ThreadNames,
  defaultModelProvider: string,
  codexRow?: CodexRowTimesOf,
): ThreadRow | undefined => {
  const stored = b.get('rollouts', [current.rolloutId]);
  if (!stored) return undefined;
  // A first meta Codex's serde refuses: Codex's file scan lists the thread nowhere and its reads
  // are refused (-32603, replay/internal/openThread.ts), but its state DB keeps the row its
  // backfill builds (`metaRefused`); an early (upcast) file, which Codex cannot read at all, is ours.
  const refused = stored.refusedMeta !== undefined;
  const scanListed = stored.refusedMeta?.scanned === true;
  const row = refused ? backfilledRolloutOf(stored, current) : stored;
  if (row === undefined || row.meta === null) return undefined;
  const upcast = row.meta['upcast_from'] != null;
  if (!refused && !upcast && codexRefusal('sessionMeta', row.meta) !== undefined) return undefined;
  // The rollout rows of the logical history, base first (a missing or cyclic base ends the walk).
  const { chain } = walkHistorySync(row, row.rolloutId, hopOfRow, (id) => b.get('rollouts', [id]));
  const withPreview = chain.find(previewBelowCut);
  const meta = row.meta as SessionMetaPayload;
  const { settings, db } = foldHistorySettings(chain, meta, defaultModelProvider);
  const thread = buildThread(
    {
      meta,
      path: current.path,
      lastLineTimestamp: row.lastLineTimestamp,
      lastTurnStartTimestamp: row.lastTurnStartTimestamp,
      name: rowNameOf(row.mode, names),
      defaultModelProvider,
      folded: {
        preview: withPreview?.node.preview ?? null,
        model: settings.model,
        reasoningEffort: settings.reasoningEffort,
      },
    },
    [],
  );
  const { turns: _turns, status: _status, ...fromFirstMeta } = thread;
  // Codex answers the row's originator wherever the first meta's is empty (its reads, and its file scan, which fills
  // what a file leaves empty from the row: measured on 0.169.0, fuzzer `--replay 20261127:59:0:1:1:0`); a row no meta
  // gave one holds none, answered null on every list and read (a refused first meta's row from the file name too;
  // fuzzer `--replay 20261150:4:0:3`).
  const fromLines =
    fromFirstMeta.originator === null ? { ...fromFirstMeta, originator: db.originator || null } : fromFirstMeta;
  const stateDb = stateDbFieldsOf(db, fromLines);
  const lineMs = sortMsOf(row, thread, fileNameTimestampOf(current.path), current.mtimeMs);
  const { rest, sortMs } = withTakenTimes(fromLines, lineMs, codexRow, current.mtimeMs);
  const built: ThreadRow = {
    ...rest,
    // Codex answers a thread's git facts from its state DB on every path (measured: its file scan's list too).
    gitInfo: db.gitInfo,
    // Codex's state DB row's, as a later meta leaves it (it answers `thread/read` from that row).
    threadSource: db.threadSource,
    archived: current.archived,
    rolloutId: current.rolloutId,
    sortMs,
    ...(Object.keys(stateDb).length > 0 ? { stateDb } : {}),
    // Codex's file scan filters a meta's `model_provider: ""` as "" (its answer, as its DB, is the default).
    ...(meta.model_provider === '' ? { fileScanProvider: '' } : {}),
    // Its state DB's row is built from the file name where it cannot read the meta's time, with no
    // history mode (`builder_from_items`); its lists answer that, its reads the meta's (measured on
    // 0.169.0: fuzzer `--replay 20261180:33:0:0:0:19`, and the shrunk homes of 20261205:16:0:0:0:0).
    ...(rest.historyMode === 'paginated' && codexMetaTimestampMs(meta.timestamp) === undefined
      ? { stateDbHistoryMode: 'legacy' as const }
      : {}),
    ...(meta.model_provider == null && stateDb.modelProvider !== undefined
      ? { fileScanFills: { modelProvider: stateDb.modelProvider } }
      : {}),
    // Whole milliseconds, as Codex reads a file's time (a copy keeping times to the ms gives the same row).
    ...(current.mtimeMs === undefined ? {} : { fileMtimeMs: Math.floor(current.mtimeMs) }),
    ...(refused ? { metaRefused: true as const } : {}),
    ...(scanListed ? { scanListed: true as const } : {}),
    ...(names.sessionIndex !== thread.name ? { sessionIndexName: names.sessionIndex } : {}),
    // An early (upcast) file is ours to answer: Codex reads none of it.
    ...((!refused || scanListed) && !upcast && rfc3339Ms(meta.timestamp ?? '') === undefined
      ? { startUnread: true as const }
      : {}),
  };
  return withThreadState(
    !refused && stored.notUtf8 !== undefined ? headOnlyRowOf(built, stored, meta) : built,
    b.get('threadState', [current.threadId]),
  );
};

/**
 * The rollout row of a file whose first meta Codex's serde refuses, its meta the one Codex's state
 * DB's backfill builds the thread's row from (codex-rs rollout/src/metadata.rs
 * `builder_from_items`): the first meta it decodes anywhere in the file, else the file name's
 * thread id and time (the default source, no provider, cwd or cli version; every line after
 * applied as to any row). Undefined for a name without a time (no row: `rollout missing metadata
 * builder`), a file with no line Codex decodes (`empty session file`; measured on 0.169.0: fuzzer
 * `--replay 20261190:467:2:2`), a history mode Codex refuses (it loads nothing of the file), or a
 * file with a line that is not UTF-8 (its load fails).
 */
const backfilledRolloutOf = (row: RolloutRow, current: IndexedFile): RolloutRow | undefined => {
  if (
    row.refusedMeta?.historyModeRefused === true ||
    row.refusedMeta?.codexItems !== true ||
    // A line not UTF-8 fails its backfill's load of the file (`extract_metadata_from_rollout`).
    row.notUtf8 !== undefined
  )
    return undefined;
  const taken = row.refusedMeta?.stateDbMeta;
  if (taken !== undefined) return { ...row, meta: taken };
  const timestamp = fileNameTimestampOf(current.path);
  // `SessionSource::default()` is `vscode` (protocol/src/protocol.rs).
  return timestamp === undefined
    ? undefined
    : { ...row, meta: { id: current.threadId, timestamp, cwd: '', cli_version: '', source: 'vscode' } };
};

/** A thread's fields in Codex's state DB as its lines leave them (codex-rs `state/src/extract.rs`). */
interface StateDbState {
  cwd: string;
  modelProvider: string;
  source: unknown;
  cliVersion: string;
  /** The first meta's that is not empty ('' while none is). */
  originator: string;
  gitInfo: GitInfo | null;
  threadSource: string | null;
}

/** The state DB's fields from the first meta (`apply_session_meta_from_item`); an empty provider is the default. */
const stateDbOf = (meta: SessionMetaPayload, defaultModelProvider: string): StateDbState => ({
  cwd: meta.cwd ?? '',
  modelProvider: meta.model_provider || defaultModelProvider,
  source: apiSourceOfMeta(meta),
  cliVersion: meta.cli_version ?? '',
  originator: meta.originator ?? '',
  gitInfo: gitInfoOf(meta.git),
  threadSource: meta.thread_source ?? null,
});

/**
 * One line's change to the state DB's fields (codex-rs `state/src/extract.rs`): a later meta sets
 * the source, and the provider, cli version, cwd and git facts it has (`apply_session_meta_from_item`);
 * a thread settings line the cwd and provider (`ThreadSettingsApplied`); a turn context the cwd
 * while there is none (`apply_turn_context`); an empty provider is the default (`apply_rollout_item`).
 */
const applyToStateDb = (
  db: StateDbState,
  line: { settings?: SettingsChange; meta?: LaterMeta },
  defaultModelProvider: string,
): void => {
  const { settings, meta } = line;
  // A turn context's cwd only fills an empty one (a row from the file name, a meta with none).
  if (settings !== undefined && settings.kind === 'turnContext' && settings.cwd !== undefined && db.cwd === '')
    db.cwd = settings.cwd;
  if (settings !== undefined && settings.kind === 'threadSettings') {
    if (settings.cwd !== undefined) db.cwd = settings.cwd;
    if (settings.provider !== undefined) db.modelProvider = settings.provider || defaultModelProvider;
  }
  if (meta !== undefined) {
    db.source = meta.source;
    // Whatever it holds, none included: a later meta's Windows path or its absence is the answer
    // (measured on 0.169.0: fuzzer `--replay 20261206:4:0:1:1`, foldRules.compat.spec.ts).
    if (meta.threadSource !== undefined) db.threadSource = meta.threadSource;
    if (meta.modelProvider !== undefined) db.modelProvider = meta.modelProvider || defaultModelProvider;
    if (meta.cliVersion !== undefined) db.cliVersion = meta.cliVersion;
    // Only while the row has none: `if metadata.originator.is_none() && !originator.is_empty()`.
    if (meta.originator !== undefined && db.originator === '') db.originator = meta.originator;
    if (meta.cwd !== undefined) db.cwd = meta.cwd;
    if (meta.git !== undefined) db.gitInfo = gitInfoOf(meta.git);
  }
};

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Recompute every thread row from the indexed files (current file per thread, as Codex picks it)
 * and the names of session_index.jsonl. Only changed rows are written; threads without files go.
 */
export const refreshThreadRows = (
  reader: IndexReader,
  files: ReadonlyArray<IndexedFile>,
  home: ThreadRowHome,
  /** Only these threads (their files are all in `files`); other rows are left as they are. */
  only?: ReadonlySet<string>,
): IndexWrite[] => {
  const b = new Batch(reader);
  const byThread = new Map<string, IndexedFile[]>();
  for (const f of files) {
    if (only !== undefined && !only.has(f.threadId)) continue;
    const g = byThread.get(f.threadId);
    if (g) g.push(f);
    else byThread.set(f.threadId, [f]);
  }
  for (const [threadId, group] of byThread) {
    const current = currentFileOf(group);
    const row = current
      ? threadRowOf(b, current, threadNamesOf(home, threadId), home.defaultModelProvider, home.codexRows.get(threadId))
      : undefined;
    const old = b.get('threads', [threadId]);
    if (row === undefined ? old !== undefined : !same(old, row)) writeThreadRow(b, threadId, row);
  }
  const stale = only ?? b.keys('threads', []).map((k) => k[0] as string);
  for (const id of stale)
    if (!byThread.has(id) && b.get('threads', [id]) !== undefined) writeThreadRow(b, id, undefined);
  return b.writes();
};

/**
 * Delete the thread rows of threads that have no indexed file any more (not in `live`), among
 * `candidates` (thread ids read from the table before this transaction; a row written since by
 * another catch-up is of a file it indexed, and stays either way).
 */
export const dropThreadRowsWithout = (
  reader: IndexReader,
  live: ReadonlySet<string>,
  candidates: Iterable<string>,
): IndexWrite[] => {
  const b = new Batch(reader);
  for (const id of candidates) {
    if (live.has(id) || b.get('threads', [id]) === undefined) continue;
    // `live` was read before this transaction: a row another catch-up derived since, from a file
    // it indexed meanwhile (a moved thread's new path), names an indexed file of its thread and stays.
    const path = b.get('threads', [id])?.path;
    const cp = path === undefined ? undefined : b.get('files', [path]);
    if (cp !== undefined && holdsRows(cp) && cp.threadId === id) continue;
    writeThreadRow(b, id, undefined);
  }
  return b.writes();
};
