/**
 * Which lines of a paginated file Codex's history projection reads, the one place of that rule.
 * Codex 0.169 answers a paginated thread's turns and items from its SQLite projection of the file
 * (codex-rs thread-store/src/local/thread_history_materialization.rs `read_projection_steps`),
 * which reads the lines in order expecting the next ordinal, first the file's start ordinal (its
 * base's cut, 0 for a root file): a line it decodes whose ordinal is at or above the one expected
 * is projected (a forward gap is passed over) and the next expected is its ordinal + 1; a line
 * without an ordinal ("skipping paginated rollout line without an ordinal"), or below the one
 * expected (repeated or regressed), is skipped and leaves the expectation as it was, as does a
 * line it cannot decode. Measured on 0.169.0 by paginatedUnnumbered.compat. A line it reads may
 * still be skipped for its time (`codexSkipsForTime`). Pure.
 */
import type { RolloutEvent } from '../rollout/event.js';
import { rfc3339Ms } from '../rfc3339.js';

/** Whether the projection reads a line numbered `ordinal` (null: none) while it expects `next`. */
export const codexProjectsLine = (next: number, ordinal: number | null): boolean => ordinal !== null && ordinal >= next;

/** The ordinal expected after a line numbered `ordinal`, which Codex decodes or not (`decoded`). */
export const nextOrdinalAfter = (next: number, ordinal: number | null, decoded: boolean): number =>
  decoded && codexProjectsLine(next, ordinal) ? ordinal! + 1 : next;

/**
 * Whether the projection skips a line it reads, for its time: a line that completes an item without
 * a start time (`started_at_ms` absent or null) gives the item the line's time
 * (`fallback_created_at_ms`, chrono's `parse_from_rfc3339`: domain/rfc3339.ts), and a timestamp that
 * is no such time skips the line ("skipping rollout line with invalid timestamp during projection"):
 * its item is never made, and the next ordinal expected is its own + 1, as after a line projected.
 * Lines that make no item are projected whatever their time. Measured on 0.169.0 by
 * paginatedTimestamps.compat.
 */
export const codexSkipsForTime = (ev: RolloutEvent, timestamp: string): boolean =>
  ev.kind === 'itemCompleted' && ev.payload.started_at_ms == null && rfc3339Ms(timestamp) === undefined;
