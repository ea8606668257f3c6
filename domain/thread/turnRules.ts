import type { RolloutEvent } from '../rollout/event.js';
import type { FoldCursor, TurnRule, TurnState, TurnStore } from './turnFoldState.js';
import { apiKind, shownInLegacy } from './itemEvents.js';
import { eventsOfResponseItem } from './responseMessage.js';
import { applyTurnEnd, endedInPaginated, timesOf, toTurnError } from './turnEnds.js';
import {
  addReasoning,
  currentLegacyTurn,
  isHookPromptMessage,
  knownLegacyTurn,
  legacyToolCall,
  nextLegacyId,
} from './legacyItemPlacement.js';
import { codexReadsThreadSettings, codexReadsTurnContext } from '../rollout/kinds/turnContext.js';
import { codexReadsSessionMeta } from '../rollout/kinds/sessionMeta.js';
import { hiddenByModeration } from '../rollout/kinds/legacyItemEvents.js';

/**
 * The turn fold's rules, declared once: which event anchors a turn, ends it, fails it, which
 * errors count, what a rollback drops, how legacy items are numbered and grouped. Two folds
 * consult this table: the whole-history fold (`foldTurns.ts`, turns in memory) and the index's
 * turns and items projections (turns as rows). Each supplies a `TurnStore`, how it keeps turns
 * and items; a rule changed here changes both. The state they keep and the store's interface are
 * `turnFoldState.ts`'s; the item each event makes, `itemEvents.ts`'s; how a turn ends,
 * `turnEnds.ts`'s; which turn a legacy item joins and its `item-N` id, `legacyItemPlacement.ts`'s.
 */

/** The last `n` visible turns (a rollback's), and the ones it keeps: N past the start clears every turn. */
export const splitRolledBack = <T>(visible: readonly T[], n: number): { kept: readonly T[]; dropped: readonly T[] } => {
  const cut = visible.length - Math.max(0, Math.min(n, visible.length));
  return { kept: visible.slice(0, cut), dropped: visible.slice(cut) };
};

/** What a rule changes: the turns projection applies the `turn` rules, the items projection the `item` rules. */
export type RuleFamily = 'turn' | 'item';

/** A kind no turn rule reads, and why. */
type NoRule = { readonly noRule: string };

/** One entry per event kind: its rule, or why it has none (a kind added to `RolloutEvent` is a compile error here until decided). */
type RuleTable = {
  readonly [K in RolloutEvent['kind']]: { readonly family: RuleFamily; readonly apply: TurnRule<K> } | NoRule;
};

export const TURN_RULES: RuleTable = {
  // The thread's facts are the threads projection's; here only whether Codex reads a later meta line
  // (implicit turn numbers): one without `SessionMeta`'s required fields does not decode (codex-rs
  // `protocol/src/protocol.rs`; measured: foldRules.compat.spec.ts). The first line is the thread's
  // own meta: a thread Codex cannot read at all (pre-envelope, upcast), whose numbers stay ours.
  sessionMeta: {
    family: 'turn',
    apply: (s, c, ev, pos) => {
      if (c.mode !== 'legacy' || s.implicitTurnKey(pos) === 0 || codexReadsSessionMeta(ev.payload)) return;
      c.codexUnreadLines += 1;
      s.saveCursor();
    },
  },
  // The turn's settings are threadMeta.ts's; here only whether Codex reads the line (implicit turn numbers).
  turnContext: {
    family: 'turn',
    apply: (s, c, ev) => {
      if (c.mode !== 'legacy' || codexReadsTurnContext(ev.payload)) return;
      c.codexUnreadLines += 1;
      s.saveCursor();
    },
  },
  // The thread's settings are threadMeta.ts's; here only whether Codex reads the line (implicit turn numbers).
  threadSettingsApplied: {
    family: 'turn',
    apply: (s, c, ev) => {
      if (c.mode !== 'legacy' || codexReadsThreadSettings(ev.payload.thread_settings)) return;
      c.codexUnreadLines += 1;
      s.saveCursor();
    },
  },
  worldState: { noRule: 'model context only' },
  tokenUsageRecord: { noRule: 'token usage (domain/tokens)' },
  tokenCount: { noRule: 'token usage (domain/tokens)' },
  // The compaction item comes from context_compacted / item_completed; a compaction Codex reads (one
  // with its message) outside any turn opens an implicit turn, as every line its legacy history
  // builder handles does (codex-rs app-server-protocol `thread_history.rs`; measured on 0.169.0: an
  // empty `rollout-<line>` turn between two explicit ones, metaRules.compat.spec.ts). Its payload is
  // not read: a skipped line stands for it (projections/runner.ts).
  compacted: {
    family: 'turn',
    apply: (s, c, _ev, pos) => {
      if (c.mode !== 'legacy') return;
      const t = currentLegacyTurn(s, c, pos);
      if (t) s.saveTurn(t);
      s.saveCursor();
    },
  },
  other: { noRule: 'a kind the decoder does not interpret' },
  invalid: { noRule: 'reported by the fold (foldTurns.ts) and quarantined by the index; changes no turn' },
  taskStarted: {
    family: 'turn',
    apply: (s, c, ev, pos) => {
      const t = s.turn(ev.payload.turn_id);
      if (!t || endedInPaginated(c, t)) return;
      if (!t.anchoredByStart) {
        t.anchor = pos;
        t.anchoredByStart = true;
      }
      t.startedAt = ev.payload.started_at ?? t.startedAt;
      t.startedAtByStart = t.startedAt;
      t.rootTurnId = ev.payload.root_turn_id ?? t.rootTurnId;
      s.saveTurn(t);
      if (c.mode === 'legacy') {
        c.currentTurnId = t.id;
        s.saveCursor();
      }
    },
  },
  taskComplete: {
    family: 'turn',
    apply: (s, c, ev, pos) => {
      // Legacy: one naming no turn of the file completes the open turn, whatever its id, or nothing
      // (thread_history.rs `handle_turn_complete`, D10 of docs/codex-source/legacy-turn-fold.md):
      // its `task_started` may be a line Codex did not decode (codexSerde.ts).
      const named = c.mode !== 'legacy' || s.storedTurn(ev.payload.turn_id) !== undefined;
      const t = named ? s.turn(ev.payload.turn_id) : c.currentTurnId === null ? undefined : s.turn(c.currentTurnId);
      if (!t || endedInPaginated(c, t)) return;
      // Failed with an error; a turn already failed or interrupted keeps that status.
      const p = ev.payload;
      if (p.error) applyTurnEnd(c.mode, t, pos, 'failed', toTurnError(p.error), p);
      else if (t.status === 'failed' || t.status === 'interrupted') applyTurnEnd(c.mode, t, pos, t.status, t.error, p);
      else applyTurnEnd(c.mode, t, pos, 'completed', null, p);
      s.ended(t);
      s.saveTurn(t);
      if (c.mode === 'legacy' && c.currentTurnId === t.id) {
        c.currentTurnId = null;
        s.saveCursor();
      }
    },
  },
  turnAborted: {
    family: 'turn',
    apply: (s, c, ev, pos) => {
      // Legacy: one naming no turn of the file (none, or one Codex did not decode, or one rolled
      // back) interrupts the open turn, whatever its id, or nothing (codex-rs
      // `app-server-protocol/src/protocol/thread_history.rs` `handle_turn_aborted`; measured on
      // 0.169.0: foldRules.compat.spec.ts), as a `task_complete` does.
      const named =
        ev.payload.turn_id != null && (c.mode !== 'legacy' || s.storedTurn(ev.payload.turn_id) !== undefined);
      const id = named ? ev.payload.turn_id : c.currentTurnId;
      // `""` is an id like any other: a paginated abort naming it is a turn of its own (measured on
      // 0.169.0: fuzzer `--replay 20261152:20:0:0:0:0:0`, a turn `""` interrupted, no items).
      if (id == null) return;
      const t = s.turn(id);
      if (!t || endedInPaginated(c, t)) return;
      // Legacy: an abort naming another turn stamps none of its times on a turn its task_started
      // opened (measured on 0.169.0: fuzzer `--replay 20261160:201:3`, completedAt and durationMs
      // null; an implicit turn, or an abort naming no turn, takes them).
      const othersTimes = !named && ev.payload.turn_id != null && t.anchoredByStart;
      applyTurnEnd(c.mode, t, pos, 'interrupted', null, othersTimes ? timesOf(t) : ev.payload);
      s.ended(t);
      s.saveTurn(t);
      // Legacy: 0.169 finishes the open turn it interrupts, so a later item (a user message, an
      // answer) opens an implicit `rollout-<index>` turn, as after a `task_complete` (measured on
      // 0.169.0 against codex-rs `thread_history.rs` `handle_turn_aborted`, which at the commits
      // read leaves it open: foldRules.compat.spec.ts, the fuzzer's `--replay 20261209:19:0:1:1`).
      if (c.mode === 'legacy' && c.currentTurnId === t.id) {
        c.currentTurnId = null;
        s.saveCursor();
      }
    },
  },
  // Legacy history never hands an `error` line to the turn builder: Codex does not keep it among the
  // events it reads back (codex-rs `rollout/src/policy.rs`), so a turn an error interrupted ends as
  // its `task_complete` / `turn_aborted` says, or `completed` (measured on 0.169.0:
  // foldRules.compat.spec.ts); a paginated turn fails only by its `task_complete`'s error.
  error: { noRule: 'Codex 0.169 does not read it back (rollout/src/policy.rs): it fails no turn' },
  threadRolledBack: {
    family: 'turn',
    apply: (s, c, ev) => {
      // Legacy only: a paginated thread is rolled back by a revision file (its history_base), and
      // Codex's paginated history shows the turns before a `thread_rolled_back` line in one
      // (measured on 0.169.0 by the differential fuzzer, test/fuzz/).
      if (c.mode !== 'legacy') return;
      // The open turn is finished first, so it counts.
      c.currentTurnId = null;
      const { kept, dropped } = splitRolledBack(s.visibleTurns(), ev.payload.num_turns);
      s.drop(dropped);
      // Legacy ids continue from the kept items: item-N numbers are reused after a rollback.
      c.legacyItemCount = kept.reduce((acc, t) => acc + s.itemCount(t), 0);
      s.saveCursor();
    },
  },
  responseItem: {
    family: 'item',
    apply: (s, c, ev, pos) => {
      // Early rollouts have no item events: their response items stand for them.
      if (s.itemsFromResponses) {
        for (const e of eventsOfResponseItem(ev.payload)) applyTurnRule(s, c, e, pos);
        return;
      }
      // codex-rs/app-server-protocol/src/protocol/thread_history.rs (handle_response_item): a legacy
      // thread shows a hook prompt message as a hook prompt item, pushed into the open turn (an
      // implicit one if none is) under the message's id, taking no `item-N` number and no times
      // (measured on 0.169.0: a Stop hook's continuation). A message without an id gets a fresh
      // UUID from Codex at every read; here one named after its line, the same at every read.
      if (c.mode !== 'legacy' || !isHookPromptMessage(ev.payload)) return;
      const t = currentLegacyTurn(s, c, pos);
      if (t) s.addItem(t, ev.payload.id ?? `hook-prompt-${s.implicitTurnKey(pos)}`, 'hookPrompt', ev, pos, null, null);
      s.saveCursor();
    },
  },
  itemCompleted: {
    family: 'item',
    apply: (s, c, ev, pos) => {
      if (ev.item === null) return;
      if (c.mode === 'legacy') {
        const t = shownInLegacy(ev.item) ? knownLegacyTurn(s, ev.payload.turn_id) : undefined;
        if (t)
          s.addItem(
            t,
            ev.item.id,
            apiKind(ev.item),
            ev,
            pos,
            ev.payload.started_at_ms ?? null,
            ev.payload.completed_at_ms ?? null,
          );
        return;
      }
      // Paginated: the item joins the turn its line names, started or not; a turn no lifecycle line
      // names keeps its items but is listed nowhere (turnFoldState.ts `listedTurnPos`).
      // A completion time of 0 is none (codex-rs app-server-protocol `thread_history_projection.rs`:
      // `(event.completed_at_ms != 0).then_some(..)`); the start time is as the line has it.
      const t = s.turn(ev.payload.turn_id);
      const completedAtMs = ev.payload.completed_at_ms ?? 0;
      if (t)
        s.addItem(
          t,
          ev.item.id,
          apiKind(ev.item),
          ev,
          pos,
          ev.payload.started_at_ms ?? null,
          completedAtMs !== 0 ? completedAtMs : null,
        );
    },
  },
  userMessage: {
    family: 'item',
    apply: (s, c, ev, pos) => {
      if (c.mode !== 'legacy') return;
      // A user message closes an implicit turn that already has content (it starts the next one).
      const open = c.currentTurnId === null ? undefined : s.storedTurn(c.currentTurnId);
      if (open && !open.anchoredByStart && s.hasContent(open)) c.currentTurnId = null;
      const t = currentLegacyTurn(s, c, pos);
      if (t) s.addItem(t, nextLegacyId(c), 'userMessage', ev, pos, null, null);
      s.saveCursor();
    },
  },
  agentMessage: {
    family: 'item',
    apply: (s, c, ev, pos) => {
      // 0.169.0 shows no item for a legacy message with any moderation but null (measured:
      // test/compat/passThroughFields.compat.spec.ts; the paginated item's moderation is copied).
      if (c.mode !== 'legacy' || ev.payload.message === '' || hiddenByModeration(ev.payload)) return;
      const t = currentLegacyTurn(s, c, pos);
      if (t) s.addItem(t, nextLegacyId(c), 'agentMessage', ev, pos, null, null);
      s.saveCursor();
    },
  },
  agentReasoning: { family: 'item', apply: (s, c, ev, pos) => addReasoning(s, c, ev, pos) },
  agentReasoningRawContent: { family: 'item', apply: (s, c, ev, pos) => addReasoning(s, c, ev, pos) },
  contextCompacted: {
    family: 'item',
    apply: (s, c, ev, pos) => {
      if (c.mode !== 'legacy') return;
      const t = currentLegacyTurn(s, c, pos);
      // One compaction item per turn, however many markers were written.
      if (t && !s.hasCompaction(t)) s.addItem(t, nextLegacyId(c), 'contextCompaction', ev, pos, null, null);
      else if (t) s.saveTurn(t);
      s.saveCursor();
    },
  },
  enteredReviewMode: {
    family: 'item',
    apply: (s, c, ev, pos) => {
      if (c.mode !== 'legacy') return;
      const turnId = ev.payload.turn_id ?? c.currentTurnId;
      let t;
      if (turnId) {
        t = s.turn(turnId);
        if (t && !t.anchor) t.anchor = pos;
        c.currentTurnId = turnId;
      } else t = currentLegacyTurn(s, c, pos);
      if (t) s.addItem(t, ev.payload.item_id ?? nextLegacyId(c), 'enteredReviewMode', ev, pos, null, null);
      s.saveCursor();
    },
  },
  exitedReviewMode: {
    family: 'item',
    apply: (s, c, ev, pos) => {
      if (c.mode !== 'legacy') return;
      const t = ev.payload.turn_id ? s.turn(ev.payload.turn_id) : currentLegacyTurn(s, c, pos);
      if (t) s.addItem(t, ev.payload.item_id ?? nextLegacyId(c), 'exitedReviewMode', ev, pos, null, null);
      s.saveCursor();
    },
  },
  patchApplyEnd: { family: 'item', apply: (s, c, ev, pos) => legacyToolCall(s, c, ev, pos) },
  mcpToolCallEnd: { family: 'item', apply: (s, c, ev, pos) => legacyToolCall(s, c, ev, pos) },
  webSearchEnd: { family: 'item', apply: (s, c, ev, pos) => legacyToolCall(s, c, ev, pos) },
  // Sub-agent activity and image generations keep their event's id and join the open turn; an
  // activity's completion time is when it occurred.
  subAgentActivity: {
    family: 'item',
    apply: (s, c, ev, pos) => {
      if (c.mode !== 'legacy') return;
      const t = currentLegacyTurn(s, c, pos);
      if (t) s.addItem(t, ev.payload.event_id, 'subAgentActivity', ev, pos, null, ev.payload.occurred_at_ms ?? null);
      s.saveCursor();
    },
  },
  imageGenerationEnd: {
    family: 'item',
    apply: (s, c, ev, pos) => {
      if (c.mode !== 'legacy') return;
      const t = currentLegacyTurn(s, c, pos);
      if (t) s.addItem(t, ev.payload.call_id, 'imageGeneration', ev, pos, null, null);
      s.saveCursor();
    },
  },
};

type AnyRule = { readonly family: RuleFamily; readonly apply: TurnRule<RolloutEvent['kind']> };

/** The table as a Map: most events have no rule, and a miss on an object literal walks its prototype (slow per line). */
const RULES_BY_KIND: ReadonlyMap<string, AnyRule> = new Map(
  (Object.entries(TURN_RULES) as Array<[string, AnyRule | NoRule]>).flatMap(([kind, rule]) =>
    'noRule' in rule ? [] : [[kind, rule] as const],
  ),
);

/** The family of the rule for an event kind (undefined: no turn rule reads it). */
export const ruleFamilyOf = (kind: RolloutEvent['kind']): RuleFamily | undefined => RULES_BY_KIND.get(kind)?.family;

/** Apply the rule for one event (none: nothing changes). */
export const applyTurnRule = <T extends TurnState<P>, P>(
  s: TurnStore<T, P>,
  c: FoldCursor,
  ev: RolloutEvent,
  pos: P,
): void => {
  RULES_BY_KIND.get(ev.kind)?.apply(s, c, ev as never, pos);
};
