import type * as t from 'io-ts';
import type { Duration, FileChanges, McpCallResult } from '../rollout/kinds/toolCallItems.js';
import type {
  ExtensionWebSearchAction,
  FunctionCallOutputContentItem,
  ImageGenerationFailure,
  WebSearchActionRecord,
} from '../rollout/kinds/toolCallItems.js';
import { normalizedAbsolutePath } from '../rollout/kinds/common.js';
import { snakeToCamel } from './snakeToCamel.js';
import type { ImageGenerationBody, ThreadItemBody } from './threadItem.js';

/**
 * Tool-call items as the API shows them, built from the paginated item or the legacy `*_end`
 * event that records the call (one builder per kind, so both history modes render alike; key
 * order as Codex 0.169.0 serialises them).
 */

/** Codex's `Duration::as_millis()`: whole milliseconds, truncated. */
export const durationMsOf = (d: Duration | null | undefined): number | null =>
  d ? d.secs * 1000 + Math.floor(d.nanos / 1_000_000) : null;

/** A `file://` URL as Codex renders a path (its LegacyAppPathString). */
export const pathOfFileUrl = (path: string): string => {
  if (!path.startsWith('file://')) return path;
  try {
    return decodeURIComponent(path.slice('file://'.length));
  } catch {
    return path.slice('file://'.length);
  }
};

/** Paths in byte order, as Codex lists a patch's changes. */
const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const fileChangeItem = (id: string, changes: FileChanges, status: string): ThreadItemBody => ({
  type: 'fileChange',
  id,
  changes: Object.keys(changes)
    .sort(byPath)
    .map((path) => {
      const c = changes[path]!;
      return c.type === 'update'
        ? { path, kind: { type: 'update', move_path: c.move_path ?? null }, diff: c.unified_diff ?? '' }
        : { path, kind: { type: c.type }, diff: c.content ?? '' };
    }),
  status: snakeToCamel(status),
});

/** The status of a finished patch, from its event (older writers only say whether it succeeded). */
export const patchStatusOf = (status: string | null | undefined, success: boolean | null | undefined): string =>
  status ?? (success === false ? 'failed' : 'completed');

const mcpResultOf = (r: McpCallResult): Record<string, unknown> => ({
  content: r.content,
  structuredContent: r.structuredContent ?? null,
  _meta: r._meta ?? null,
});

/** An MCP error as `{message}` (Codex stores it as a string). */
const mcpErrorOf = (e: unknown): { message: string } | null => {
  if (e === null || e === undefined) return null;
  if (typeof e === 'string') return { message: e };
  if (typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string')
    return { message: (e as { message: string }).message };
  return { message: JSON.stringify(e) };
};

export interface McpCall {
  readonly id: string;
  readonly server: string;
  /** A paginated item's (0.171.0 answers it; protocol/itemDeltas.ts): rendered only when given. */
  readonly environmentId?: string | null;
  readonly tool: string;
  readonly status: string;
  readonly arguments: unknown;
  readonly result: McpCallResult | null;
  readonly error: unknown;
  readonly duration: Duration | null;
  readonly connectorId?: string | null;
  readonly linkId?: string | null;
  readonly resourceUri?: string | null;
  readonly appName?: string | null;
  readonly actionName?: string | null;
  readonly mcpAppUi?: Readonly<Record<string, unknown>> | null;
  readonly pluginId?: string | null;
  readonly readOnlyHint?: boolean | null;
}

/**
 * codex-rs/app-server-protocol/src/protocol/v2/item.rs (`From<CoreTurnItem>`, McpToolCall): an app
 * context only for a call through a connector, with its five fields; `mcpAppResourceUri` right
 * after it and only when the call has one (skip_serializing_if: measured on 0.169.0, both modes).
 */
export const mcpToolCallItem = (c: McpCall): ThreadItemBody => ({
  type: 'mcpToolCall',
  id: c.id,
  server: c.server,
  ...(c.environmentId === undefined ? {} : { environmentId: c.environmentId }),
  tool: c.tool,
  status: snakeToCamel(c.status),
  arguments: c.arguments ?? null,
  appContext:
    typeof c.connectorId === 'string'
      ? {
          connectorId: c.connectorId,
          linkId: c.linkId ?? null,
          resourceUri: c.resourceUri ?? null,
          appName: c.appName ?? null,
          actionName: c.actionName ?? null,
        }
      : null,
  ...(typeof c.resourceUri === 'string' ? { mcpAppResourceUri: c.resourceUri } : {}),
  mcpAppUi: c.mcpAppUi ?? null,
  pluginId: c.pluginId ?? null,
  readOnlyHint: c.readOnlyHint ?? null,
  result: c.result ? mcpResultOf(c.result) : null,
  error: mcpErrorOf(c.error),
  durationMs: durationMsOf(c.duration),
});

/** Legacy `mcp_tool_call_end.result` (`{"Ok": result}` or `{"Err": message}`) → status, result, error. */
export const mcpOutcomeOf = (
  result: { Ok: McpCallResult } | { Err: unknown } | undefined,
): { status: string; result: McpCallResult | null; error: unknown } => {
  if (result === undefined) return { status: 'completed', result: null, error: null };
  if ('Ok' in result)
    return { status: result.Ok.isError === true ? 'failed' : 'completed', result: result.Ok, error: null };
  return { status: 'failed', result: null, error: result.Err };
};

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The Responses API's action (`search`, `open_page`, `find_in_page`, anything else) → the API's. */
const webSearchActionOf = (a: t.TypeOf<typeof WebSearchActionRecord>): Record<string, unknown> => {
  switch (a.type) {
    case 'search':
      return { type: 'search', query: str(a['query']), queries: Array.isArray(a['queries']) ? a['queries'] : null };
    case 'open_page':
      return { type: 'openPage', url: str(a['url']) };
    case 'find_in_page':
      return { type: 'findInPage', url: str(a['url']), pattern: str(a['pattern']) };
    default:
      return { type: 'other' };
  }
};

type ActionOf<K extends string> = Extract<ExtensionWebSearchAction, { type: K }>;
/**
 * The standalone web search's action (ext/items/src/web_search.rs `WebSearchAction`, the
 * app-server's own shape): its fields as serde reads them, an absent one null; any other tag is `other`.
 */
const extensionWebSearchActionOf = (a: ExtensionWebSearchAction): Record<string, unknown> => {
  switch (a.type) {
    case 'search':
      return {
        type: 'search',
        query: (a as ActionOf<'search'>).query ?? null,
        queries: (a as ActionOf<'search'>).queries ?? null,
      };
    case 'openPage':
      return { type: 'openPage', url: (a as ActionOf<'openPage'>).url ?? null };
    case 'findInPage':
      return {
        type: 'findInPage',
        url: (a as ActionOf<'findInPage'>).url ?? null,
        pattern: (a as ActionOf<'findInPage'>).pattern ?? null,
      };
    default:
      return { type: 'other' };
  }
};

/** The standalone web search (an `Extension` item of kind `web.search`): v2/item.rs passes the extension's item through as the public one. */
export const extensionWebSearchItem = (item: {
  readonly id: string;
  readonly query: string;
  readonly action?: ExtensionWebSearchAction | null | undefined;
  readonly results?: readonly unknown[] | null | undefined;
}): ThreadItemBody => ({
  type: 'webSearch',
  id: item.id,
  query: item.query,
  action: item.action ? extensionWebSearchActionOf(item.action) : null,
  results: item.results ? [...item.results] : null,
});

/** A web search (thread_history.rs `handle_web_search_end`, v2/item.rs): its results passed through as Codex passes them, opaque JSON. */
export const webSearchItem = (
  id: string,
  query: string | null | undefined,
  action: t.TypeOf<typeof WebSearchActionRecord> | null | undefined,
  results: readonly unknown[] | null | undefined,
): ThreadItemBody => ({
  type: 'webSearch',
  id,
  query: query ?? '',
  action: action ? webSearchActionOf(action) : null,
  results: results ? [...results] : null,
});

/** A sub-agent's state: `"pending_init"` or `{"completed": "last message"}` → `{status, message}`. */
const agentStateOf = (s: unknown): { status: string; message: string | null } => {
  if (typeof s === 'string') return { status: snakeToCamel(s), message: null };
  if (s !== null && typeof s === 'object') {
    const [key, value] = Object.entries(s)[0] ?? ['not_found', null];
    return { status: snakeToCamel(key), message: typeof value === 'string' ? value : null };
  }
  return { status: 'notFound', message: null };
};

export const collabAgentStatesOf = (
  states: Readonly<Record<string, unknown>> | null | undefined,
): Record<string, { status: string; message: string | null }> =>
  Object.fromEntries(Object.entries(states ?? {}).map(([threadId, s]) => [threadId, agentStateOf(s)]));

/** A multi-agent v2 sub-agent's activity (paginated `SubAgentActivity` item or legacy `sub_agent_activity`). */
export const subAgentActivityItem = (
  id: string,
  a: {
    kind: string;
    agent_thread_id: string;
    agent_path: string;
    model?: string | null;
    reasoning_effort?: string | null;
  },
): ThreadItemBody => ({
  type: 'subAgentActivity',
  model: a.model ?? null,
  reasoningEffort: a.reasoning_effort ?? null,
  id,
  kind: a.kind,
  agentThreadId: a.agent_thread_id,
  agentPath: a.agent_path,
});

/** Why an image generation failed, as Codex answers it: `resetsAt` null when absent (ext/items/src/image_generation.rs). */
export const imageGenerationFailureOf = (f: ImageGenerationFailure): Record<string, unknown> => ({
  type: f.type,
  limitId: f.limitId,
  resetsAt: f.resetsAt ?? null,
});

/** The image of a generation (`GeneratedImageRef`): its file id when that is a string, else its inline result. */
export const generatedImageOf = (ref: {
  readonly fileId?: unknown;
  readonly result?: unknown;
}): { fileId: string } | { result: string } =>
  typeof ref.fileId === 'string'
    ? { fileId: ref.fileId }
    : { result: typeof ref.result === 'string' ? ref.result : '' };

/** What an image generation's item is made of, from any of its lines (decoded with serde's types). */
export interface ImageGenerationParts {
  readonly image: { fileId: string } | { result: string };
  readonly revisedPrompt?: string | null | undefined;
  /** An `AbsolutePath`, as written. */
  readonly savedPath?: string | null | undefined;
  readonly transparentBackground?: boolean | null | undefined;
  readonly failure?: ImageGenerationFailure | null | undefined;
  readonly inputImages?: ReadonlyArray<{ readonly path: string; readonly sha256: string }> | undefined;
  readonly generationId?: string | null | undefined;
}

/**
 * An image generation (paginated `ImageGeneration` item, an extension's, or legacy
 * `image_generation_end`), as 0.169.0 answers it (measured: test/compat/passThroughFields.compat.spec.ts):
 * paths normalised as `AbsolutePathBuf` holds them, `inputImages` only when some (each its path and
 * hash), `failure` with `resetsAt` null when absent.
 */
export const imageGenerationItem = (id: string, status: string, g: ImageGenerationParts): ImageGenerationBody => {
  // In the order Codex serialises the fields (measured on 0.169.0's legacy reads): `savedPath` and
  // `inputImages` only when present, `transparentBackground` always (null when unknown).
  const item: ImageGenerationBody = {
    type: 'imageGeneration',
    id,
    status,
    revisedPrompt: g.revisedPrompt ?? null,
    ...g.image,
    transparentBackground: g.transparentBackground ?? null,
    failure: g.failure ? imageGenerationFailureOf(g.failure) : null,
  };
  if (typeof g.savedPath === 'string') item.savedPath = normalizedAbsolutePath(g.savedPath);
  if (g.inputImages !== undefined && g.inputImages.length > 0)
    item.inputImages = g.inputImages.map((i) => ({ path: normalizedAbsolutePath(i.path), sha256: i.sha256 }));
  item.generationId = g.generationId ?? null;
  return item;
};

/**
 * A tool's output as 0.169.0 answers it: a string as is; each content item with its own fields
 * only (an image's or audio's URL over its file id, an image's detail left out when none), in
 * the order Codex serialises them (measured: test/compat/passThroughFields.compat.spec.ts).
 */
export const functionCallOutputOf = (output: string | readonly FunctionCallOutputContentItem[]): unknown =>
  typeof output === 'string' ? output : output.map(contentItemOf);

const contentItemOf = (c: FunctionCallOutputContentItem): Record<string, unknown> => {
  const source = c as { readonly image_url?: unknown; readonly audio_url?: unknown; readonly file_id?: unknown };
  switch (c.type) {
    case 'input_text':
      return { type: c.type, text: c.text };
    case 'input_image': {
      const image =
        typeof source.image_url === 'string' ? { image_url: source.image_url } : { file_id: source.file_id };
      return c.detail === undefined || c.detail === null
        ? { type: c.type, ...image }
        : { type: c.type, ...image, detail: c.detail };
    }
    case 'input_audio':
      return {
        type: c.type,
        ...(typeof source.audio_url === 'string' ? { audio_url: source.audio_url } : { file_id: source.file_id }),
      };
    case 'encrypted_content':
      return { type: c.type, encrypted_content: c.encrypted_content };
  }
};
