import type { LineDraft } from '../rollout/lineDraft.js';
import type { Turn } from '../thread/turn.js';
import type { HistoryPoint } from '../history/cut.js';
import { forkSessionMeta } from '../fork/forkMeta.js';
import { withSessionMetaFields } from '../rollout/sessionMetaFields.js';
import { threadSettingsApplied } from '../rollout/sessionEvents.js';
import type { ReviewTarget } from './reviewTarget.js';
import { storedTarget, userFacingHint } from './reviewTarget.js';
import type { HistoryMode } from '../rollout/historyMode.js';

export interface ReviewStart {
  readonly threadId: string;
  readonly turnId: string;
  readonly itemId: string;
  readonly target: ReviewTarget;
  readonly now: Date;
}

const iso = (d: Date): string => d.toISOString();

/**
 * The review turn's first item. Paginated threads get `item_completed EnteredReviewMode` (the
 * review turn has no `task_started` of its own when inline, as in Codex); legacy threads get the
 * `entered_review_mode` event carrying its turn and item ids.
 */
export const enteredReviewMode = (mode: HistoryMode, r: ReviewStart): LineDraft => {
  const target = storedTarget(r.target);
  const hint = userFacingHint(r.target);
  if (mode === 'legacy') {
    return {
      timestamp: iso(r.now),
      type: 'event_msg',
      payload: { type: 'entered_review_mode', target, user_facing_hint: hint, turn_id: r.turnId, item_id: r.itemId },
    };
  }
  const ms = r.now.getTime();
  return {
    timestamp: iso(r.now),
    type: 'event_msg',
    payload: {
      type: 'item_completed',
      thread_id: r.threadId,
      turn_id: r.turnId,
      item: { type: 'EnteredReviewMode', id: r.itemId, target, user_facing_hint: hint },
      started_at_ms: ms,
      completed_at_ms: ms,
    },
  };
};

/** `task_started` of a turn that begins a thread's history of its own (the detached review turn). */
export const reviewTaskStarted = (r: ReviewStart): LineDraft => ({
  timestamp: iso(r.now),
  type: 'event_msg',
  payload: {
    type: 'task_started',
    turn_attribution: {
      turn_id: r.turnId,
      turn_trigger: null,
      parent_turn_id: null,
      initiating_agent_path: null,
      root_turn_id: r.turnId,
    },
    turn_id: r.turnId,
    root_turn_id: r.turnId,
    started_at: Math.floor(r.now.getTime() / 1000),
    collaboration_mode_kind: 'default',
  },
});

export interface DetachedReviewInput {
  readonly parentMeta: Readonly<Record<string, unknown>>;
  readonly parentThreadId: string;
  readonly review: ReviewStart;
  readonly windowId: string;
  /** Paginated parent: the end of its history, referenced; null for a legacy parent (copied). */
  readonly cut: HistoryPoint | null;
  readonly settings: unknown;
}

/**
 * The head of a detached review thread: a fork of the parent's history that is a review
 * sub-agent thread (source `{subagent: review}`, `parent_thread_id`, the parent's session), then
 * its settings. The review turn's lines follow the history (`reviewTurnLines`).
 */
export const detachedReviewMeta = (d: DetachedReviewInput): LineDraft => ({
  timestamp: iso(d.review.now),
  type: 'session_meta',
  payload: withSessionMetaFields(
    forkSessionMeta({
      source: d.parentMeta,
      sourceThreadId: d.parentThreadId,
      newThreadId: d.review.threadId,
      windowId: d.windowId,
      timestamp: iso(d.review.now),
      cut: d.cut,
    }),
    {
      session_id: d.parentThreadId,
      parent_thread_id: d.parentThreadId,
      source: { subagent: 'review' },
      // Only paginated sub-agent threads carry it (Codex's are all paginated; its legacy reader ignores it).
      thread_source: d.cut === null ? undefined : 'subagent',
      multi_agent_version: 'disabled',
    },
  ),
});

/** What the detached review thread writes after the history: settings, the review turn's start. */
export const detachedReviewTail = (d: DetachedReviewInput): LineDraft[] => [
  ...(d.settings === undefined || d.settings === null
    ? []
    : [threadSettingsApplied(iso(d.review.now), d.review.threadId, d.settings)]),
  reviewTaskStarted(d.review),
  enteredReviewMode(d.cut === null ? 'legacy' : 'paginated', d.review),
];

/**
 * `review/start`'s turn, as Codex answers it: running, nothing loaded yet, and the review request
 * shown as a user message carrying the turn's id.
 */
export const reviewTurn = (r: ReviewStart, startedAt: number | null): Turn => ({
  id: r.turnId,
  rootTurnId: null,
  items: [
    {
      type: 'userMessage',
      id: r.turnId,
      clientId: null,
      content: [{ type: 'text', text: userFacingHint(r.target), text_elements: [] }],
      startedAtMs: null,
      completedAtMs: null,
    },
  ],
  itemsView: 'notLoaded',
  status: 'inProgress',
  error: null,
  startedAt,
  completedAt: null,
  durationMs: null,
});
