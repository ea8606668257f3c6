import type { TableName } from '../../../domain/index/rows.js';

/**
 * Key layout of the LMDB history index (one LMDB environment, one named database per table).
 *
 * Keys are lmdb "ordered-binary" arrays: parts compare element by element, numbers before
 * strings, numbers numerically, strings by code unit. So every page is one range scan:
 * `[rolloutId, null] .. [rolloutId, "\uffff"]` covers one rollout's rows, a limit makes it a page,
 * `reverse` walks it newest first, and a cursor is the key to start after (direct lookup).
 *
 * | db        | key                               | value (domain/index/rows.ts)                                |
 * |-----------|-----------------------------------|-------------------------------------------------------------|
 * | meta      | ["schemaVersion"] / ["lease"]     | number / {owner, expiresAt}                                 |
 * |           | ["backfilled"] / ["home"]         | true / {root, realPath}: the CODEX_HOME the paths belong to  |
 * | files     | [path]                            | FileCheckpoint {rolloutId, byteOffset, line, size, headHash} |
 * | threads   | [threadId]                        | ThreadRow: Thread minus turns/status, + archived, rolloutId, sortMs |
 * | thread_order | [archived 0/1, order, ms, threadId] | 0: each thread once per list order (created/updated/recency) |
 * | rollouts  | [rolloutId]                       | RolloutRow: session meta, base, preview, model, settings    |
 * | rollout_forks | [base rolloutId, rolloutId]   | 0: the forks and revisions based on a file                  |
 * | fold      | [rolloutId]                       | RolloutFoldRow: legacy open turn, item numbering, dropped   |
 * | turns     | [rolloutId, keyLine]              | TurnRow (keyLine = anchor line: task_started, else end line) |
 * | turnIds   | [rolloutId, turnId]               | TurnIdRow {line: turns key, itemIds → itemLines: items keys, pending?} |
 * | items     | [rolloutId, line]                 | ItemRow {turnId, id, kind, ordinal, ranges, times}          |
 * | ordinals  | [rolloutId, ordinal]              | line of a turn key / item whose ordinal is not startOrdinal+line (sparse) |
 * | token_audit | [rolloutId, line]               | CountedResponse: a response the file paid for (or copied)   |
 * | plugin_events | [rolloutId, line, seq]        | PluginObservation: plugin used / enabled / disabled         |
 * | audit_state | [rolloutId]                     | AuditStateRow: plugin fold state of the file                |
 * | token_files | [path]                          | FileCheckpoint of the token projection alone, while ahead of files |
 * | token_state | [rolloutId]                     | TokenStateRow: token fold state, originator and source      |
 * | token_buckets | [rolloutId, slotMs, model, provider, cwd] | UsageBucketRow: sums of the file's bucketed responses |
 * | token_loose | [rolloutId, line]               | CountedResponse: a response a report reads as a row         |
 * | token_record_ids | [rolloutId, responseId]    | 0: a record id the file holds                               |
 * | settings_lines | [rolloutId, line]            | SettingsLineRow: byte range of a thread_settings_applied    |
 * | token_counts   | [rolloutId, line]            | TokenCountRow: a token_count's info and the running turn    |
 * | quarantine_counts | [rolloutId]               | its quarantined lines, only when it has any                 |
 * | thread_state | [threadId]                     | ThreadStateRow: read receipt, stored git info (engine's own log) |
 * | meta      | ["threadStateLog"]                | bytes of `.rollout-engine/thread-state.jsonl` folded so far |
 * | meta      | ["homeStats"]                     | HomeStats: the home's folders and file stats at the last whole-home catch-up |
 * | search_text    | [rolloutId, line]            | ConversationText: what thread/search looks in on that line  |
 * | search_grams   | [rolloutId]                  | the rollout's trigram signature (8 KiB bit set)             |
 * | search_lines   | [rolloutId, block]           | its searched lines' signatures, 512 file lines a block      |
 * | turn_renderings | [rolloutId, turnId]         | TurnRendering: a turn's items as a whole read wrote them    |
 * | segment_renderings | [rolloutId, n]           | a current file's turns as a whole read wrote them: header 0, chunks 1.. |
 *
 * `rolloutId` is the thread id for a root file, the fork's id, or the revision id: like Codex's
 * thread_history projection, each rollout file has its own rows and a fork's reads combine the
 * base's rows below `history_base` with its own. `line` is the 0-based line index in the file;
 * rows carry the paginated `ordinal` (Codex's cursor `rolloutOrdinal`) and byte offsets/lengths
 * so a page is a range scan plus one `pread` per item.
 *
 * Values are msgpack (lmdb default) with record structures shared per table. Schema changes bump `SCHEMA_VERSION` and add a step under
 * migrations/index/.
 */
export const SCHEMA_VERSION = 56;

/** Bytes of a file's head covered by `headHash`. */
export const HEAD_BYTES = 4096;

export const DB_NAMES: Readonly<Record<TableName, string>> = {
  meta: 'meta',
  files: 'files',
  threadFiles: 'thread_files',
  threads: 'threads',
  threadChildren: 'thread_children',
  threadOrder: 'thread_order',
  rollouts: 'rollouts',
  rolloutForks: 'rollout_forks',
  fold: 'fold',
  turns: 'turns',
  turnIds: 'turn_ids',
  items: 'items',
  ordinals: 'ordinals',
  tokenAudit: 'token_audit',
  pluginEvents: 'plugin_events',
  auditState: 'audit_state',
  tokenFiles: 'token_files',
  tokenState: 'token_state',
  tokenBuckets: 'token_buckets',
  tokenLoose: 'token_loose',
  tokenRecordIds: 'token_record_ids',
  settingsLines: 'settings_lines',
  tokenCounts: 'token_counts',
  quarantineCounts: 'quarantine_counts',
  threadState: 'thread_state',
  searchText: 'search_text',
  searchGrams: 'search_grams',
  searchLines: 'search_lines',
  toolItems: 'tool_items',
  turnRenderings: 'turn_renderings',
  segmentRenderings: 'segment_renderings',
};

/** Upper bound of a key part: sorts after every number and every id string we store. */
export const KEY_MAX = '\uffff';

export const SCHEMA_VERSION_KEY = ['schemaVersion'] as const;
export const LEASE_KEY = ['lease'] as const;
/** How far the engine's thread-state log has been folded into `threadState` (bytes); absent: nothing yet (a fresh or rebuilt index folds it all). */
export const THREAD_STATE_LOG_KEY = ['threadStateLog'] as const;
/**
 * The home the index describes (indexer/open/homeIdentity.ts). Every stored path lies inside
 * it; an index opened for another home is rebuilt first (indexer/open/openIndex.ts). A meta
 * key, not a row shape: no schema version of its own.
 */
export const HOME_KEY = ['home'] as const;
