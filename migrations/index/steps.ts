import type { IndexReader, IndexWrite } from '../../domain/index/rows.js';
import { addOrdinals } from './002-ordinals.js';
import { addQuarantineCounts } from './008-quarantine-counts.js';
import { addThreadOrder } from './011-thread-order.js';
import { markThreadRowsDueOnce } from './013-thread-rows-due.js';
import { addRolloutForks } from './018-rollout-forks.js';
import { addItemsThrough } from './020-turn-renderings.js';
import { tokenStateApiSources } from './029-token-state-api-source.js';
import { addThreadLinks } from './054-thread-links.js';

/**
 * Index schema versions and how to get from one to the next. A step either rewrites rows in
 * place (`run`, one write transaction together with the version bump) or asks for a rebuild into
 * a fresh environment that is swapped in when complete (readers keep the old one meanwhile).
 * Adding a version: bump SCHEMA_VERSION (adapters/driven/lmdb/schema.ts) and append a step here, or a
 * file `NNN-name.ts` exporting one, listed below.
 */
export type IndexMigration =
  | {
      readonly from: number;
      readonly to: number;
      readonly name: string;
      readonly kind: 'inPlace';
      readonly run: (reader: IndexReader) => ReadonlyArray<IndexWrite>;
    }
  | { readonly from: number; readonly to: number; readonly name: string; readonly kind: 'rebuild' };

/** Version 0: an index written before the schema was versioned; its rows cannot be trusted. */
export const MIGRATIONS: ReadonlyArray<IndexMigration> = [
  { from: 0, to: 1, name: '001-versioned-schema', kind: 'rebuild' },
  { from: 1, to: 2, name: '002-ordinals', kind: 'inPlace', run: addOrdinals },
  // New tables (token audit, plugin observations) need rows for every line already indexed.
  { from: 2, to: 3, name: '003-token-audit-plugin-events', kind: 'rebuild' },
  // Settings lines and token counts (fork / revision settings, token replay) need every line again.
  { from: 3, to: 4, name: '004-settings-lines-token-counts', kind: 'rebuild' },
  // Turn rows gain `endByteOffset`, checkpoints their tail hash, mtime/ctime and upcast format, early
  // rollouts are indexed through the upcaster: all derived from the files again.
  { from: 4, to: 5, name: '005-turn-ends-file-stats-early-rollouts', kind: 'rebuild' },
  // The per-record `tokens` table and the turn/rollout usage sums go: the token audit serves usage.
  { from: 5, to: 6, name: '006-token-sums-dropped', kind: 'rebuild' },
  // Values are written with shared msgpack record structures (field names once per table). Older
  // values carry their structures inline and still decode: nothing to rewrite, but an older
  // engine cannot read the new values, so the version moves.
  { from: 6, to: 7, name: '007-shared-record-structures', kind: 'inPlace', run: () => [] },
  // The quarantined lines of each rollout that has any, in a table of their own (home totals).
  { from: 7, to: 8, name: '008-quarantine-counts', kind: 'inPlace', run: addQuarantineCounts },
  // Turn rows keep their summary items rendered (ItemRef.shown): made from the lines, so read again.
  { from: 8, to: 9, name: '009-summary-items-in-turn-rows', kind: 'rebuild' },
  // Fewer rows per line: ordinals are computed from lines (fold rows gain `startOrdinal`; only rows
  // numbered otherwise keep an `ordinals` row), and a turn's item ids live in its `turnIds` row.
  { from: 9, to: 10, name: '010-sparse-ordinals-turn-items', kind: 'rebuild' },
  // Thread rows carry their list sort keys and `threadOrder` orders them: thread/list reads a page, not every thread.
  { from: 10, to: 11, name: '011-thread-order', kind: 'inPlace', run: addThreadOrder },
  // A new table, `threadState`, folded from the engine's thread-state log when the home opens: no row to rewrite.
  { from: 11, to: 12, name: '012-thread-state', kind: 'inPlace', run: () => [] },
  // Catch-ups mark thread rows due until derived (a kill in between left them stale): older indexes start due.
  { from: 12, to: 13, name: '013-thread-rows-due', kind: 'inPlace', run: markThreadRowsDueOnce('012') },
  // An event_msg / response_item whose payload is not an object with a string type was passed
  // over as an unknown kind, and a truncated line of a kind no projection reads was skipped unseen:
  // both are quarantined now, so every file is folded again to count them.
  { from: 13, to: 14, name: '014-malformed-lines-quarantined', kind: 'rebuild' },
  // thread/search's tables (each line's conversation text, each rollout's trigram signature) need every line again.
  { from: 14, to: 15, name: '015-search', kind: 'rebuild' },
  // A signature holds six-grams too: one without them would rule out files a phrase matches in.
  { from: 15, to: 16, name: '016-search-six-grams', kind: 'rebuild' },
  // Analytics reconstruction reports tool items (`toolItems`): every item_completed line again.
  { from: 16, to: 17, name: '017-tool-items', kind: 'rebuild' },
  // Which rollouts continue which file (`rolloutForks`), so a catch-up of a few files does not read every rollout row: derived from the rollout rows.
  { from: 17, to: 18, name: '018-rollout-forks', kind: 'inPlace', run: addRolloutForks },
  // Each searched line's own signature (`searchLines`): a search reads only the texts that can match.
  { from: 18, to: 19, name: '019-search-line-signatures', kind: 'rebuild' },
  // Whole reads keep the turns they rendered (`turnRenderings`), checked against the turn rows' new
  // `itemsThrough`: derived from the item rows.
  { from: 19, to: 20, name: '020-turn-renderings', kind: 'inPlace', run: addItemsThrough },
  // Rollout rows count the lines whose ordinal repeats an earlier one (two writers' counters): every line's ordinal again.
  { from: 20, to: 21, name: '021-repeated-ordinals', kind: 'rebuild' },
  // A file's first token_count (and a restarted counter) counts its last_token_usage, not a running total inherited from a fork's source: every count again.
  { from: 21, to: 22, name: '022-inherited-token-totals', kind: 'rebuild' },
  // Tool-call items (file changes, MCP, dynamic and sub-agent calls, web searches, image views) are
  // rendered, and legacy `patch_apply_end` / `mcp_tool_call_end` / `web_search_end` lines read: every item again.
  { from: 22, to: 23, name: '023-tool-call-items', kind: 'rebuild' },
  // Sub-agent activity, image generation and function-call-output items are rendered, legacy
  // `sub_agent_activity` / `image_generation_end` lines and legacy `item_completed` lines of those kinds read: every item again.
  { from: 23, to: 24, name: '024-activity-image-output-items', kind: 'rebuild' },
  // The token audit is its own projection (`tokenState`, split from `auditState`) keeping sums per
  // file and 15-minute slot (`tokenBuckets`), the loose responses and record ids: every count again.
  { from: 24, to: 25, name: '025-token-buckets', kind: 'rebuild' },
  // A paginated turn's final agent message follows the messages' phases (the last marked final
  // answer, else the last unmarked text), and item rows keep an agent message's phase: the phases
  // are in the lines only.
  { from: 25, to: 26, name: '026-agent-message-phases', kind: 'rebuild' },
  // Items Codex 0.169.0 writes that were not shown: an extension's (`Extension`, the clock's sleep)
  // in both modes and a legacy thread's hook prompt messages: item rows for lines already indexed.
  { from: 26, to: 27, name: '027-sleep-and-hook-prompt-items', kind: 'rebuild' },
  // Files of Codex 0.32–0.99 as Codex 0.169 reads them: implicit turns are `rollout-<index>` and
  // completed, a meta without `source` is `vscode`, a turn context tagged the old way sets no
  // model: turn, item and thread rows again.
  { from: 27, to: 28, name: '028-codex-reads-older-files', kind: 'rebuild' },
  // The token state keeps the API source (the thread row's rule), not the raw one: derived from the rollout rows.
  { from: 28, to: 29, name: '029-token-state-api-source', kind: 'inPlace', run: tokenStateApiSources },
  // Legacy implicit turns numbered as Codex 0.169 numbers them (ghost snapshots, events it leaves
  // out and broken lines take no place), and items rendered as 0.169 renders their lines (a user
  // message's client id, image details and audio; paginated items' delivery, results, plugin and
  // script; extension web searches and image generations; agent messages' questions and
  // moderation; image generations and function call outputs), and a sub-agent's inherited lines
  // (before its meta's `subagent_history_start_ordinal`) making no turn or item, the start kept on
  // the fold row: turn and item rows, and the renderings kept from them, again.
  { from: 29, to: 30, name: '030-legacy-numbering-user-inputs', kind: 'rebuild' },
  // 31: a legacy agent message its moderation hides is no longer searched (its searchText and
  // search signatures were written from it).
  { from: 30, to: 31, name: '031-moderated-messages-not-searched', kind: 'rebuild' },
  // 32: tool items as Codex reports the items it makes: none from a legacy file's item lines (a
  // legacy event stands for them), a core image generation's snake_case fields only, the
  // extension's image generations and web searches counted.
  { from: 31, to: 32, name: '032-tool-items-as-codex-items', kind: 'rebuild' },
  // 33: a legacy `error` line fails no turn, and a turn context Codex cannot read (a cwd that is not
  // absolute, 0.89's flat collaboration mode) sets no model and takes no place in implicit turn
  // numbers; a git origin without credentials, memory citations' thread ids, empty reasoning summary
  // parts left out, a paginated rollback line drops no turn, an unknown source is `unknown`, an
  // empty first message is no preview (issue 69): turn, item and thread rows again.
  { from: 32, to: 33, name: '033-unread-errors-and-turn-contexts', kind: 'rebuild' },
  // 34: an agent message's moderation display as the line has it (each Codex version reads it in
  // its own shape, one 0.169.0 cannot read no longer drops the line), a paginated MCP call's
  // environmentId: item and turn rows again.
  { from: 33, to: 34, name: '034-moderation-displays-and-environment-ids', kind: 'rebuild' },
  // 35: thread rows and their list order keys hold the current file name's time (`sortMs.named`),
  // by which Codex's file scan orders created_at.
  { from: 34, to: 35, name: '035-file-name-order', kind: 'rebuild' },
  // 36: a thread Codex's state DB took (or will take) from its file, by its backfill, answers
  // `updatedAt` / `recencyAt` and orders by that file's mtime, or by the row's times (issue 69):
  // thread rows and their list order keys again.
  { from: 35, to: 36, name: '036-backfilled-row-times', kind: 'rebuild' },
  // 37: thread rows hold what Codex's state DB holds otherwise (`stateDb`: a later session_meta's
  // and the settings lines' cwd and provider, the last meta's source and cli version; git facts
  // from the last meta that has them), an empty meta provider as the file scan filters it, and
  // rollout rows their later metas; a settings line without its provider sets no model, and a
  // compaction without its message is no line Codex reads (issue 69).
  { from: 36, to: 37, name: '037-state-db-fields', kind: 'rebuild' },
  // 38: a file whose first session_meta Codex's serde refuses (our codec too, or Codex's alone)
  // holds rows: its rollout row marked `refusedMeta`, its thread row the one Codex's state DB's
  // backfill keeps (`metaRefused`), or the thread read by a later meta Codex takes (issue 69).
  { from: 37, to: 38, name: '038-refused-meta-rows', kind: 'rebuild' },
  // 39: an item row marks a tool item a read shows failed (a collapsed turn's red badge, issue 72).
  { from: 38, to: 39, name: '039-item-failures', kind: 'rebuild' },
  // 40: a paginated turn is listed only once a task_started, task_complete or turn_aborted names it
  // (items naming another turn keep it in its id row, unlisted), and its first end is final (issue 69).
  { from: 39, to: 40, name: '040-paginated-turns-never-started', kind: 'rebuild' },
  // 41: an id a rollout line gives (turn id, response id) longer than a key keeps, or holding a NUL,
  // is keyed by its fixed-length long form (domain/index/keyText.ts). A rebuild: a key with two
  // NULs in a row reads back as other parts, so rows keyed so cannot be moved in place.
  { from: 40, to: 41, name: '041-long-key-texts', kind: 'rebuild' },
  // 42: a legacy turn_aborted finishes the open turn (later items open an implicit turn), and a
  // later session_meta sets the thread's threadSource (issue 69).
  { from: 41, to: 42, name: '042-aborted-finishes-turn-later-thread-source', kind: 'rebuild' },
  // 43: a turn context's cwd is kept on its settings row: Codex's state DB takes it for a thread
  // with no cwd yet (a row from the file name), which its cwd filter matches (issue 69).
  { from: 42, to: 43, name: '043-turn-context-cwd', kind: 'rebuild' },
  // 44: thread rows and their list order keys hold the current file's mtime (`sortMs.scanned`), by
  // which Codex's file scan orders updated_at where its state DB holds the row's own time; a later
  // meta's originator fills an empty first one, a paginated item's completion time of 0 is none
  // (issue 69): rollout, item and thread rows again.
  { from: 43, to: 44, name: '044-file-scan-updated-order', kind: 'rebuild' },
  // 45: a thread no meta gave an originator answers null (Codex's state DB row holds none), not ""
  // (issue 69): thread rows only, derived anew by the next catch-up.
  { from: 44, to: 45, name: '045-originator-none', kind: 'inPlace', run: markThreadRowsDueOnce('045') },
  // 46: a paginated turn_aborted naming the turn `""` is a turn of its own (issue 69): turn rows again.
  { from: 45, to: 46, name: '046-empty-turn-id-aborts', kind: 'rebuild' },
  // 47: a thread row says when Codex's file scan and rollout reads cannot read its start
  // (`startUnread`: they answer the time of the request; issue 69): thread rows only.
  { from: 46, to: 47, name: '047-start-unread', kind: 'inPlace', run: markThreadRowsDueOnce('047') },
  // 48: a legacy turn_aborted naming another turn leaves the times of the open turn its
  // task_started opened (issue 69): turn rows again.
  { from: 47, to: 48, name: '048-abort-of-another-turn', kind: 'rebuild' },
  // 49: a refused first meta's rollout row says whether the later meta its state DB row is built
  // from lies in the head Codex's file scan reads, which lists the thread by it (issue 69).
  { from: 48, to: 49, name: '049-refused-meta-scanned', kind: 'rebuild' },
  // 50: a thread row says what Codex's file scan fills from its state DB's row where the first meta
  // leaves a field unset (`fileScanFills`: a meta without a provider), and the state DB's history
  // mode where its row is built from the file name (issue 69): thread rows only.
  { from: 49, to: 50, name: '050-file-scan-fills', kind: 'inPlace', run: markThreadRowsDueOnce('050') },
  // 51: a refused first meta's rollout row says whether any line of its file is one Codex decodes
  // (its backfill keeps no row for a file with none; issue 69).
  { from: 50, to: 51, name: '051-refused-meta-codex-items', kind: 'rebuild' },
  // 52: a rollout row marks its first line that is not UTF-8 (Codex cannot load that file's
  // history, and its state DB holds no row for it), and its thread row answers from the head.
  { from: 51, to: 52, name: '052-not-utf8', kind: 'rebuild' },
  // 53: a paginated thread's name is its Codex state-DB row's, and a thread row keeps its
  // session_index.jsonl name where it is another: thread rows only.
  { from: 52, to: 53, name: '053-paginated-names', kind: 'inPlace', run: markThreadRowsDueOnce('053') },
  // 54: each thread's files and each thread below another, linked (threadFiles, threadChildren).
  { from: 53, to: 54, name: '054-thread-links', kind: 'inPlace', run: addThreadLinks },
  // 55: lines are decoded as Codex's serde reads them: a unit enum's map form (`{"name": null}`,
  // a meta's history mode among them) is its name, and a settings line's reasoning effort is its
  // own field, any name, none when absent; a paginated line Codex's history projection skips (no
  // ordinal, or one below the next expected: domain/thread/paginatedOrdinals.ts) makes no turn or
  // item, the fold rows keeping the shift (issue 69): rollout rows again.
  { from: 54, to: 55, name: '055-serde-enum-maps-efforts-paginated-ordinals', kind: 'rebuild' },
  // A paginated line that completes an item without a start time, its timestamp no RFC 3339 time as
  // chrono reads it (hour 24, minute 60, an offset of 24 hours included), makes no item
  // (domain/thread/paginatedOrdinals.ts `codexSkipsForTime`): item rows again.
  { from: 55, to: 56, name: '056-paginated-items-skipped-for-time', kind: 'rebuild' },
];

export type MigrationPlan =
  | { readonly kind: 'current' }
  | { readonly kind: 'init' }
  | { readonly kind: 'steps'; readonly steps: ReadonlyArray<Extract<IndexMigration, { kind: 'inPlace' }>> }
  | { readonly kind: 'rebuild'; readonly reason: string }
  | { readonly kind: 'unsupported'; readonly version: number };

/**
 * What opening an index at `version` (undefined: no version key) needs to reach `target`.
 * `empty`: the environment holds no rows yet. Pure.
 */
export const planMigration = (
  version: number | undefined,
  empty: boolean,
  target: number,
  migrations: ReadonlyArray<IndexMigration> = MIGRATIONS,
): MigrationPlan => {
  if (version === undefined && empty) return { kind: 'init' };
  const from = version ?? 0;
  if (from === target) return { kind: 'current' };
  if (from > target) return { kind: 'unsupported', version: from };
  const steps: Array<Extract<IndexMigration, { kind: 'inPlace' }>> = [];
  let v = from;
  while (v < target) {
    const m = migrations.find((x) => x.from === v);
    if (!m) return { kind: 'rebuild', reason: `no migration from schema version ${v}` };
    if (m.kind === 'rebuild') return { kind: 'rebuild', reason: m.name };
    steps.push(m);
    v = m.to;
  }
  return { kind: 'steps', steps };
};
