import * as t from 'io-ts';
import { optional } from './common.js';
import { serdeUnitEnum } from '../../serdeUnitEnum.js';

/** `event_msg/task_started`: a turn begins. */
export const TaskStarted = t.intersection([
  t.type({ type: t.literal('task_started'), turn_id: t.string }),
  t.partial({
    root_turn_id: optional(t.string),
    started_at: optional(t.number),
    model_context_window: optional(t.number),
    // `ModeKind`: a name, or serde's map form of it (read as the name, as Codex reads it).
    collaboration_mode_kind: optional(serdeUnitEnum(t.string)),
    turn_attribution: t.unknown,
  }),
]);
export type TaskStarted = t.TypeOf<typeof TaskStarted>;

export const TurnErrorPayload = t.intersection([
  t.type({ message: t.string }),
  t.partial({ codex_error_info: t.unknown, additional_details: t.unknown }),
]);

/** `event_msg/task_complete`: a turn ends; with `error` it failed. */
export const TaskComplete = t.intersection([
  t.type({ type: t.literal('task_complete'), turn_id: t.string }),
  t.partial({
    root_turn_id: optional(t.string),
    last_agent_message: optional(t.string),
    started_at: optional(t.number),
    completed_at: optional(t.number),
    duration_ms: optional(t.number),
    time_to_first_token_ms: optional(t.number),
    error: optional(TurnErrorPayload),
  }),
]);
export type TaskComplete = t.TypeOf<typeof TaskComplete>;

/** `event_msg/turn_aborted`: an interrupted turn ends. */
export const TurnAborted = t.intersection([
  t.type({ type: t.literal('turn_aborted') }),
  t.partial({
    turn_id: optional(t.string),
    root_turn_id: optional(t.string),
    reason: optional(serdeUnitEnum(t.string)),
    started_at: optional(t.number),
    completed_at: optional(t.number),
    duration_ms: optional(t.number),
  }),
]);
export type TurnAborted = t.TypeOf<typeof TurnAborted>;

/** `event_msg/thread_rolled_back`: earlier Codex's rollback marker; drops the last N turns. */
export const ThreadRolledBack = t.type({ type: t.literal('thread_rolled_back'), num_turns: t.number });
export type ThreadRolledBack = t.TypeOf<typeof ThreadRolledBack>;

export const ThreadSettingsApplied = t.intersection([
  t.type({ type: t.literal('thread_settings_applied') }),
  t.partial({ thread_id: optional(t.string), thread_settings: t.unknown }),
]);

export const TokenCount = t.intersection([
  t.type({ type: t.literal('token_count') }),
  t.partial({ info: t.unknown, rate_limits: t.unknown }),
]);
