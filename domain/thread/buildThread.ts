import type * as t from 'io-ts';
import type { Thread } from './thread.js';
import { NOT_LOADED } from './threadFromRow.js';
import type { Turn } from './turn.js';
import type { GitMeta, SessionMetaPayload } from '../rollout/kinds/sessionMeta.js';
import type { GitInfo } from './thread.js';
import { sanitizeGitOriginUrl } from './gitOriginUrl.js';
import type { ThreadMetaState } from './threadMeta.js';
import { apiSourceOfMeta } from './threadMeta.js';
import { codexMetaTimestampMs } from '../rfc3339.js';
import { fileNameTimestampOf } from '../rollout/rolloutFile.js';
import { foldedHistoryMode } from '../rollout/historyMode.js';

export interface ThreadFacts {
  /** `session_meta` of the thread's current file (newest revision, or the fork's own file). */
  readonly meta: SessionMetaPayload;
  /** Absolute path of the current file. */
  readonly path: string;
  /** Timestamp of the current file's last line (ISO-8601). */
  readonly lastLineTimestamp: string | null;
  /** Timestamp of the current file's last `task_started` line: Codex's recency is the last turn start. */
  readonly lastTurnStartTimestamp?: string | null;
  readonly name: string | null;
  readonly folded: ThreadMetaState;
  /** The provider the home's config selects: Codex answers it for a meta that names none (or ''). */
  readonly defaultModelProvider: string;
}

const seconds = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
};

/** The meta's git facts as Codex answers them: its origin without credentials, none for no fact. */
export const gitInfoOf = (git: t.TypeOf<typeof GitMeta> | null | undefined): GitInfo | null => {
  if (!git) return null;
  const originUrl = git.repository_url == null ? null : (sanitizeGitOriginUrl(git.repository_url) ?? null);
  const sha = git.commit_hash ?? null;
  const branch = git.branch ?? null;
  return sha === null && branch === null && originUrl === null ? null : { sha, branch, originUrl };
};

/** A thread's start as Codex's state DB holds it (`codexMetaTimestampMs`), else its file name's (`builder_from_items`). */
export const createdSecondsOf = (
  timestamp: string | null | undefined,
  path: string | null | undefined,
): number | null => {
  // The name's time is one fileNameTimestampOf checked reads back as written: Date.parse reads it.
  const named = path == null ? undefined : fileNameTimestampOf(path);
  const ms = codexMetaTimestampMs(timestamp) ?? (named === undefined ? undefined : Date.parse(named));
  return ms === undefined ? null : Math.floor(ms / 1000);
};

/** Whether a meta's source is a spawned sub-agent's (`{"subagent": {"thread_spawn": …}}`). */
const isThreadSpawn = (source: unknown): boolean => {
  const sub = (source as { subagent?: unknown } | null | undefined)?.subagent;
  return sub !== null && typeof sub === 'object' && 'thread_spawn' in sub;
};

/** Assemble the API Thread (Codex's field order). `status` is notLoaded: nothing runs here. */
export const buildThread = (f: ThreadFacts, turns: Turn[]): Thread => {
  // Codex answers its state DB's row: from the file name when it cannot read the meta's time.
  const created = createdSecondsOf(f.meta.timestamp, f.path) ?? 0;
  const updated = seconds(f.lastLineTimestamp) ?? created;
  const git = f.meta.git;
  return {
    id: f.meta.id,
    environments: null,
    extra: null,
    // Codex answers with the thread's own id (a review sub-agent's session_id names its parent).
    sessionId: f.meta.id,
    forkedFromId: f.meta.forked_from_id ?? null,
    attachedToThreadId: null,
    parentThreadId: f.meta.parent_thread_id ?? null,
    preview: f.folded.preview ?? '',
    ephemeral: false,
    section: null,
    sectionEnteredAt: null,
    projectId: null,
    historyMode: foldedHistoryMode(f.meta.history_mode),
    // Codex 0.32–0.50 wrote no `model_provider`: Codex answers the configured one (codex-rs
    // `app-server/src/request_processors/thread_processor.rs` `thread_from_stored_thread`; its DB rows too, `state/src/extract.rs`).
    modelProvider: f.meta.model_provider || f.defaultModelProvider,
    model: f.folded.model,
    reasoningEffort: f.folded.reasoningEffort,
    createdAt: created,
    updatedAt: updated,
    // Codex sets recency when a thread is created and again at each turn start.
    recencyAt: seconds(f.lastTurnStartTimestamp ?? null) ?? created,
    status: NOT_LOADED,
    path: f.path,
    cwd: f.meta.cwd ?? '',
    cliVersion: f.meta.cli_version ?? '',
    // An empty one is none: Codex's state DB holds none then, and answers null (state/src/extract.rs
    // `apply_session_meta_from_item`; measured on 0.169.0, fuzzer `--replay 20261150:4:0:3`).
    originator: f.meta.originator || null,
    source: apiSourceOfMeta(f.meta),
    canAcceptDirectInput: null,
    threadSource: f.meta.thread_source ?? null,
    // Codex answers them from the source (`SessionSource::get_nickname`, `get_agent_role`): a spawned
    // sub-agent's only (codex-rs app-server `thread_from_stored_thread`; measured: a vscode thread's
    // meta nickname and role answer null, metaRules.compat.spec.ts).
    agentNickname: isThreadSpawn(f.meta.source) ? (f.meta.agent_nickname ?? null) : null,
    agentRole: isThreadSpawn(f.meta.source) ? (f.meta.agent_role ?? null) : null,
    // No field, no gitInfo: `"git": {}` is none (codex-rs thread-store local `git_info_from_parts`),
    // an origin Codex refuses as a remote counting as none.
    gitInfo: gitInfoOf(git),
    name: f.name,
    daybreakEnabled: null,
    turns,
  };
};
