import type { ThreadRow } from '../index/rows.js';
import type { Thread } from './thread.js';
import type { HostPaths } from './hostPath.js';
import { codexAbsolutePath } from './hostPath.js';
import { spawnAsAnswered } from './threadMeta.js';

/** Nothing runs a model in this process, so every thread it serves is reported as not loaded. */
export const NOT_LOADED = { type: 'notLoaded' } as const;

/**
 * A thread row's `cwd` as the Codex beside us answers it: its session meta's `cwd` is an
 * `AbsolutePathBuf` Codex reads against its own working directory (`hostPath.ts`). The row keeps
 * the file's text, since the base is the answering process's, not the indexer's. An empty cwd (the
 * state-DB row Codex's backfill builds from a file name, rollout/src/metadata.rs
 * `builder_from_items`) is that directory itself (measured on 0.169.0: fuzzer seeds 20261211,
 * 20261212). No base: the text as it is.
 */
const hostCwdOf = (cwd: string, hostPaths: HostPaths | undefined): string =>
  hostPaths === undefined ? cwd : codexAbsolutePath(cwd, hostPaths);

/** A row as Codex's state DB answers it: the fields its DB holds otherwise (`ThreadRow.stateDb`). */
export const asStateDbRow = (row: ThreadRow): ThreadRow =>
  row.stateDb === undefined ? row : { ...row, ...row.stateDb };

/**
 * A row's start as Codex's reads of the rollout answer it (its file scan, a legacy read without
 * turns): the time of the request (`requestMs`) where they cannot read the meta's (`startUnread`).
 */
export const withRolloutReadStart = (row: ThreadRow, requestMs: number): ThreadRow =>
  row.startUnread === true ? { ...row, createdAt: Math.floor(requestMs / 1000) } : row;

/** A row with its cwd as Codex's state DB holds it, its other fields as its first meta has them. */
export const withStateDbCwd = (row: ThreadRow): ThreadRow =>
  row.stateDb?.cwd === undefined ? row : { ...row, cwd: row.stateDb.cwd };

/**
 * The app-server Thread for an index row, fields in the order Codex serialises them; `turns` an
 * array, or a stream of them. One object literal: a thread's 33 fields set one by one under
 * computed keys put the object in V8's dictionary mode (past 12 such out-of-object properties),
 * which `JSON.stringify` of a listing walks slower.
 */
export const threadFromRow = <Turns>(
  row: ThreadRow,
  turns: Turns,
  hostPaths?: HostPaths,
): Omit<Thread, 'turns'> & { turns: Turns } => {
  const spawned = spawnAsAnswered(row.source, row.agentNickname, row.agentRole);
  return {
    id: row.id,
    environments: row.environments,
    extra: row.extra,
    sessionId: row.sessionId,
    forkedFromId: row.forkedFromId,
    attachedToThreadId: row.attachedToThreadId,
    parentThreadId: row.parentThreadId,
    preview: row.preview,
    ephemeral: row.ephemeral,
    section: row.section,
    sectionEnteredAt: row.sectionEnteredAt,
    projectId: row.projectId,
    historyMode: row.historyMode,
    modelProvider: row.modelProvider,
    model: row.model,
    reasoningEffort: row.reasoningEffort,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    recencyAt: row.recencyAt,
    status: NOT_LOADED,
    path: row.path,
    cwd: typeof row.cwd === 'string' ? hostCwdOf(row.cwd, hostPaths) : row.cwd,
    cliVersion: row.cliVersion,
    originator: row.originator,
    source: spawned === undefined ? row.source : spawned.source,
    canAcceptDirectInput: row.canAcceptDirectInput,
    threadSource: row.threadSource,
    agentNickname: spawned === undefined ? row.agentNickname : spawned.agentNickname,
    agentRole: spawned === undefined ? row.agentRole : spawned.agentRole,
    gitInfo: row.gitInfo,
    name: row.name,
    daybreakEnabled: row.daybreakEnabled,
    turns,
  };
};
