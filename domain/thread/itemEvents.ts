import type { RolloutEvent } from '../rollout/event.js';
import type { ExtensionItem } from '../rollout/kinds/itemCompleted.js';
import type { ThreadItem, ThreadItemBody } from './threadItem.js';
import { hookPromptFragmentsOf } from './hookPrompt.js';
import { legacyUserContent, mapPaginatedItem, questionsOf } from './mapItem.js';
import { renderReviewOutput } from './reviewText.js';
import {
  fileChangeItem,
  generatedImageOf,
  imageGenerationItem,
  mcpOutcomeOf,
  mcpToolCallItem,
  patchStatusOf,
  subAgentActivityItem,
  webSearchItem,
} from './toolCallItem.js';
import { memoryCitationOf } from './memoryCitation.js';

/**
 * The events that make an item (`ItemEvent`) and the item each makes (`ITEM_OF_EVENT`,
 * `itemBodyOf`), and per `item_completed` type its API type and whether a legacy thread takes it
 * (`COMPLETED_ITEMS`). Tables keyed by kind, consulted by the turn rules (`turnRules.ts`: which
 * turn an item joins) and by both folds' stores (what an item is); its own file because what an
 * item is does not depend on which turn it joins.
 */

/** The rollout event of kind `K`. */
export type EventOf<K extends RolloutEvent['kind']> = Extract<RolloutEvent, { kind: K }>;

/** The events that make an item; `itemBodyOf` says which item. */
export type ItemEvent = EventOf<
  | 'itemCompleted'
  | 'userMessage'
  | 'agentMessage'
  | 'agentReasoning'
  | 'agentReasoningRawContent'
  | 'contextCompacted'
  | 'enteredReviewMode'
  | 'exitedReviewMode'
  | 'patchApplyEnd'
  | 'mcpToolCallEnd'
  | 'webSearchEnd'
  | 'subAgentActivity'
  | 'imageGenerationEnd'
  | 'responseItem'
>;
export type ReasoningEvent = EventOf<'agentReasoning' | 'agentReasoningRawContent'>;

type CompletedItem = NonNullable<EventOf<'itemCompleted'>['item']>;

/** The reason a legacy thread does not take an item of this type from its `item_completed` line. */
const LEGACY_EVENT_STANDS_FOR_IT = {
  notInLegacy: 'a legacy event stands for it (Codex writes `item_completed` only for kinds without one)',
} as const;

/** What an `item_completed` line of one type (or extension kind) makes, and whether a legacy thread takes it. */
interface CompletedEntry {
  readonly apiType: ThreadItem['type'];
  readonly legacy: true | { readonly notInLegacy: string };
}

/**
 * Per extension kind (an `Extension` item's `kind`): as `COMPLETED_ITEMS`. codex-rs
 * app-server-protocol v2/item.rs wraps each in its public item. In a legacy thread 0.169.0 shows
 * a sleep's (measured, items scenario) but no web search's or image generation's (measured:
 * test/compat/passThroughFields.compat.spec.ts), where `web_search_end` / `image_generation_end` stand for them.
 */
export const EXTENSION_ITEMS: { readonly [K in ExtensionItem['kind']]: CompletedEntry } = {
  'clock.sleep': { apiType: 'sleep', legacy: true },
  'web.search': { apiType: 'webSearch', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  'image_gen.generation': { apiType: 'imageGeneration', legacy: LEGACY_EVENT_STANDS_FOR_IT },
};

/**
 * Per item type of an `item_completed` line: the API's type of the item it makes (an `Extension`
 * item's by its kind, `EXTENSION_ITEMS`), and whether a legacy thread takes it from that line
 * (Codex writes those for the kinds no legacy event stands for) into the turn the line names, with
 * the line's times. Plan items without text are not shown (codex-rs
 * `ThreadHistoryBuilder::handle_item_completed`). `Extension`:
 * codex-rs/app-server-protocol/src/protocol/thread_history.rs (handle_materialized_item_lifecycle)
 * upserts extension items; 0.169.0 writes a sleep's into legacy threads and shows it with its times (measured).
 */
export const COMPLETED_ITEMS: { readonly [K in Exclude<CompletedItem['type'], 'Extension'>]: CompletedEntry } & {
  readonly Extension: typeof EXTENSION_ITEMS;
} = {
  UserMessage: { apiType: 'userMessage', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  AgentMessage: { apiType: 'agentMessage', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  Reasoning: { apiType: 'reasoning', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  CommandExecution: { apiType: 'commandExecution', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  FileChange: { apiType: 'fileChange', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  McpToolCall: { apiType: 'mcpToolCall', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  WebSearch: { apiType: 'webSearch', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  ImageView: { apiType: 'imageView', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  DynamicToolCall: { apiType: 'dynamicToolCall', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  CollabAgentToolCall: { apiType: 'collabAgentToolCall', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  ImageGeneration: { apiType: 'imageGeneration', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  HookPrompt: {
    apiType: 'hookPrompt',
    legacy: {
      notInLegacy: 'a legacy thread takes hook prompts from the user message that carries them (responseItem)',
    },
  },
  ContextCompaction: { apiType: 'contextCompaction', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  EnteredReviewMode: { apiType: 'enteredReviewMode', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  ExitedReviewMode: { apiType: 'exitedReviewMode', legacy: LEGACY_EVENT_STANDS_FOR_IT },
  SubAgentActivity: { apiType: 'subAgentActivity', legacy: true },
  FunctionCallOutput: { apiType: 'functionCallOutput', legacy: true },
  Plan: { apiType: 'plan', legacy: true },
  Extension: EXTENSION_ITEMS,
};

/** The entry of a completed item: its type's, or its extension kind's. */
const completedEntry = (item: CompletedItem): CompletedEntry =>
  item.type === 'Extension' ? EXTENSION_ITEMS[item.kind] : COMPLETED_ITEMS[item.type];

/** The API's type of the item a completed item makes. */
export const apiKind = (item: CompletedItem): ThreadItem['type'] => completedEntry(item).apiType;

/** Whether a legacy thread takes a completed item into a turn (its `legacy` entry; a plan without text is not shown). */
export const shownInLegacy = (item: CompletedItem): boolean =>
  completedEntry(item).legacy === true && (item.type !== 'Plan' || (item.text ?? '') !== '');

/** The phase an agent message's event records (paginated: its item's; legacy: the event's), as written. */
export const phaseOfItemEvent = (ev: ItemEvent): unknown =>
  ev.kind === 'itemCompleted'
    ? ev.item?.type === 'AgentMessage'
      ? ev.item.phase
      : undefined
    : ev.kind === 'agentMessage'
      ? ev.payload.phase
      : undefined;

/** The item each item event makes, named `id` (a paginated item keeps its own id): one entry per item event kind. */
export const ITEM_OF_EVENT: { readonly [K in ItemEvent['kind']]: (ev: EventOf<K>, id: string) => ThreadItemBody } = {
  itemCompleted: (ev) => mapPaginatedItem(ev.item!),
  // thread_history.rs `handle_user_message`: the event's client id, its inputs (`build_user_inputs`).
  userMessage: (ev, id) => ({
    type: 'userMessage',
    id,
    clientId: ev.payload.client_id ?? null,
    content: legacyUserContent(ev.payload),
  }),
  agentMessage: (ev, id) => ({
    type: 'agentMessage',
    // A message with a moderation makes no item (turnRules.ts).
    moderation: null,
    id,
    text: ev.payload.message,
    phase: ev.payload.phase ?? null,
    memoryCitation: memoryCitationOf(ev.payload.memory_citation),
    // thread_history.rs `handle_agent_message` copies the event's delivery.
    delivery: ev.payload.delivery ?? null,
    // 0.169.0 copies the event's questions (measured: test/compat/passThroughFields.compat.spec.ts).
    questions: questionsOf(ev.payload.questions),
  }),
  agentReasoning: (ev, id) => ({ type: 'reasoning', id, summary: [ev.payload.text], content: [] }),
  agentReasoningRawContent: (ev, id) => ({ type: 'reasoning', id, summary: [], content: [ev.payload.text] }),
  contextCompacted: (_ev, id) => ({ type: 'contextCompaction', id }),
  enteredReviewMode: (ev, id) => ({ type: 'enteredReviewMode', id, review: ev.payload.user_facing_hint ?? '' }),
  exitedReviewMode: (ev, id) => ({
    type: 'exitedReviewMode',
    id,
    review: renderReviewOutput(ev.payload.review_output),
  }),
  patchApplyEnd: (ev, id) =>
    fileChangeItem(id, ev.payload.changes ?? {}, patchStatusOf(ev.payload.status, ev.payload.success)),
  mcpToolCallEnd: (ev, id) => {
    const p = ev.payload;
    return mcpToolCallItem({
      id,
      server: p.invocation.server,
      tool: p.invocation.tool,
      arguments: p.invocation.arguments,
      duration: p.duration ?? null,
      ...mcpOutcomeOf(p.result),
      // codex-rs/app-server-protocol/src/protocol/thread_history.rs (mcp_tool_call_end): the event's facts, as the item's.
      connectorId: p.connector_id,
      linkId: p.link_id,
      resourceUri: p.mcp_app_resource_uri,
      appName: p.app_name,
      actionName: p.action_name,
      mcpAppUi: p.mcp_app_ui,
      pluginId: p.plugin_id,
      readOnlyHint: p.read_only_hint,
    });
  },
  webSearchEnd: (ev, id) => webSearchItem(id, ev.payload.query, ev.payload.action, ev.payload.results),
  subAgentActivity: (ev, id) => subAgentActivityItem(id, ev.payload),
  imageGenerationEnd: (ev, id) => {
    const p = ev.payload;
    return imageGenerationItem(id, p.status, {
      image: generatedImageOf(p),
      revisedPrompt: p.revised_prompt,
      savedPath: p.saved_path,
      transparentBackground: p.transparent_background,
      failure: p.failure,
      inputImages: p.input_images,
      generationId: p.generation_id,
    });
  },
  responseItem: (ev, id) => ({
    type: 'hookPrompt',
    id,
    fragments: ev.payload.type === 'message' ? (hookPromptFragmentsOf(ev.payload.content) ?? []) : [],
  }),
};

/** The item an item event makes, named `id` (a paginated item keeps its own id). */
export const itemBodyOf = (ev: ItemEvent, id: string): ThreadItemBody =>
  (ITEM_OF_EVENT[ev.kind] as (ev: ItemEvent, id: string) => ThreadItemBody)(ev, id);
