/**
 * How a turn ends, as the turn rules (`turnRules.ts`) apply a `task_complete` or `turn_aborted`:
 * its status, error and times, and when a paginated turn's end is final.
 */
import type { HistoryMode } from '../rollout/historyMode.js';
import type { TurnError, TurnStatus } from './turn.js';
import type { FoldCursor, TurnState } from './turnFoldState.js';
import { toApiCodexErrorInfo } from './codexErrorInfo.js';

/** A payload's error as the API's turn error; null when it has none. */
export const toTurnError = (
  e: { message: string; codex_error_info?: unknown; additional_details?: unknown } | null | undefined,
): TurnError | null =>
  e
    ? {
        message: e.message,
        codexErrorInfo: toApiCodexErrorInfo(e.codex_error_info),
        additionalDetails: e.additional_details ?? null,
        misalignment: null,
      }
    : null;

export type TurnEndPayload = {
  started_at?: number | null;
  completed_at?: number | null;
  duration_ms?: number | null;
  root_turn_id?: string | null;
};

/** Apply a `task_complete` / `turn_aborted` (or a kept status) to a turn. */
export const applyTurnEnd = <P>(
  mode: HistoryMode,
  t: TurnState<P>,
  pos: P,
  status: TurnStatus,
  error: TurnError | null,
  p: TurnEndPayload,
): void => {
  if (!t.anchor) t.anchor = pos;
  t.end = pos;
  t.status = status;
  t.error = error;
  // Paginated: the turn's start is its end's (none when the end has none), as Codex's turn row
  // takes it from the end line (app-server-protocol thread_history_projection.rs: TurnComplete /
  // TurnAborted carry `started_at`; measured on 0.169.0: unstartedTurns.compat.spec.ts); a turn
  // without task_started (review) takes its root from it too. Legacy turns opened by
  // entered_review_mode keep them null, as Codex shows.
  if (mode === 'paginated') t.startedAt = p.started_at ?? null;
  t.completedAt = p.completed_at ?? null;
  t.durationMs = p.duration_ms ?? null;
  if (mode === 'paginated' && t.rootTurnId === null) t.rootTurnId = p.root_turn_id ?? null;
};

/** A turn's own end times, as an end payload (an end that leaves them as they are). */
export const timesOf = (t: { completedAt: number | null; durationMs: number | null }): TurnEndPayload => ({
  completed_at: t.completedAt,
  duration_ms: t.durationMs,
});

/**
 * Paginated: a turn's first end is final. Codex updates a turn row only while it has no end, so a
 * later `task_started`, `task_complete` or `turn_aborted` naming it changes nothing (late items
 * still join it). codex-rs thread-store `local/thread_history.rs` `apply_change_set` (`ON CONFLICT
 * … WHERE rollout_end_ordinal IS NULL AND status = 'inProgress'`); measured on 0.169.0:
 * test/compat/unstartedTurns.compat.spec.ts.
 */
export const endedInPaginated = <P>(c: FoldCursor, t: TurnState<P>): boolean =>
  c.mode === 'paginated' && t.end !== null;
