import * as t from 'io-ts';
import { optional } from './common.js';
import { ReviewOutput } from './legacyItemEvents.js';
import {
  CollabAgentToolCallItem,
  DynamicToolCallItem,
  FileChangeItem,
  FunctionCallOutputItem,
  HookPromptItem,
  ImageGenerationItem,
  ImageViewItem,
  McpToolCallItem,
  PlanItem,
  SleepItem,
  SubAgentActivityItem,
  WebSearchItem,
} from './toolCallItems.js';

/** Paginated-mode items inside `event_msg/item_completed` (PascalCase types, snake_case fields). */
export const UserMessageItem = t.intersection([
  t.type({ type: t.literal('UserMessage'), id: t.string }),
  t.partial({ content: t.array(t.UnknownRecord), client_id: optional(t.string) }),
]);
export const AgentMessageItem = t.intersection([
  t.type({ type: t.literal('AgentMessage'), id: t.string }),
  t.partial({ content: t.array(t.UnknownRecord), phase: t.unknown, memory_citation: t.unknown }),
]);
export const ReasoningItem = t.intersection([
  t.type({ type: t.literal('Reasoning'), id: t.string }),
  t.partial({ summary_text: t.array(t.string), raw_content: t.array(t.string) }),
]);
export const ParsedCommand = t.intersection([
  t.type({ type: t.string }),
  t.partial({ cmd: t.string, name: optional(t.string), path: optional(t.string), query: optional(t.string) }),
]);
export type ParsedCommand = t.TypeOf<typeof ParsedCommand>;
export const CommandExecutionItem = t.intersection([
  t.type({ type: t.literal('CommandExecution'), id: t.string, command: t.array(t.string) }),
  t.partial({
    process_id: optional(t.string),
    cwd: optional(t.string),
    parsed_cmd: t.array(ParsedCommand),
    source: optional(t.string),
    status: optional(t.string),
    aggregated_output: optional(t.string),
    exit_code: optional(t.number),
    duration: optional(t.type({ secs: t.number, nanos: t.number })),
  }),
]);
export type CommandExecutionItem = t.TypeOf<typeof CommandExecutionItem>;
export const ContextCompactionItem = t.type({ type: t.literal('ContextCompaction'), id: t.string });
export const EnteredReviewModeItem = t.intersection([
  t.type({ type: t.literal('EnteredReviewMode'), id: t.string }),
  t.partial({ target: t.unknown, user_facing_hint: optional(t.string) }),
]);
export const ExitedReviewModeItem = t.intersection([t.type({ type: t.literal('ExitedReviewMode'), id: t.string }), t.partial({ review_output: optional(ReviewOutput) })]);

export const KnownTurnItem = t.union([
  UserMessageItem,
  AgentMessageItem,
  ReasoningItem,
  CommandExecutionItem,
  ContextCompactionItem,
  EnteredReviewModeItem,
  ExitedReviewModeItem,
  FileChangeItem,
  McpToolCallItem,
  WebSearchItem,
  ImageViewItem,
  DynamicToolCallItem,
  CollabAgentToolCallItem,
  PlanItem,
  SleepItem,
  HookPromptItem,
  SubAgentActivityItem,
  ImageGenerationItem,
  FunctionCallOutputItem,
]);
export type KnownTurnItem = t.TypeOf<typeof KnownTurnItem>;

/** The item types this version renders: one of these with a broken shape is invalid, any other type is not rendered. */
export const KNOWN_TURN_ITEM_TYPES: ReadonlySet<string> = new Set(
  KnownTurnItem.types.map((c) => {
    const tagged = 'types' in c ? c.types[0] : c;
    return (tagged.props as { type: t.LiteralC<string> }).type.value;
  }),
);

export const ItemCompleted = t.intersection([
  t.type({ type: t.literal('item_completed'), turn_id: t.string, item: t.intersection([t.type({ type: t.string }), t.UnknownRecord]) }),
  t.partial({ thread_id: optional(t.string), started_at_ms: optional(t.number), completed_at_ms: optional(t.number) }),
]);
export type ItemCompleted = t.TypeOf<typeof ItemCompleted>;
