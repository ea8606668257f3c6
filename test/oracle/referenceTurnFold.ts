/**
 * The oracle's own turn fold: the rules written out longhand, independent of the rule table the
 * engine's folds share (`domain/thread/turnRules.ts`, applied by `foldTurns.ts` and the turns /
 * items projections). The index is checked against this fold, so a rule changed in the table
 * alone shows up as a difference instead of passing both sides at once. It is the engine's fold
 * as it stood before the table (e3a9cbf), kept apart on purpose: do not make it use the table.
 */
import type { RolloutEvent } from '../../domain/rollout/event.js';
import type { EventPosition } from '../../domain/thread/eventPosition.js';
import type { ThreadItem, ThreadItemBody } from '../../domain/thread/threadItem.js';
import type { Turn, TurnError, TurnStatus } from '../../domain/thread/turn.js';
import { mapPaginatedItem, legacyUserContent } from '../../domain/thread/mapItem.js';
import { renderReviewOutput } from '../../domain/thread/reviewText.js';
import { toApiCodexErrorInfo } from '../../domain/thread/codexErrorInfo.js';
import { eventsOfResponseItem } from '../../domain/thread/responseMessage.js';

import type { HistoryMode } from '../../domain/rollout/historyMode.js';
import { codexReadsThreadSettings, codexReadsTurnContext } from '../../domain/rollout/kinds/turnContext.js';
import { codexReadsSessionMeta } from '../../domain/rollout/kinds/sessionMeta.js';
import type { UserMessageEvent } from '../../domain/rollout/kinds/legacyItemEvents.js';

export interface ItemEntry {
  readonly item: ThreadItem;
  /** The line that created the item (its `item_completed` line in paginated mode). */
  readonly position: EventPosition;
}

export interface TurnEntry {
  readonly id: string;
  rootTurnId: string | null;
  /** Position that orders the turn: its `task_started`, else its end; none: a legacy turn is ordered by its first item, a paginated one is not listed. */
  anchor: EventPosition | null;
  anchoredByStart: boolean;
  /** Position of the line that ended the turn, if any. */
  end: EventPosition | null;
  status: TurnStatus;
  error: TurnError | null;
  startedAt: number | null;
  completedAt: number | null;
  durationMs: number | null;
  items: ItemEntry[];
  firstItem: EventPosition | null;
}

export interface TurnFoldState {
  readonly mode: HistoryMode;
  readonly turns: Map<string, TurnEntry>;
  /** Legacy: the turn receiving items without an explicit turn id. */
  currentTurnId: string | null;
  /** Legacy: the API numbers items `item-1`, `item-2`, … across the whole thread. */
  legacyItemCount: number;
  /** Legacy: lines so far Codex cannot read (its implicit turn numbers skip them). */
  codexUnreadLines: number;
  /** Turn ids removed by `thread_rolled_back`; later events for them are ignored. */
  readonly dropped: Set<string>;
  /** Lines of a known kind whose payload did not decode: reported, never silently dropped. */
  readonly invalid: Array<{ position: EventPosition; reason: string }>;
  /**
   * Early (pre-envelope) rollouts hold only model-context response items, no item events:
   * for them the visible items are derived from the user/assistant messages and reasoning.
   */
  readonly itemsFromResponses: boolean;
}

export const emptyTurnFold = (mode: HistoryMode, opts: { itemsFromResponses?: boolean } = {}): TurnFoldState => ({
  mode,
  itemsFromResponses: opts.itemsFromResponses ?? false,
  turns: new Map(),
  currentTurnId: null,
  legacyItemCount: 0,
  codexUnreadLines: 0,
  dropped: new Set(),
  invalid: [],
});

const newTurn = (id: string): TurnEntry => ({
  id,
  rootTurnId: null,
  anchor: null,
  anchoredByStart: false,
  end: null,
  status: 'inProgress',
  error: null,
  startedAt: null,
  completedAt: null,
  durationMs: null,
  items: [],
  firstItem: null,
});

const getTurn = (s: TurnFoldState, id: string): TurnEntry | undefined => {
  if (s.dropped.has(id)) return undefined;
  let t = s.turns.get(id);
  if (!t) {
    t = newTurn(id);
    s.turns.set(id, t);
  }
  return t;
};

const addItem = (
  t: TurnEntry,
  body: ThreadItemBody,
  pos: EventPosition,
  startedAtMs: number | null,
  completedAtMs: number | null,
): void => {
  // Every caller hands a fresh body: complete it in place (an object spread is V8's slow path, per item).
  const item = body as ThreadItem;
  item.startedAtMs = startedAtMs;
  item.completedAtMs = completedAtMs;
  if (!t.firstItem) t.firstItem = pos;
  // A later completion of the same item id replaces it in place (Codex keys items by id).
  const i = t.items.findIndex((e) => e.item.id === item.id);
  if (i >= 0) t.items[i] = { item, position: t.items[i]!.position };
  else t.items.push({ item, position: pos });
};

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

const nextLegacyId = (s: TurnFoldState): string => {
  s.legacyItemCount += 1;
  return `item-${s.legacyItemCount}`;
};

/** Legacy: the open turn, or an implicit one (Codex's `rollout-<index>`, completed unless aborted) when items arrive before any `task_started`. */
const currentLegacyTurn = (s: TurnFoldState, pos: EventPosition): TurnEntry | undefined => {
  if (s.currentTurnId !== null) return getTurn(s, s.currentTurnId);
  const id = `rollout-${pos.seq - s.codexUnreadLines}`;
  const t = getTurn(s, id);
  if (t) {
    if (t.anchor === null) t.status = 'completed';
    t.anchor = pos;
    s.currentTurnId = id;
  }
  return t;
};

/**
 * The listed turns in order. Paginated: only a turn a `task_started`, `task_complete` or
 * `turn_aborted` named (its anchor); items naming any other turn are kept under its id but listed
 * with no turn (codex-rs thread-store `local/thread_history.rs` `apply_change_set`). Legacy: a turn
 * with items is listed by its first one.
 */
const orderPos = (s: TurnFoldState, t: TurnEntry): EventPosition | null =>
  s.mode === 'paginated' ? t.anchor : (t.anchor ?? t.firstItem);
const visibleOrder = (s: TurnFoldState): TurnEntry[] =>
  [...s.turns.values()]
    .filter((t) => orderPos(s, t) !== null)
    .sort((a, b) => orderPos(s, a)!.seq - orderPos(s, b)!.seq);

/** Paginated: a turn's first end is final (Codex updates a turn row only while it has no end). */
const endedInPaginated = (s: TurnFoldState, t: TurnEntry): boolean => s.mode === 'paginated' && t.end !== null;

/** The fields a turn end sets; shared by this fold and the turns projection. */
export interface EndableTurn<P> {
  anchor: P | null;
  end: P | null;
  status: TurnStatus;
  error: TurnError | null;
  startedAt: number | null;
  completedAt: number | null;
  durationMs: number | null;
  rootTurnId: string | null;
}

export type TurnEndPayload = {
  started_at?: number | null;
  completed_at?: number | null;
  duration_ms?: number | null;
  root_turn_id?: string | null;
};

/** Apply a `task_complete` / `turn_aborted` (or a kept status) to a turn. */
export const applyTurnEnd = <P>(
  mode: HistoryMode,
  t: EndableTurn<P>,
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

/** `task_complete`: failed with an error; a turn already failed or interrupted keeps that status. */
export const applyTaskComplete = <P>(
  mode: HistoryMode,
  t: EndableTurn<P>,
  pos: P,
  p: TurnEndPayload & { error?: { message: string; codex_error_info?: unknown; additional_details?: unknown } | null },
): void => {
  if (p.error) applyTurnEnd(mode, t, pos, 'failed', toTurnError(p.error), p);
  else if (t.status === 'failed' || t.status === 'interrupted') applyTurnEnd(mode, t, pos, t.status, t.error, p);
  else applyTurnEnd(mode, t, pos, 'completed', null, p);
};

const addLegacyUserMessage = (s: TurnFoldState, pos: EventPosition, payload: UserMessageEvent): void => {
  // A user message closes an implicit turn that already has content (it starts the next one).
  const open = s.currentTurnId === null ? undefined : s.turns.get(s.currentTurnId);
  if (
    open &&
    !open.anchoredByStart &&
    open.items.length > 0 &&
    !open.items.every((e) => e.item.type === 'contextCompaction')
  ) {
    s.currentTurnId = null;
  }
  const t = currentLegacyTurn(s, pos);
  if (t)
    addItem(
      t,
      {
        type: 'userMessage',
        id: nextLegacyId(s),
        clientId: payload.client_id ?? null,
        content: legacyUserContent(payload),
      },
      pos,
      null,
      null,
    );
};

/** Apply one event. Mutates and returns the state (the fold is linear; callers own the state). */
export const foldTurnEvent = (s: TurnFoldState, ev: RolloutEvent, pos: EventPosition): TurnFoldState => {
  switch (ev.kind) {
    case 'turnContext': {
      // Codex 0.169 cannot read a turn context tagged the old way (`sandbox_policy.mode`): that line takes no number.
      if (s.mode === 'legacy' && !codexReadsTurnContext(ev.payload)) s.codexUnreadLines += 1;
      return s;
    }
    case 'sessionMeta': {
      // Nor a later meta line without SessionMeta's required fields (the first is the thread's own).
      if (s.mode === 'legacy' && pos.seq !== 0 && !codexReadsSessionMeta(ev.payload)) s.codexUnreadLines += 1;
      return s;
    }
    case 'threadSettingsApplied': {
      // Nor a thread's settings line with a relative cwd or workspace root.
      if (s.mode === 'legacy' && !codexReadsThreadSettings(ev.payload.thread_settings)) s.codexUnreadLines += 1;
      return s;
    }
    case 'taskStarted': {
      const t = getTurn(s, ev.payload.turn_id);
      if (!t || endedInPaginated(s, t)) return s;
      if (!t.anchoredByStart) {
        t.anchor = pos;
        t.anchoredByStart = true;
      }
      t.startedAt = ev.payload.started_at ?? t.startedAt;
      t.rootTurnId = ev.payload.root_turn_id ?? t.rootTurnId;
      if (s.mode === 'legacy') s.currentTurnId = t.id;
      return s;
    }
    case 'taskComplete': {
      // Legacy: an id naming no turn completes the open one (Codex's `handle_turn_complete`).
      const named = s.mode !== 'legacy' || (s.turns.has(ev.payload.turn_id) && !s.dropped.has(ev.payload.turn_id));
      const t = named
        ? getTurn(s, ev.payload.turn_id)
        : s.currentTurnId === null
          ? undefined
          : getTurn(s, s.currentTurnId);
      if (!t || endedInPaginated(s, t)) return s;
      applyTaskComplete(s.mode, t, pos, ev.payload);
      if (s.mode === 'legacy' && s.currentTurnId === t.id) s.currentTurnId = null;
      return s;
    }
    case 'turnAborted': {
      // Legacy: an id naming no turn (or none) interrupts the open one (Codex's `handle_turn_aborted`).
      const named =
        ev.payload.turn_id != null &&
        (s.mode !== 'legacy' || (s.turns.has(ev.payload.turn_id) && !s.dropped.has(ev.payload.turn_id)));
      const id = named ? ev.payload.turn_id : s.currentTurnId;
      // `""` names a turn like any other id (measured on 0.169.0 by the fuzzer, 20261152:20:0:0:0:0:0).
      if (id == null) return s;
      const t = getTurn(s, id);
      if (!t || endedInPaginated(s, t)) return s;
      // Legacy: naming another turn, it leaves the times of a turn its task_started opened as they
      // were (measured on 0.169.0 by the fuzzer, 20261160:201:3).
      const keepTimes = !named && ev.payload.turn_id != null && t.anchoredByStart;
      applyTurnEnd(
        s.mode,
        t,
        pos,
        'interrupted',
        null,
        keepTimes ? { completed_at: t.completedAt, duration_ms: t.durationMs } : ev.payload,
      );
      // Legacy: 0.169 finishes the open turn it interrupts (measured: foldRules.compat.spec.ts).
      if (s.mode === 'legacy' && s.currentTurnId === t.id) s.currentTurnId = null;
      return s;
    }
    // Codex 0.169 does not read an error line back (rollout/src/policy.rs): it fails no turn.
    case 'error':
      return s;
    case 'threadRolledBack': {
      // Legacy only: Codex's paginated history does not apply the line (a revision file rolls back).
      if (s.mode !== 'legacy') return s;
      // The open turn is finished first, so it counts; N past the start clears every turn.
      s.currentTurnId = null;
      const order = visibleOrder(s);
      const n = Math.max(0, Math.min(ev.payload.num_turns, order.length));
      for (const t of order.slice(order.length - n)) {
        s.turns.delete(t.id);
        s.dropped.add(t.id);
      }
      // Legacy ids continue from the kept items: item-N numbers are reused after a rollback.
      s.legacyItemCount = [...s.turns.values()].reduce((acc, t) => acc + t.items.length, 0);
      return s;
    }
    case 'itemCompleted': {
      if (s.mode !== 'paginated' || ev.item === null) return s;
      const t = getTurn(s, ev.payload.turn_id);
      if (!t) return s;
      // thread_history_projection.rs: a completion at 0 is none.
      addItem(
        t,
        mapPaginatedItem(ev.item),
        pos,
        ev.payload.started_at_ms ?? null,
        ev.payload.completed_at_ms ? ev.payload.completed_at_ms : null,
      );
      return s;
    }
    case 'userMessage':
      if (s.mode === 'legacy') addLegacyUserMessage(s, pos, ev.payload);
      return s;
    case 'responseItem': {
      if (!s.itemsFromResponses) return s;
      for (const e of eventsOfResponseItem(ev.payload)) foldTurnEvent(s, e, pos);
      return s;
    }
    case 'agentMessage': {
      // A legacy message with a moderation makes no item (0.169.0, measured).
      if (
        s.mode !== 'legacy' ||
        ev.payload.message === '' ||
        (ev.payload.moderation !== undefined && ev.payload.moderation !== null)
      )
        return s;
      const t = currentLegacyTurn(s, pos);
      if (t)
        addItem(
          t,
          {
            type: 'agentMessage',
            moderation: null,
            id: nextLegacyId(s),
            text: ev.payload.message,
            phase: ev.payload.phase ?? null,
            memoryCitation: ev.payload.memory_citation ?? null,
            delivery: ev.payload.delivery ?? null,
            questions: ev.payload.questions
              ? ev.payload.questions.map((q) => ({ title: q.title, options: q.options ?? null }))
              : null,
          },
          pos,
          null,
          null,
        );
      return s;
    }
    case 'agentReasoning':
    case 'agentReasoningRawContent': {
      if (s.mode !== 'legacy') return s;
      const t = currentLegacyTurn(s, pos);
      if (!t) return s;
      const raw = ev.kind === 'agentReasoningRawContent';
      // Consecutive reasoning events extend the same reasoning item.
      const last = t.items[t.items.length - 1]?.item;
      if (last && last.type === 'reasoning') {
        (raw ? last.content : last.summary).push(ev.payload.text);
        return s;
      }
      addItem(
        t,
        {
          type: 'reasoning',
          id: nextLegacyId(s),
          summary: raw ? [] : [ev.payload.text],
          content: raw ? [ev.payload.text] : [],
        },
        pos,
        null,
        null,
      );
      return s;
    }
    case 'contextCompacted': {
      if (s.mode !== 'legacy') return s;
      const t = currentLegacyTurn(s, pos);
      // One compaction item per turn, however many markers were written.
      if (t && !t.items.some((e) => e.item.type === 'contextCompaction')) {
        addItem(t, { type: 'contextCompaction', id: nextLegacyId(s) }, pos, null, null);
      }
      return s;
    }
    case 'enteredReviewMode': {
      if (s.mode !== 'legacy') return s;
      const turnId = ev.payload.turn_id ?? s.currentTurnId;
      let t: TurnEntry | undefined;
      if (turnId) {
        t = getTurn(s, turnId);
        if (t && !t.anchor) t.anchor = pos;
        s.currentTurnId = turnId;
      } else t = currentLegacyTurn(s, pos);
      if (t) {
        const id = ev.payload.item_id ?? nextLegacyId(s);
        addItem(t, { type: 'enteredReviewMode', id, review: ev.payload.user_facing_hint ?? '' }, pos, null, null);
      }
      return s;
    }
    case 'exitedReviewMode': {
      if (s.mode !== 'legacy') return s;
      const t = ev.payload.turn_id ? getTurn(s, ev.payload.turn_id) : currentLegacyTurn(s, pos);
      if (t) {
        const id = ev.payload.item_id ?? nextLegacyId(s);
        addItem(
          t,
          { type: 'exitedReviewMode', id, review: renderReviewOutput(ev.payload.review_output) },
          pos,
          null,
          null,
        );
      }
      return s;
    }
    case 'invalid':
      s.invalid.push({
        position: pos,
        reason: `${ev.type}${ev.payloadType ? `/${ev.payloadType}` : ''}: ${ev.reason}`,
      });
      // Codex skips a line it cannot decode: it takes no place in implicit turn numbers.
      if (s.mode === 'legacy') s.codexUnreadLines += 1;
      return s;
    default:
      return s;
  }
};

/**
 * The visible turns in order, with `itemsView: "full"`. A turn that never ended reads as
 * `interrupted`: nothing is running it in this process (Codex reports the same when not loaded).
 */
export const visibleTurnEntries = (s: TurnFoldState): TurnEntry[] => visibleOrder(s);

/**
 * Every item in history order with its turn's id, its turn listed or not: a thread's items list
 * holds a paginated turn's items though no list shows the turn (Codex keeps them by the turn id
 * their lines name; measured on 0.169.0: unstartedTurns.compat.spec.ts).
 */
export const itemEntriesInOrder = (s: TurnFoldState): Array<{ readonly turnId: string; readonly entry: ItemEntry }> =>
  [...s.turns.values()]
    .flatMap((t) => t.items.map((entry) => ({ turnId: t.id, entry })))
    .sort((a, b) => a.entry.position.seq - b.entry.position.seq);

/** Whether an item counts for its turn's summary: in a paginated history, not one created after the turn's end (Codex sets a turn's summary items only while it has none). */
export const inSummary = (mode: HistoryMode, t: TurnEntry, e: ItemEntry): boolean =>
  mode !== 'paginated' || t.end === null || e.position.seq < t.end.seq;

export const toApiTurn = (t: TurnEntry): Turn => ({
  id: t.id,
  rootTurnId: t.rootTurnId,
  items: t.items.map((e) => e.item),
  itemsView: 'full',
  status: t.status === 'inProgress' ? 'interrupted' : t.status,
  error: t.error,
  startedAt: t.startedAt,
  completedAt: t.completedAt,
  durationMs: t.durationMs,
});
