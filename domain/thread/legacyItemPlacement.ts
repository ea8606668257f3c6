/**
 * Where a legacy thread's items go, as the turn rules (`turnRules.ts`) place them: the open turn
 * (an implicit one when none is), or a turn Codex knows by the id the item names; and the
 * `item-N` ids Codex numbers them with.
 */
import type { FoldCursor, TurnRule, TurnState, TurnStore } from './turnFoldState.js';
import type { EventOf } from './itemEvents.js';
import { hookPromptFragmentsOf } from './hookPrompt.js';

/** The next `item-N` id: Codex numbers a legacy thread's items in the order it reads them. */
export const nextLegacyId = (c: FoldCursor): string => {
  c.legacyItemCount += 1;
  return `item-${c.legacyItemCount}`;
};

/**
 * Legacy: the open turn, or an implicit one when items arrive before any `task_started`. Codex
 * (`app-server-protocol/src/protocol/thread_history.rs` `ThreadHistoryBuilder::new_turn`) names it
 * `rollout-<index of the line that opened it>` and starts it `Completed`, with no times: only a
 * `turn_aborted` makes it interrupted (Codex 0.32–0.99 wrote no `task_started`, so every turn of
 * their files is one of these).
 */
export const currentLegacyTurn = <T extends TurnState<P>, P>(
  s: TurnStore<T, P>,
  c: FoldCursor,
  pos: P,
): T | undefined => {
  if (c.currentTurnId !== null) return s.turn(c.currentTurnId);
  const id = `rollout-${s.implicitTurnKey(pos) - c.codexUnreadLines}`;
  const t = s.turn(id);
  if (t) {
    if (t.anchor === null) t.status = 'completed';
    t.anchor = pos;
    c.currentTurnId = id;
  }
  return t;
};

/** A legacy thread's user-role model-context message that is a hook prompt (see `hookPrompt.ts`). */
export const isHookPromptMessage = (
  p: EventOf<'responseItem'>['payload'],
): p is Extract<EventOf<'responseItem'>['payload'], { type: 'message' }> =>
  p.type === 'message' && p.role === 'user' && hookPromptFragmentsOf(p.content) !== null;

/**
 * Legacy: the turn an item's event names, if Codex knows it (the open turn or one that ended, not
 * one rolled back or never started): Codex drops an item naming any other (codex-rs
 * `app-server-protocol/src/protocol/thread_history.rs` `upsert_item_in_turn_id`, "dropping
 * turn-scoped item for unknown turn id"; measured on 0.169.0: foldRules.compat.spec.ts).
 */
export const knownLegacyTurn = <T extends TurnState<P>, P>(s: TurnStore<T, P>, turnId: string): T | undefined =>
  s.storedTurn(turnId) === undefined ? undefined : s.turn(turnId);

/**
 * Legacy tool calls keep their call id and take no `item-N` number. A file change or an MCP call
 * joins the turn it names if Codex knows it, else none (`handle_patch_apply_end`,
 * `handle_mcp_tool_call_end`); a web search joins the open turn whatever it names
 * (`handle_web_search_end`: `upsert_item_in_current_turn`); without a turn id, the open turn.
 */
export const legacyToolCall: TurnRule<'patchApplyEnd' | 'mcpToolCallEnd' | 'webSearchEnd'> = (s, c, ev, pos) => {
  if (c.mode !== 'legacy') return;
  const named = ev.kind !== 'webSearchEnd' && ev.payload.turn_id;
  const t = named ? knownLegacyTurn(s, named) : currentLegacyTurn(s, c, pos);
  if (t) s.addItem(t, ev.payload.call_id, apiKindOfEvent[ev.kind], ev, pos, null, null);
  s.saveCursor();
};

const apiKindOfEvent = {
  patchApplyEnd: 'fileChange',
  mcpToolCallEnd: 'mcpToolCall',
  webSearchEnd: 'webSearch',
} as const;

/** Consecutive reasoning events extend the same reasoning item. */
export const addReasoning: TurnRule<'agentReasoning' | 'agentReasoningRawContent'> = (s, c, ev, pos) => {
  // An empty part is none (codex-rs app-server-protocol thread_history.rs `handle_agent_reasoning`).
  if (c.mode !== 'legacy' || ev.payload.text === '') return;
  const t = currentLegacyTurn(s, c, pos);
  if (!t) return;
  if (!s.extendReasoning(t, ev, pos)) s.addItem(t, nextLegacyId(c), 'reasoning', ev, pos, null, null);
  s.saveCursor();
};
