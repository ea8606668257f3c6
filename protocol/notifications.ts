import type { Thread } from '../domain/thread/thread.js';
import type { ThreadItem } from '../domain/thread/threadItem.js';
import type { Turn } from '../domain/thread/turn.js';
import type { ThreadSearchResult } from './search.js';
import type { ThreadTokenUsageUpdated } from '../domain/tokens/threadTokenUsage.js';
import type { ReadState } from '../domain/threadState/threadStateEvent.js';
import { atLeast } from './codexVersions.js';
import type { CodexVersion } from './codexVersions.js';

/** One item type's results in an import's notifications (Codex's `ExternalAgentConfigImportItemTypeResult`). */
export interface ImportItemTypeResult {
  readonly itemType: string;
  readonly successes: ReadonlyArray<unknown>;
  readonly failures: ReadonlyArray<unknown>;
}

/** `rolloutEngine/quarantinedLines`; `repeatedOrdinals` (lines whose ordinal repeats an earlier one's) only where there are some. */
export interface QuarantinedLinesNotification {
  readonly threadId: string;
  readonly quarantinedLines: number;
  readonly repeatedOrdinals?: number;
  readonly files: ReadonlyArray<{
    readonly path: string;
    readonly quarantinedLines: number;
    readonly repeatedOrdinals?: number;
  }>;
}

/**
 * `rolloutEngine/codexStateNotUpdated`: a mutation's write is done and answered as a success, but
 * Codex's state DB could not be given `update` (`message` says why); a Codex with its cache may
 * not show it until it rebuilds that cache from the rollouts.
 */
export interface CodexStateNotUpdatedNotification {
  readonly threadId: string;
  readonly method: string;
  readonly update: string;
  readonly message: string;
}

/**
 * Every notification this server sends of its own, name → params, declared once (as codex-rs
 * `app-server-protocol` declares `ServerNotification`): the handlers' `notify` takes only these
 * names with these params, so a misspelt name or a wrong shape fails to compile. What `serve
 * --upstream` relays from Codex is Codex's and passes through untyped.
 */
export interface ServerNotifications {
  readonly 'thread/started': { readonly thread: Thread };
  readonly 'thread/archived': { readonly threadId: string };
  readonly 'thread/unarchived': { readonly threadId: string };
  readonly 'thread/deleted': { readonly threadId: string };
  readonly 'thread/reverted': { readonly threadId: string };
  readonly 'thread/name/updated': { readonly threadId: string; readonly threadName: string | null };
  readonly 'thread/status/changed': { readonly threadId: string; readonly status: Thread['status'] };
  readonly 'thread/tokenUsage/updated': ThreadTokenUsageUpdated;
  readonly 'turn/started': { readonly threadId: string; readonly turn: Turn };
  readonly 'turn/completed': { readonly threadId: string; readonly turn: Turn };
  readonly 'item/completed': {
    readonly item: ThreadItem;
    readonly threadId: string;
    readonly turnId: string;
    readonly contentTokenCount: null;
    readonly completedAtMs: number | null;
  };
  readonly deprecationNotice: { readonly summary: string; readonly details: string | null };
  readonly 'externalAgentConfig/import/progress': {
    readonly importId: string;
    readonly itemTypeResults: ReadonlyArray<ImportItemTypeResult>;
  };
  readonly 'externalAgentConfig/import/completed': {
    readonly importId: string;
    readonly itemTypeResults: ReadonlyArray<ImportItemTypeResult>;
  };
  readonly 'rolloutEngine/quarantinedLines': QuarantinedLinesNotification;
  readonly 'rolloutEngine/codexStateNotUpdated': CodexStateNotUpdatedNotification;
  /** Rows `thread/search/stream` found, before its answer (Codex 0.171.0's `ThreadSearchPartialNotification`). */
  readonly 'thread/search/partial': { readonly requestId: string | number | null; readonly data: ThreadSearchResult[] };
  /** A thread's read state as `thread/readState/update` left it, before its answer (Codex 0.171.0's `ThreadReadStateChangedNotification`). */
  readonly 'thread/readState/changed': { readonly threadId: string; readonly readState: ReadState };
}

export type NotificationName = keyof ServerNotifications;

/** A notification as one value: its name and its params. */
export type ServerNotification<N extends NotificationName = NotificationName> = {
  readonly [K in N]: { readonly method: K; readonly params: ServerNotifications[K] };
}[N];

/** Sends notification `method` with its params. */
export type Notify<N extends NotificationName = NotificationName> = <K extends N>(
  method: K,
  params: ServerNotifications[K],
) => void;

/**
 * Whether each notification is ours (Codex 0.169.0 has no such notification: its clients ignore
 * it, and its schema has nothing to say about it), and the Codex version that added one of
 * Codex's (`since`: a connection speaking an older version is not sent it). A record over every
 * name, so a new one must say.
 */
export const NOTIFICATIONS: {
  readonly [N in NotificationName]: { readonly ours: boolean; readonly since?: CodexVersion };
} = {
  'thread/started': { ours: false },
  'thread/archived': { ours: false },
  'thread/unarchived': { ours: false },
  'thread/deleted': { ours: false },
  'thread/reverted': { ours: false },
  'thread/name/updated': { ours: false },
  'thread/status/changed': { ours: false },
  'thread/tokenUsage/updated': { ours: false },
  'turn/started': { ours: false },
  'turn/completed': { ours: false },
  'item/completed': { ours: false },
  deprecationNotice: { ours: false },
  'externalAgentConfig/import/progress': { ours: false },
  'externalAgentConfig/import/completed': { ours: false },
  'rolloutEngine/quarantinedLines': { ours: true },
  'rolloutEngine/codexStateNotUpdated': { ours: true },
  'thread/search/partial': { ours: false, since: '0.171.0' },
  // codex-rs/app-server/src/codex_message_processor/thread_read_state.rs (`notify`, after an applied update).
  'thread/readState/changed': { ours: false, since: '0.171.0' },
};

/** Whether a connection speaking `version` is sent notification `name` (one of Codex's added later is not; what an upstream relays is its own). */
export const notificationSpokenAt = (name: string, version: CodexVersion): boolean => {
  const since = (NOTIFICATIONS as Readonly<Record<string, { readonly since?: CodexVersion }>>)[name]?.since;
  return since === undefined || atLeast(version, since);
};
