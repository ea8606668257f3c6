import * as t from 'io-ts';
import { AbsolutePath, optional } from './common.js';
import { ImageDetail } from './legacyItemEvents.js';

/**
 * The tool-call items Codex records (paginated `item_completed.item`, PascalCase types) and the
 * legacy `*_end` events that stand for them, with the payload parts both share. Fields Codex
 * writes as `null` or leaves out are optional; unknown fields are kept out of the decode.
 */

const Duration = t.type({ secs: t.number, nanos: t.number });
export type Duration = t.TypeOf<typeof Duration>;

/** `changes` of a patch: path → what happened to it. */
export const FileChanges = t.record(
  t.string,
  t.union([
    t.intersection([t.type({ type: t.literal('add') }), t.partial({ content: t.string })]),
    t.intersection([t.type({ type: t.literal('delete') }), t.partial({ content: t.string })]),
    t.intersection([
      t.type({ type: t.literal('update') }),
      t.partial({ unified_diff: t.string, move_path: optional(t.string) }),
    ]),
  ]),
);
export type FileChanges = t.TypeOf<typeof FileChanges>;

/** An MCP `CallToolResult` as Codex stores it (camelCase, MCP's own names). */
export const McpCallResult = t.intersection([
  t.type({ content: t.array(t.unknown) }),
  t.partial({ structuredContent: t.unknown, isError: optional(t.boolean), _meta: t.unknown }),
]);
export type McpCallResult = t.TypeOf<typeof McpCallResult>;

/** The Responses API's web search action (snake_case types). */
export const WebSearchActionRecord = t.intersection([t.type({ type: t.string }), t.UnknownRecord]);

export const FileChangeItem = t.intersection([
  t.type({ type: t.literal('FileChange'), id: t.string, changes: FileChanges }),
  t.partial({ status: optional(t.string) }),
]);
/**
 * An MCP App's UI as Codex captures it from the tool's descriptor (`McpAppUi`, camelCase); passed
 * through as written. Not measured: 0.169.0 wrote none for the compat server's tools.
 */
const McpAppUi = t.UnknownRecord;
// codex-rs/protocol/src/items.rs: `McpToolCallItem` is `rename_all = "camelCase"` (0.169.0 writes
// `readOnlyHint`, `mcpAppResourceUri`, …: measured, items scenario), so only these spellings are read.
export const McpToolCallItem = t.intersection([
  t.type({ type: t.literal('McpToolCall'), id: t.string, server: t.string, tool: t.string }),
  t.partial({
    arguments: t.unknown,
    status: optional(t.string),
    result: optional(McpCallResult),
    error: t.unknown,
    duration: optional(Duration),
    connectorId: optional(t.string),
    mcpAppResourceUri: optional(t.string),
    mcpAppUi: optional(McpAppUi),
    linkId: optional(t.string),
    appName: optional(t.string),
    actionName: optional(t.string),
    pluginId: optional(t.string),
    readOnlyHint: optional(t.boolean),
    // 0.171.0's (ThreadItem::McpToolCall.environment_id; 0.169.0 ignores it as unknown): read as
    // a string, else none (another type is not measured).
    environmentId: t.unknown,
  }),
]);
export const WebSearchItem = t.intersection([
  t.type({ type: t.literal('WebSearch'), id: t.string }),
  // codex-rs/protocol/src/items.rs `WebSearchItem.results`: `Option<Vec<JsonValue>>`, opaque JSON.
  t.partial({
    query: optional(t.string),
    action: optional(WebSearchActionRecord),
    results: optional(t.array(t.unknown)),
  }),
]);
export const ImageViewItem = t.type({ type: t.literal('ImageView'), id: t.string, path: t.string });
export const DynamicToolCallItem = t.intersection([
  t.type({ type: t.literal('DynamicToolCall'), id: t.string, tool: t.string }),
  t.partial({
    namespace: optional(t.string),
    arguments: t.unknown,
    status: optional(t.string),
    content_items: optional(t.array(t.unknown)),
    success: optional(t.boolean),
    duration: optional(Duration),
  }),
]);
export const CollabAgentToolCallItem = t.intersection([
  t.type({ type: t.literal('CollabAgentToolCall'), id: t.string, tool: t.string, sender_thread_id: t.string }),
  t.partial({
    status: optional(t.string),
    receiver_thread_ids: t.array(t.string),
    prompt: optional(t.string),
    model: optional(t.string),
    reasoning_effort: optional(t.string),
    agents_states: optional(t.record(t.string, t.unknown)),
  }),
]);
/** A sub-agent of multi-agent v2 started, was given work, was interrupted or completed (`agent_path` like `/root/helper`). */
export const SubAgentActivityItem = t.intersection([
  t.type({
    type: t.literal('SubAgentActivity'),
    id: t.string,
    kind: t.string,
    agent_thread_id: t.string,
    agent_path: t.string,
  }),
  t.partial({ model: optional(t.string), reasoning_effort: optional(t.string) }),
]);
/**
 * The hosted image generation, paginated (codex-rs/protocol/src/items.rs `ImageGenerationItem`:
 * `id, status, revised_prompt?, result, saved_path?`; binary: 5 elements). v2/item.rs answers it
 * with `transparentBackground`, `failure` and `generationId` null: other fields on the line (the
 * legacy event's, camelCase ones) are ignored, and a line without `result`, or with a relative or
 * `file://` `saved_path`, is dropped (measured on 0.169.0: test/compat/passThroughFields.compat.spec.ts).
 */
export const ImageGenerationItem = t.intersection([
  t.type({ type: t.literal('ImageGeneration'), id: t.string, status: t.string, result: t.string }),
  t.partial({ revised_prompt: optional(t.string), saved_path: optional(AbsolutePath) }),
]);
/**
 * One content item of a tool's output (codex-rs/protocol/src/models.rs
 * `FunctionCallOutputContentItem`, tagged by `type`, snake_case; 0.169.0's lets an image or audio
 * be a `file_id` instead of a URL: its schema). An image's or audio's URL is read when it is a
 * string, else its file id; any other type, or a field of the wrong type, is a line 0.169.0 drops
 * (measured: test/compat/passThroughFields.compat.spec.ts). Other fields are ignored.
 */
export const FunctionCallOutputContentItem = t.union([
  t.type({ type: t.literal('input_text'), text: t.string }),
  t.intersection([
    t.type({ type: t.literal('input_image') }),
    t.union([t.type({ image_url: t.string }), t.type({ file_id: t.string })]),
    t.partial({ detail: optional(ImageDetail) }),
  ]),
  t.intersection([
    t.type({ type: t.literal('input_audio') }),
    t.union([t.type({ audio_url: t.string }), t.type({ file_id: t.string })]),
  ]),
  t.type({ type: t.literal('encrypted_content'), encrypted_content: t.string }),
]);
export type FunctionCallOutputContentItem = t.TypeOf<typeof FunctionCallOutputContentItem>;
/** A tool's output shown as an item (items.rs `FunctionCallOutputItem`): a string or content items (`FunctionCallOutputBody`, untagged). */
export const FunctionCallOutputItem = t.intersection([
  t.type({
    type: t.literal('FunctionCallOutput'),
    id: t.string,
    name: t.string,
    output: t.union([t.string, t.array(FunctionCallOutputContentItem)]),
  }),
  t.partial({ namespace: optional(t.string) }),
]);
// Kinds no scenario of ours makes Codex write yet: only the type and id are required, so a field
// named otherwise in some version renders empty rather than quarantining the line.
export const PlanItem = t.intersection([
  t.type({ type: t.literal('Plan'), id: t.string }),
  t.partial({ text: t.string }),
]);
/**
 * An item an extension owns (codex-rs/protocol/src/items.rs `TurnItem::Extension`): its
 * `ExtensionItem` flattened in, tagged by `kind` (codex-rs/ext/items/src/lib.rs). The clock's sleep
 * (ext/items/src/sleep.rs `SleepItem`, camelCase) is the one 0.169.0 is measured writing:
 * `{"type":"Extension","kind":"clock.sleep","id":…,"durationMs":…}`; the web search and the
 * image generation below are measured read from lines written for them. Other kinds are not
 * rendered (`EXTENSION_KINDS` lists the rendered ones).
 */
export const ExtensionSleepItem = t.type({
  type: t.literal('Extension'),
  kind: t.literal('clock.sleep'),
  id: t.string,
  durationMs: t.number,
});
/**
 * The standalone web search's action (ext/items/src/web_search.rs `WebSearchAction`: tagged by
 * `type`, camelCase, the app-server's own shape, unlike the Responses API's snake_case action).
 * `#[serde(other)] Other` takes any other tag; a known tag with a field of the wrong type is a
 * line Codex refuses (measured on 0.169.0).
 */
const EXTENSION_WEB_SEARCH_ACTION_TAGS: readonly string[] = ['search', 'openPage', 'findInPage'];
export const ExtensionWebSearchAction = t.union([
  t.intersection([
    t.type({ type: t.literal('search') }),
    t.partial({ query: optional(t.string), queries: optional(t.array(t.string)) }),
  ]),
  t.intersection([t.type({ type: t.literal('openPage') }), t.partial({ url: optional(t.string) })]),
  t.intersection([
    t.type({ type: t.literal('findInPage') }),
    t.partial({ url: optional(t.string), pattern: optional(t.string) }),
  ]),
  t.type({
    type: t.refinement(t.string, (tag) => !EXTENSION_WEB_SEARCH_ACTION_TAGS.includes(tag), 'OtherWebSearchActionTag'),
  }),
]);
export type ExtensionWebSearchAction = t.TypeOf<typeof ExtensionWebSearchAction>;
/**
 * The standalone web search (ext/items/src/web_search.rs `WebSearchItem`, camelCase): `query` is
 * required, `results` (`#[serde(default)] Option<Vec<JsonValue>>`) opaque JSON.
 */
export const ExtensionWebSearchItem = t.intersection([
  t.type({ type: t.literal('Extension'), kind: t.literal('web.search'), id: t.string, query: t.string }),
  t.partial({ action: optional(ExtensionWebSearchAction), results: optional(t.array(t.unknown)) }),
]);
/**
 * The image of a generation (0.169.0's `GeneratedImageRef`: untagged, flattened, camelCase): the
 * file's id when `fileId` is a string, else the inline `result`; a line with neither is dropped
 * (measured on 0.169.0, the extension's item and the legacy `image_generation_end`).
 */
export const GeneratedImageRef = t.union([t.type({ fileId: t.string }), t.type({ result: t.string })]);
/** Why an image generation failed (ext/items/src/image_generation.rs `ImageGenerationFailure`: one variant, camelCase; `resetsAt` an i64). */
export const ImageGenerationFailure = t.intersection([
  t.type({ type: t.literal('usageLimitExceeded'), limitId: t.string }),
  t.partial({ resetsAt: optional(t.Int) }),
]);
export type ImageGenerationFailure = t.TypeOf<typeof ImageGenerationFailure>;
/** A local image a generation read (0.169.0's `ImageGenerationInputImage`, 2 fields: an absolute path and the file's SHA-256). */
export const ImageGenerationInputImage = t.type({ path: AbsolutePath, sha256: t.string });
/**
 * The standalone image generation (ext/items/src/image_generation.rs `ImageGenerationItem`,
 * camelCase; 0.169.0's adds `fileId`, `inputImages`, `generationId`: its schema). The image is
 * `GeneratedImageRef`, untagged and flattened: `fileId` when it is a string, else `result`; a line
 * with neither is refused. `inputImages` is a list (absent: none; `null` is refused), `savedPath`
 * an `AbsolutePathBuf` (measured on 0.169.0: test/compat/passThroughFields.compat.spec.ts).
 */
export const ExtensionImageGenerationItem = t.intersection([
  t.type({ type: t.literal('Extension'), kind: t.literal('image_gen.generation'), id: t.string, status: t.string }),
  GeneratedImageRef,
  t.partial({
    revisedPrompt: optional(t.string),
    transparentBackground: optional(t.boolean),
    failure: optional(ImageGenerationFailure),
    savedPath: optional(AbsolutePath),
    inputImages: t.array(ImageGenerationInputImage),
    generationId: optional(t.string),
  }),
]);
/** The extension kinds the app-server wraps in a public item (codex-rs/app-server-protocol/src/protocol/v2/item.rs): every `ExtensionItem` of ext/items/src/lib.rs. */
export const EXTENSION_KINDS: ReadonlySet<string> = new Set([
  ExtensionSleepItem.props.kind.value,
  ExtensionWebSearchItem.types[0].props.kind.value,
  ExtensionImageGenerationItem.types[0].props.kind.value,
]);
// codex-rs/protocol/src/items.rs: `HookPromptFragment` is `rename_all = "camelCase"` (0.169.0 writes `hookRunId`: measured).
export const HookPromptItem = t.intersection([
  t.type({ type: t.literal('HookPrompt'), id: t.string }),
  t.partial({ fragments: t.array(t.partial({ text: t.string, hookRunId: t.string })) }),
]);

/** Legacy `patch_apply_end`: the file change of the call `call_id`. */
export const PatchApplyEndEvent = t.intersection([
  t.type({ type: t.literal('patch_apply_end'), call_id: t.string }),
  t.partial({
    turn_id: optional(t.string),
    changes: FileChanges,
    success: optional(t.boolean),
    status: optional(t.string),
  }),
]);
/** Legacy `mcp_tool_call_end`: `result` is Rust's `Result`, `{"Ok": …}` or `{"Err": "…"}`. */
export const McpToolCallEndEvent = t.intersection([
  t.type({
    type: t.literal('mcp_tool_call_end'),
    call_id: t.string,
    invocation: t.intersection([t.type({ server: t.string, tool: t.string }), t.partial({ arguments: t.unknown })]),
  }),
  // codex-rs/protocol/src/protocol.rs: `McpToolCallEndEvent`'s fields are snake_case, the item's
  // facts among them (0.169.0 writes `read_only_hint`, `mcp_app_resource_uri`: measured).
  t.partial({
    turn_id: optional(t.string),
    duration: optional(Duration),
    result: t.union([t.type({ Ok: McpCallResult }), t.type({ Err: t.unknown })]),
    connector_id: optional(t.string),
    mcp_app_resource_uri: optional(t.string),
    mcp_app_ui: optional(McpAppUi),
    link_id: optional(t.string),
    app_name: optional(t.string),
    action_name: optional(t.string),
    plugin_id: optional(t.string),
    read_only_hint: optional(t.boolean),
  }),
]);
/** Legacy `web_search_end`. */
export const WebSearchEndEvent = t.intersection([
  t.type({ type: t.literal('web_search_end'), call_id: t.string }),
  // codex-rs/protocol/src/protocol.rs `WebSearchEndEvent.results`, as the item's.
  t.partial({
    turn_id: optional(t.string),
    query: optional(t.string),
    action: optional(WebSearchActionRecord),
    results: optional(t.array(t.unknown)),
  }),
]);
/** Legacy `sub_agent_activity`: the item's id is `event_id`, its completion time `occurred_at_ms`. */
export const SubAgentActivityEvent = t.intersection([
  t.type({
    type: t.literal('sub_agent_activity'),
    event_id: t.string,
    kind: t.string,
    agent_thread_id: t.string,
    agent_path: t.string,
  }),
  t.partial({ occurred_at_ms: optional(t.number), model: optional(t.string), reasoning_effort: optional(t.string) }),
]);
/**
 * Legacy `image_generation_end`: the image generation of the call `call_id` (protocol.rs
 * `ImageGenerationEndEvent`, snake_case, with 0.169.0's `GeneratedImageRef` — camelCase `fileId` or
 * `result` — `input_images` and `generation_id`). As 0.169.0 reads it (measured): `file_id` is no
 * field of it, `saved_path` and each input image's path are `AbsolutePathBuf`s, `input_images` is
 * a list (`null` refused), `failure` the extension's `ImageGenerationFailure` (camelCase).
 */
export const ImageGenerationEndEvent = t.intersection([
  t.type({ type: t.literal('image_generation_end'), call_id: t.string, status: t.string }),
  GeneratedImageRef,
  t.partial({
    revised_prompt: optional(t.string),
    saved_path: optional(AbsolutePath),
    transparent_background: optional(t.boolean),
    failure: optional(ImageGenerationFailure),
    input_images: t.array(ImageGenerationInputImage),
    generation_id: optional(t.string),
  }),
]);
