import type { ExtensionItem, KnownTurnItem } from '../rollout/kinds/itemCompleted.js';
import type {
  AgentMessageModeration,
  AsyncUserInputQuestion,
  UserMessageEvent,
} from '../rollout/kinds/legacyItemEvents.js';
import type { AgentMessageModerationBody, ThreadItemBody, UserInputContent } from './threadItem.js';
import { shellJoin } from './shellJoin.js';
import { toCommandAction } from './commandActions.js';
import { renderReviewOutput } from './reviewText.js';
import { snakeToCamel } from './snakeToCamel.js';
import {
  collabAgentStatesOf,
  durationMsOf,
  extensionWebSearchItem,
  fileChangeItem,
  functionCallOutputOf,
  generatedImageOf,
  imageGenerationItem,
  mcpToolCallItem,
  pathOfFileUrl,
  subAgentActivityItem,
  webSearchItem,
} from './toolCallItem.js';
import { memoryCitationOf } from './memoryCitation.js';

/** Shown for a review whose request carried no hint. */
export const REVIEW_REQUESTED = 'Review requested.';

const textOf = (content: ReadonlyArray<Record<string, unknown>> | undefined): string =>
  (content ?? []).map((c) => (typeof c['text'] === 'string' ? c['text'] : '')).join('');

const stripFileUrl = (cwd: string | null | undefined): string => (cwd ? pathOfFileUrl(cwd) : '');

/** A text element's `byte_range` as the API's `byteRange` (the rest of the element as written). */
const textElementOf = (e: unknown): unknown => {
  if (e === null || typeof e !== 'object' || !('byte_range' in e)) return e;
  const { byte_range, ...rest } = e as Record<string, unknown>;
  return { byteRange: byte_range, ...rest };
};

/**
 * One part of a user's input as the API's `UserInput` (Codex's `From<CoreUserInput>`): images
 * carry `detail`, local images are `localImage`, text elements' ranges are `byteRange`.
 */
export const userInputOf = (c: Readonly<Record<string, unknown>>): UserInputContent => {
  switch (c['type']) {
    case 'text':
      return {
        type: 'text',
        text: c['text'],
        text_elements: Array.isArray(c['text_elements']) ? c['text_elements'].map(textElementOf) : [],
      };
    case 'image':
      return { type: 'image', url: c['image_url'] ?? c['url'], detail: c['detail'] ?? null };
    case 'local_image':
    case 'localImage':
      return { type: 'localImage', detail: c['detail'] ?? null, path: c['path'] };
    case 'local_audio':
      return { type: 'localAudio', path: c['path'] };
    case 'audio':
      return { type: 'audio', url: c['audio_url'] ?? c['url'] };
    default:
      return c;
  }
};

type AgentMessageBody = Extract<ThreadItemBody, { type: 'agentMessage' }>;

/** An agent message's questions as 0.169.0 answers them: each `{title, options}`, `options` null when absent. */
export const questionsOf = (
  questions: ReadonlyArray<AsyncUserInputQuestion> | null | undefined,
): NonNullable<AgentMessageBody['questions']> | null =>
  questions ? questions.map((q) => ({ title: q.title, options: q.options ? [...q.options] : null })) : null;

/** An agent message's moderation as the line has it (each version reads its display: protocol/itemDeltas.ts). */
const moderationOf = (m: AgentMessageModeration | null | undefined): AgentMessageModerationBody | null =>
  m ? { moderated: m.moderated, display: m.display ?? null } : null;

const camelStatus = (s: string | null | undefined): string => snakeToCamel(s ?? 'completed');

/** What each paginated `item_completed.item` type makes: its API ThreadItem body (times are added by the fold). */
export const PAGINATED_ITEMS: {
  readonly [K in KnownTurnItem['type']]: (item: Extract<KnownTurnItem, { type: K }>) => ThreadItemBody;
} = {
  UserMessage: (item) => ({
    type: 'userMessage',
    id: item.id,
    clientId: item.client_id ?? null,
    content: (item.content ?? []).map(userInputOf),
  }),
  AgentMessage: (item) => ({
    type: 'agentMessage',
    // v2/item.rs copies them (0.169.0's; measured: test/compat/passThroughFields.compat.spec.ts).
    moderation: moderationOf(item.moderation),
    id: item.id,
    text: textOf(item.content),
    phase: item.phase ?? null,
    memoryCitation: memoryCitationOf(item.memory_citation),
    // codex-rs/app-server-protocol/src/protocol/v2/item.rs copies the item's delivery.
    delivery: item.delivery ?? null,
    questions: questionsOf(item.questions),
  }),
  Reasoning: (item) => ({
    type: 'reasoning',
    id: item.id,
    summary: item.summary_text ?? [],
    content: item.raw_content ?? [],
  }),
  CommandExecution: (item) => ({
    type: 'commandExecution',
    id: item.id,
    // v2/item.rs copies `plugin_id` / `script_path` (a command that resolves to a plugin's script).
    pluginId: item.plugin_id ?? null,
    scriptPath: item.script_path ?? null,
    command: shellJoin(item.command),
    cwd: stripFileUrl(item.cwd),
    processId: item.process_id ?? null,
    source: camelStatus(item.source ?? 'agent'),
    status: camelStatus(item.status),
    commandActions: (item.parsed_cmd ?? []).map((p) => toCommandAction(p, stripFileUrl(item.cwd))),
    // Codex reports an empty output as null.
    aggregatedOutput: item.aggregated_output ? item.aggregated_output : null,
    exitCode: item.exit_code ?? null,
    durationMs: durationMsOf(item.duration),
  }),
  FileChange: (item) => fileChangeItem(item.id, item.changes, item.status ?? 'in_progress'),
  McpToolCall: (item) =>
    mcpToolCallItem({
      id: item.id,
      server: item.server,
      environmentId: typeof item.environmentId === 'string' ? item.environmentId : null,
      tool: item.tool,
      status: item.status ?? 'in_progress',
      arguments: item.arguments,
      result: item.result ?? null,
      error: item.error,
      duration: item.duration ?? null,
      connectorId: item.connectorId,
      linkId: item.linkId,
      resourceUri: item.mcpAppResourceUri,
      appName: item.appName,
      actionName: item.actionName,
      mcpAppUi: item.mcpAppUi,
      pluginId: item.pluginId,
      readOnlyHint: item.readOnlyHint,
    }),
  // v2/item.rs copies the item's results, as thread_history.rs does web_search_end's (itemEvents.ts).
  WebSearch: (item) => webSearchItem(item.id, item.query, item.action, item.results),
  ImageView: (item) => ({ type: 'imageView', id: item.id, path: pathOfFileUrl(item.path) }),
  DynamicToolCall: (item) => ({
    type: 'dynamicToolCall',
    id: item.id,
    namespace: item.namespace ?? null,
    tool: item.tool,
    arguments: item.arguments ?? null,
    status: camelStatus(item.status ?? 'in_progress'),
    contentItems: item.content_items ?? null,
    success: item.success ?? null,
    durationMs: durationMsOf(item.duration),
  }),
  CollabAgentToolCall: (item) => ({
    type: 'collabAgentToolCall',
    id: item.id,
    tool: snakeToCamel(item.tool),
    status: camelStatus(item.status ?? 'in_progress'),
    senderThreadId: item.sender_thread_id,
    receiverThreadIds: item.receiver_thread_ids ?? [],
    prompt: item.prompt ?? null,
    model: item.model ?? null,
    reasoningEffort: item.reasoning_effort ?? null,
    agentsStates: collabAgentStatesOf(item.agents_states),
  }),
  SubAgentActivity: (item) => subAgentActivityItem(item.id, item),
  // v2/item.rs: the core item's fields, `transparentBackground`, `failure`, `generationId` null.
  ImageGeneration: (item) =>
    imageGenerationItem(item.id, item.status, {
      image: { result: item.result },
      revisedPrompt: item.revised_prompt,
      savedPath: item.saved_path,
    }),
  FunctionCallOutput: (item) => ({
    type: 'functionCallOutput',
    id: item.id,
    name: item.name,
    namespace: item.namespace ?? null,
    output: functionCallOutputOf(item.output),
  }),
  Plan: (item) => ({ type: 'plan', id: item.id, text: item.text ?? '' }),
  // codex-rs/app-server-protocol/src/protocol/v2/item.rs: an extension's item in its public wrapper, by kind.
  Extension: (item) => (EXTENSION_ITEMS_OF_KIND[item.kind] as (item: ExtensionItem) => ThreadItemBody)(item),
  HookPrompt: (item) => ({
    type: 'hookPrompt',
    id: item.id,
    fragments: (item.fragments ?? []).map((f) => ({ text: f.text ?? '', hookRunId: f.hookRunId ?? '' })),
  }),
  ContextCompaction: (item) => ({ type: 'contextCompaction', id: item.id }),
  EnteredReviewMode: (item) => ({
    type: 'enteredReviewMode',
    id: item.id,
    review: item.user_facing_hint ?? REVIEW_REQUESTED,
  }),
  ExitedReviewMode: (item) => ({
    type: 'exitedReviewMode',
    id: item.id,
    review: renderReviewOutput(item.review_output),
  }),
};

/**
 * What each extension kind makes (v2/item.rs `CoreTurnItem::Extension`: the extension's item is the
 * public one): `clock.sleep` → `sleep`, `web.search` → `webSearch`, `image_gen.generation` →
 * `imageGeneration` (its image `fileId` when a string, else `result`; `inputImages` left out when
 * empty, as 0.169.0 answers; measured: test/compat/passThroughFields.compat.spec.ts).
 */
const EXTENSION_ITEMS_OF_KIND: {
  readonly [K in ExtensionItem['kind']]: (item: Extract<ExtensionItem, { kind: K }>) => ThreadItemBody;
} = {
  'clock.sleep': (item) => ({ type: 'sleep', id: item.id, durationMs: item.durationMs }),
  'web.search': extensionWebSearchItem,
  'image_gen.generation': (item) =>
    imageGenerationItem(item.id, item.status, {
      image: generatedImageOf(item),
      revisedPrompt: item.revisedPrompt,
      savedPath: item.savedPath,
      transparentBackground: item.transparentBackground,
      failure: item.failure,
      inputImages: item.inputImages,
      generationId: item.generationId,
    }),
};

/** Paginated `item_completed.item` → API ThreadItem body (times are added by the fold). */
export const mapPaginatedItem = (item: KnownTurnItem): ThreadItemBody =>
  (PAGINATED_ITEMS[item.type] as (item: KnownTurnItem) => ThreadItemBody)(item);

/**
 * Legacy `user_message` → the API's user input content, as
 * codex-rs/app-server-protocol/src/protocol/thread_history.rs `build_user_inputs` builds it: the
 * text (left out when only whitespace), each of `images` with the detail at its index in
 * `image_details`, each of `local_images` likewise, then `audio`, then `local_audio`; each part as a
 * core `UserInput` shown by `userInputOf`. A missing or null detail is none (`detail: null`).
 */
export const legacyUserContent = (payload: Omit<UserMessageEvent, 'type'>): UserInputContent[] => {
  const parts: Array<Record<string, unknown>> = [];
  if (payload.message.trim() !== '') {
    parts.push({
      type: 'text',
      text: payload.message,
      text_elements: Array.isArray(payload.text_elements) ? payload.text_elements : [],
    });
  }
  const images: unknown[] = Array.isArray(payload.images) ? payload.images : [];
  images.forEach((url, i) => {
    if (typeof url === 'string')
      parts.push({ type: 'image', image_url: url, detail: payload.image_details?.[i] ?? null });
  });
  const localImages: unknown[] = Array.isArray(payload.local_images) ? payload.local_images : [];
  localImages.forEach((path, i) => {
    if (typeof path === 'string')
      parts.push({ type: 'local_image', path, detail: payload.local_image_details?.[i] ?? null });
  });
  for (const url of payload.audio ?? []) parts.push({ type: 'audio', audio_url: url });
  for (const path of payload.local_audio ?? []) parts.push({ type: 'local_audio', path });
  return parts.map(userInputOf);
};
