/**
 * A rollout file of a CODEX_HOME: where it is and what its name says
 * (`rollout-<time>-<threadId>[_<revisionId>].jsonl`). The one declaration of what a rollout file
 * is; the other shapes of a file derive from it:
 * - `IndexedFile` (projections/threadRows.ts): a file holding rows, with the rollout id its
 *   session_meta gave it;
 * - `FileCheckpoint` (domain/index/rows.ts): the stored checkpoint of any listed file, whose
 *   ids may be unknown (an unreadable first line) and whose absent revision is a stored null.
 */
export interface RolloutFile {
  readonly path: string;
  /** In `archived_sessions/`. */
  readonly archived: boolean;
  /** ISO-8601 UTC from the file name: thread start (or revert time for a revision file). */
  readonly fileTimestamp: string;
  /** The thread the file belongs to: its name's (a file holding rows: its session_meta's). */
  readonly threadId: string;
  /** From the file name, for a revision file. */
  readonly revisionId?: string;
  /** The home it was listed in: its reads follow no link below it (a folder swapped for one since). */
  readonly root?: string;
  /**
   * Set by a listing of the home: why this entry is not read (a link, a FIFO, a device). It is
   * reported with the home's unreadable files and skipped, never opened — a link could lead out
   * of the home.
   */
  readonly refused?: string;
}

const NAME_TIME = /(?:^|[/\\])rollout-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})-[^/\\]*$/;

/**
 * The time a rollout file's name says (`rollout-YYYY-MM-DDThh-mm-ss-…`), ISO-8601 read as UTC as
 * Codex reads it; undefined for another name or one whose time is no time (hour 25, February 30):
 * Codex's file scan passes such a file by (codex-rs/rollout/src/list.rs,
 * `parse_timestamp_uuid_from_filename`: `PrimitiveDateTime::parse`, `assume_utc`).
 */
export const fileNameTimestampOf = (path: string): string | undefined => {
  const m = NAME_TIME.exec(path);
  if (m === null) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
  const ms = Date.parse(iso);
  // Date.parse rolls an impossible day over (February 30 → March 2): only a time that reads back as written is one.
  return Number.isNaN(ms) || new Date(ms).toISOString() !== iso.replace('Z', '.000Z') ? undefined : iso;
};
