/**
 * Which lines of a paginated file Codex's history projection reads, the one place of that rule.
 * Codex 0.169 answers a paginated thread's turns and items from its SQLite projection of the file
 * (codex-rs thread-store/src/local/thread_history_materialization.rs `read_projection_steps`),
 * which reads the lines in order expecting the next ordinal, first the file's start ordinal (its
 * base's cut, 0 for a root file): a line it decodes whose ordinal is at or above the one expected
 * is projected (a forward gap is passed over) and the next expected is its ordinal + 1; a line
 * without an ordinal ("skipping paginated rollout line without an ordinal"), or below the one
 * expected (repeated or regressed), is skipped and leaves the expectation as it was, as does a
 * line it cannot decode. Measured on 0.169.0 by paginatedUnnumbered.compat. Pure.
 */

/** Whether the projection reads a line numbered `ordinal` (null: none) while it expects `next`. */
export const codexProjectsLine = (next: number, ordinal: number | null): boolean => ordinal !== null && ordinal >= next;

/** The ordinal expected after a line numbered `ordinal`, which Codex decodes or not (`decoded`). */
export const nextOrdinalAfter = (next: number, ordinal: number | null, decoded: boolean): number =>
  decoded && codexProjectsLine(next, ordinal) ? ordinal! + 1 : next;
