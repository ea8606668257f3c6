import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { snakeToCamel } from '../thread/snakeToCamel.js';
import type { ToolFailureKind, ToolItemRow, ToolTerminalStatus } from './toolItemRow.js';
import type { ExtensionItem, KnownTurnItem } from '../rollout/kinds/itemCompleted.js';

/**
 * Codex's tool-item analytics events, from the `item_completed` lines a rollout holds (pure).
 * Read from `codex-rs/analytics/src/reducer.rs` (`tool_item_event`, `tool_item_base`,
 * `command_execution_tool_name`, the `*_outcome` functions, `command_action_counts`,
 * `file_change_counts`, `web_search_action_kind`, `web_search_query_count`) and
 * `codex-rs/analytics/src/events.rs` (`CodexToolItemEventBase` and the per-kind params: field
 * names and order). The rollout's item is core's `TurnItem` (snake_case fields as Codex 0.169
 * writes them; camelCase accepted too); an item still in progress, or one whose line lacks
 * `started_at_ms` / `completed_at_ms` (Codex emits only for an item it saw start and complete),
 * gives no event. `duration_ms` is `completed_at_ms - started_at_ms` (null if negative, as
 * Rust's `checked_sub`). What a rollout does not record — the app-server client of the
 * connection and approval reviews — is left out (client) or Codex's value for "no review seen"
 * (counts 0, `final_approval_outcome: "unknown"`, no permissions requested). The row's shape is
 * toolItemRow.ts, its event toolItemEvent.ts (both re-exported here).
 */
export type { ToolFailureKind, ToolItemFacts, ToolItemRow, ToolTerminalStatus } from './toolItemRow.js';
export type { ToolItemThreadContext } from './toolItemEvent.js';
export { toolItemEvent } from './toolItemEvent.js';

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null, t.undefined]);
const Duration = t.type({ secs: t.number, nanos: t.number });
const durationMs = (d: t.TypeOf<typeof Duration> | null | undefined): number | null =>
  d ? d.secs * 1000 + Math.floor(d.nanos / 1_000_000) : null;

/** A field under its snake_case name or its camelCase one. */
const field = (item: Record<string, unknown>, snake: string): unknown => item[snake] ?? item[snakeToCamel(snake)];

const outcome = (
  status: unknown,
  declinable: boolean,
): { terminalStatus: ToolTerminalStatus; failureKind: ToolFailureKind | null } | null => {
  switch (typeof status === 'string' ? snakeToCamel(status) : status) {
    case 'completed':
      return { terminalStatus: 'completed', failureKind: null };
    case 'failed':
      return { terminalStatus: 'failed', failureKind: 'tool_error' };
    case 'declined':
      return declinable ? { terminalStatus: 'rejected', failureKind: 'approval_denied' } : null;
    default:
      return null; // in progress (or unknown): Codex emits nothing
  }
};

const commandToolName = (source: string): string =>
  source === 'unifiedExecStartup' || source === 'unifiedExecInteraction'
    ? 'unified_exec'
    : source === 'userShell'
      ? 'user_shell'
      : 'shell';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const decoded = <A>(c: t.Decoder<unknown, A>, v: unknown): A | null => {
  const r = c.decode(v);
  return E.isRight(r) ? r.right : null;
};

const ParsedCmd = t.array(t.type({ type: t.string }));
const Changes = t.record(
  t.string,
  t.intersection([
    t.type({ type: t.string }),
    t.partial({ move_path: nullable(t.string), movePath: nullable(t.string) }),
  ]),
);
const ContentItems = t.array(t.type({ type: t.string }));
const SearchAction = t.intersection([
  t.type({ type: t.string }),
  t.partial({ query: nullable(t.string), queries: nullable(t.array(t.string)) }),
]);

type Classified = Omit<ToolItemRow, 'turnId' | 'startedAtMs' | 'completedAtMs'>;

/** A web search's event (reducer.rs `web_search_action_kind`, `web_search_query_count`). */
const webSearchOf = (item: Record<string, unknown>, id: string): Classified => {
  const query = str(field(item, 'query')) ?? '';
  const action = decoded(SearchAction, field(item, 'action'));
  const kind =
    action === null
      ? null
      : ((
          { search: 'search', openPage: 'open_page', findInPage: 'find_in_page' } as Record<
            string,
            'search' | 'open_page' | 'find_in_page'
          >
        )[snakeToCamel(action.type)] ?? 'other');
  const queryCount =
    action === null
      ? query.trim() !== ''
        ? 1
        : null
      : kind === 'search'
        ? action.queries
          ? action.queries.length
          : action.query != null
            ? 1
            : null
        : null;
  return {
    itemId: id,
    toolName: 'web_search',
    terminalStatus: 'completed',
    failureKind: null,
    facts: { kind: 'webSearch', action: kind, queryPresent: query.trim() !== '', queryCount },
  };
};

/**
 * An image generation's event (reducer.rs `image_generation_outcome`: "failed" or "error" failed,
 * any other status completed), its prompt and path read under the item's own field names.
 */
const imageGenerationOf = (
  item: Record<string, unknown>,
  id: string,
  revisedPrompt: string,
  savedPath: string,
): Classified => {
  const status = str(item['status']);
  const failed = status === 'failed' || status === 'error';
  const present = (k: string) => item[k] !== undefined && item[k] !== null;
  return {
    itemId: id,
    toolName: 'image_generation',
    terminalStatus: failed ? 'failed' : 'completed',
    failureKind: failed ? 'tool_error' : null,
    facts: {
      kind: 'imageGeneration',
      revisedPromptPresent: present(revisedPrompt),
      savedPathPresent: present(savedPath),
    },
  };
};

/** Why Codex sends no tool item event for an item type (`tool_item_event` matches the six tool kinds only). */
const NOT_A_TOOL = {
  noEvent: 'not a tool item: codex-rs/analytics/src/reducer.rs (tool_item_event) sends none',
} as const;

/**
 * Per item type of an `item_completed` line (the decoder's list, `KnownTurnItem`): how its tool
 * item is read, or why there is none. The item is the line's raw record (fields snake_case or camelCase).
 */
export const TOOL_ITEM_OF_TYPE: {
  readonly [K in KnownTurnItem['type']]:
    ((item: Record<string, unknown>, id: string) => Classified | null) | { readonly noEvent: string };
} = {
  CommandExecution: (item, id) => {
    const o = outcome(field(item, 'status'), true);
    if (!o) return null;
    const source = snakeToCamel(str(field(item, 'source')) ?? 'agent');
    const kinds = (decoded(ParsedCmd, field(item, 'parsed_cmd')) ?? []).map((p) => snakeToCamel(p.type));
    const count = (k: string) => kinds.filter((x) => x === k).length;
    return {
      itemId: id,
      toolName: commandToolName(source),
      ...o,
      facts: {
        kind: 'commandExecution',
        source,
        exitCode: typeof field(item, 'exit_code') === 'number' ? (field(item, 'exit_code') as number) : null,
        executionMs: durationMs(decoded(Duration, field(item, 'duration'))),
        // Codex counts an action of a kind it does not know as unknown.
        actions: {
          total: kinds.length,
          read: count('read'),
          listFiles: count('listFiles'),
          search: count('search'),
          unknown: kinds.length - count('read') - count('listFiles') - count('search'),
        },
      },
    };
  },
  FileChange: (item, id) => {
    const o = outcome(field(item, 'status'), true);
    if (!o) return null;
    const changes = Object.values(decoded(Changes, field(item, 'changes')) ?? {});
    const moved = changes.filter((c) => c.type === 'update' && (c.move_path ?? c.movePath ?? null) !== null).length;
    const of = (k: string) => changes.filter((c) => c.type === k).length;
    return {
      itemId: id,
      toolName: 'apply_patch',
      ...o,
      facts: {
        kind: 'fileChange',
        changes: {
          total: changes.length,
          add: of('add'),
          update: of('update') - moved,
          delete: of('delete'),
          move: moved,
        },
      },
    };
  },
  McpToolCall: (item, id) => {
    const o = outcome(field(item, 'status'), false);
    const server = str(field(item, 'server'));
    const tool = str(field(item, 'tool'));
    if (!o || server === null || tool === null) return null;
    const error = field(item, 'error');
    return {
      itemId: id,
      toolName: tool,
      ...o,
      facts: {
        kind: 'mcpToolCall',
        server,
        tool,
        errorPresent: error !== undefined && error !== null,
        executionMs: durationMs(decoded(Duration, field(item, 'duration'))),
      },
    };
  },
  DynamicToolCall: (item, id) => {
    const o = outcome(field(item, 'status'), false);
    const tool = str(field(item, 'tool'));
    if (!o || tool === null) return null;
    const items = decoded(ContentItems, field(item, 'content_items'));
    const types = (items ?? []).map((c) => snakeToCamel(c.type));
    const success = field(item, 'success');
    return {
      itemId: id,
      toolName: tool,
      ...o,
      facts: {
        kind: 'dynamicToolCall',
        tool,
        success: typeof success === 'boolean' ? success : null,
        content:
          items === null
            ? null
            : {
                total: types.length,
                text: types.filter((x) => x === 'inputText').length,
                image: types.filter((x) => x === 'inputImage').length,
              },
        executionMs: durationMs(decoded(Duration, field(item, 'duration'))),
      },
    };
  },
  WebSearch: (item, id) => webSearchOf(item, id),
  // Core's ImageGenerationItem (items.rs) is snake_case: a camelCase `revisedPrompt` / `savedPath`
  // on its line is no field of the item Codex reports (measured: passThroughFields.compat).
  ImageGeneration: (item, id) => imageGenerationOf(item, id, 'revised_prompt', 'saved_path'),
  UserMessage: NOT_A_TOOL,
  AgentMessage: NOT_A_TOOL,
  Reasoning: NOT_A_TOOL,
  ImageView: NOT_A_TOOL,
  CollabAgentToolCall: NOT_A_TOOL,
  SubAgentActivity: NOT_A_TOOL,
  FunctionCallOutput: NOT_A_TOOL,
  Plan: NOT_A_TOOL,
  Extension: (item, id) => {
    const read = TOOL_ITEM_OF_EXTENSION_KIND[item['kind'] as ExtensionItem['kind']];
    return read === undefined || !('call' in read) ? null : read.call(item, id);
  },
  HookPrompt: NOT_A_TOOL,
  ContextCompaction: NOT_A_TOOL,
  EnteredReviewMode: NOT_A_TOOL,
  ExitedReviewMode: NOT_A_TOOL,
};

/**
 * Per extension kind of an `Extension` item: v2/item.rs (`From<CoreTurnItem> for ThreadItem`) makes
 * an image generation and a web search the public `ImageGeneration` / `WebSearch` item, so
 * reducer.rs reports them as those (camelCase fields, ext/items/src); a sleep is no tool item.
 */
const TOOL_ITEM_OF_EXTENSION_KIND: {
  readonly [K in ExtensionItem['kind']]:
    { readonly call: (item: Record<string, unknown>, id: string) => Classified | null } | { readonly noEvent: string };
} = {
  'image_gen.generation': { call: (item, id) => imageGenerationOf(item, id, 'revisedPrompt', 'savedPath') },
  'web.search': { call: (item, id) => webSearchOf(item, id) },
  'clock.sleep': { noEvent: 'a sleep: reducer.rs (tool_item_event) sends none for ThreadItem::Sleep' },
};

const classify = (item: Record<string, unknown>): Classified | null => {
  const id = str(item['id']);
  const type = item['type'];
  if (id === null || typeof type !== 'string' || !Object.hasOwn(TOOL_ITEM_OF_TYPE, type)) return null;
  const read = TOOL_ITEM_OF_TYPE[type as KnownTurnItem['type']];
  return typeof read === 'function' ? read(item, id) : null;
};

/** The tool item an `item_completed` payload holds, if Codex would report one. */
export const toolItemOf = (payload: {
  readonly turn_id: string;
  readonly item: Record<string, unknown>;
  readonly started_at_ms?: number | null;
  readonly completed_at_ms?: number | null;
}): ToolItemRow | null => {
  const started = payload.started_at_ms;
  const completed = payload.completed_at_ms;
  if (typeof started !== 'number' || typeof completed !== 'number') return null;
  const c = classify(payload.item);
  return c === null ? null : { turnId: payload.turn_id, startedAtMs: started, completedAtMs: completed, ...c };
};
