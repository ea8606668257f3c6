import * as t from 'io-ts';
import { optional } from './common.js';
import { serdeUnitEnum } from '../../serdeUnitEnum.js';
import {
  AgentMessageDelivery,
  AgentMessageModeration,
  AsyncUserInputQuestion,
  MessagePhaseName,
  ReviewOutput,
} from './legacyItemEvents.js';
import {
  CollabAgentToolCallItem,
  DynamicToolCallItem,
  EXTENSION_KINDS,
  ExtensionImageGenerationItem,
  ExtensionSleepItem,
  ExtensionWebSearchItem,
  FileChangeItem,
  FunctionCallOutputItem,
  HookPromptItem,
  ImageGenerationItem,
  ImageViewItem,
  McpToolCallItem,
  PlanItem,
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
  // codex-rs/protocol/src/items.rs `AgentMessageItem` (`delivery`: `AgentMessageDelivery`, as the
  // legacy event's). `questions`, `moderation`: 0.169.0's, not in the source basis (their types: legacyItemEvents.ts).
  t.partial({
    content: t.array(t.UnknownRecord),
    phase: MessagePhaseName,
    memory_citation: t.unknown,
    delivery: optional(AgentMessageDelivery),
    questions: optional(t.array(AsyncUserInputQuestion)),
    moderation: optional(AgentMessageModeration),
  }),
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
  // codex-rs/protocol/src/items.rs `CommandExecutionItem`: `plugin_id`, `script_path` are `Option<String>`.
  t.partial({
    plugin_id: optional(t.string),
    script_path: optional(t.string),
    process_id: optional(t.string),
    cwd: optional(t.string),
    parsed_cmd: t.array(ParsedCommand),
    source: optional(serdeUnitEnum(t.string)),
    status: optional(serdeUnitEnum(t.string)),
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
export const ExitedReviewModeItem = t.intersection([
  t.type({ type: t.literal('ExitedReviewMode'), id: t.string }),
  t.partial({ review_output: optional(ReviewOutput) }),
]);

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
  ExtensionSleepItem,
  ExtensionWebSearchItem,
  ExtensionImageGenerationItem,
  HookPromptItem,
  SubAgentActivityItem,
  ImageGenerationItem,
  FunctionCallOutputItem,
]);
export type KnownTurnItem = t.TypeOf<typeof KnownTurnItem>;
/** An item an extension owns (`type: "Extension"`), by its `kind`. */
export type ExtensionItem = Extract<KnownTurnItem, { type: 'Extension' }>;

/** The item types this version renders: one of these with a broken shape is invalid, any other type is not rendered. */
export const KNOWN_TURN_ITEM_TYPES: ReadonlySet<string> = new Set(
  KnownTurnItem.types.map((c) => {
    const tagged = 'types' in c ? c.types[0] : c;
    return (tagged.props as { type: t.LiteralC<string> }).type.value;
  }),
);

/**
 * Whether an item this version did not decode is one it renders, broken (invalid), rather than one
 * it does not render: an `Extension` item counts by its `kind` (an extension's kind the app-server
 * has no wrapper for is not rendered: codex-rs/ext/items/src/lib.rs).
 */
export const isKnownTurnItemShape = (item: { readonly type: string; readonly [k: string]: unknown }): boolean =>
  KNOWN_TURN_ITEM_TYPES.has(item.type) &&
  (item.type !== 'Extension' || (typeof item['kind'] === 'string' && EXTENSION_KINDS.has(item['kind'])));

export const ItemCompleted = t.intersection([
  t.type({
    type: t.literal('item_completed'),
    turn_id: t.string,
    item: t.intersection([t.type({ type: t.string }), t.UnknownRecord]),
  }),
  t.partial({ thread_id: optional(t.string), started_at_ms: optional(t.number), completed_at_ms: optional(t.number) }),
]);
export type ItemCompleted = t.TypeOf<typeof ItemCompleted>;
