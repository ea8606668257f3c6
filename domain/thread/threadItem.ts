/** ThreadItem as the app-server v2 protocol returns it (key order as Codex serialises it). */
export type UserInputContent = Readonly<Record<string, unknown>>;

export type ThreadItemBody =
  | { type: 'userMessage'; id: string; clientId: string | null; content: UserInputContent[] }
  | {
      type: 'agentMessage';
      moderation: AgentMessageModerationBody | null;
      id: string;
      text: string;
      phase: unknown;
      memoryCitation: unknown;
      delivery: 'async' | null;
      questions: Array<{ title: string; options: string[] | null }> | null;
    }
  | { type: 'reasoning'; id: string; summary: string[]; content: string[] }
  | {
      type: 'commandExecution';
      id: string;
      pluginId: string | null;
      scriptPath: string | null;
      command: string;
      cwd: string;
      processId: string | null;
      source: string;
      status: string;
      commandActions: Array<Record<string, unknown>>;
      aggregatedOutput: string | null;
      exitCode: number | null;
      durationMs: number | null;
    }
  | {
      type: 'fileChange';
      id: string;
      changes: Array<{ path: string; kind: Record<string, unknown>; diff: string }>;
      status: string;
    }
  | {
      type: 'mcpToolCall';
      id: string;
      server: string;
      /** A paginated item's as the line has it; each version answers it (protocol/itemDeltas.ts). */
      environmentId?: string | null;
      tool: string;
      status: string;
      arguments: unknown;
      appContext: {
        connectorId: string;
        linkId: string | null;
        resourceUri: string | null;
        appName: string | null;
        actionName: string | null;
      } | null;
      /** Only when the call has one. */
      mcpAppResourceUri?: string;
      mcpAppUi: Readonly<Record<string, unknown>> | null;
      pluginId: string | null;
      readOnlyHint: boolean | null;
      result: Record<string, unknown> | null;
      error: { message: string } | null;
      durationMs: number | null;
    }
  | { type: 'webSearch'; id: string; query: string; action: Record<string, unknown> | null; results: unknown[] | null }
  | { type: 'imageView'; id: string; path: string }
  | {
      type: 'dynamicToolCall';
      id: string;
      namespace: string | null;
      tool: string;
      arguments: unknown;
      status: string;
      contentItems: unknown[] | null;
      success: boolean | null;
      durationMs: number | null;
    }
  | {
      type: 'collabAgentToolCall';
      id: string;
      tool: string;
      status: string;
      senderThreadId: string;
      receiverThreadIds: string[];
      prompt: string | null;
      model: string | null;
      reasoningEffort: string | null;
      agentsStates: Record<string, { status: string; message: string | null }>;
    }
  | {
      type: 'subAgentActivity';
      model: string | null;
      reasoningEffort: string | null;
      id: string;
      kind: string;
      agentThreadId: string;
      agentPath: string;
    }
  | ImageGenerationBody
  | { type: 'functionCallOutput'; id: string; name: string; namespace: string | null; output: unknown }
  | { type: 'plan'; id: string; text: string }
  | { type: 'sleep'; id: string; durationMs: number }
  | { type: 'hookPrompt'; id: string; fragments: Array<{ text: string; hookRunId: string }> }
  | { type: 'contextCompaction'; id: string }
  | { type: 'enteredReviewMode'; id: string; review: string }
  | { type: 'exitedReviewMode'; id: string; review: string };

/**
 * An agent message's moderation as the line has it: `display` unread (null when absent), each
 * Codex version answers it in its own shape and 0.169.0 has no item for a display it cannot read
 * (protocol/itemDeltas.ts, `moderationAt`).
 */
export interface AgentMessageModerationBody {
  moderated: boolean;
  display: unknown;
}

/** `imageGeneration`: `savedPath` and `inputImages` are left out when absent, as Codex leaves them out. */
export interface ImageGenerationBody {
  type: 'imageGeneration';
  id: string;
  status: string;
  revisedPrompt: string | null;
  fileId?: string;
  result?: string;
  transparentBackground: boolean | null;
  failure: unknown;
  savedPath?: string;
  inputImages?: unknown[];
  generationId?: string | null;
}

export type ThreadItem = ThreadItemBody & { startedAtMs: number | null; completedAtMs: number | null };

/** An item of one type. */
export type ThreadItemOf<K extends ThreadItem['type']> = Extract<ThreadItem, { type: K }>;

/**
 * What each place that handles items does per type, one entry a type: a type added to `ThreadItem`
 * is a compile error at every such table until it is handled there.
 */
export type ThreadItemTable<R, X extends unknown[] = []> = {
  readonly [K in ThreadItem['type']]: (item: ThreadItemOf<K>, ...rest: X) => R;
};

/** The entry of `table` for `item`'s type, applied to it. */
export const byItemType = <R, X extends unknown[]>(table: ThreadItemTable<R, X>, item: ThreadItem, ...rest: X): R =>
  (table[item.type] as (item: ThreadItem, ...rest: X) => R)(item, ...rest);

/** Every item type, from a table the compiler holds to the union (for tests and the other tables' checks). */
const EVERY_ITEM_TYPE: { readonly [K in ThreadItem['type']]: null } = {
  userMessage: null,
  agentMessage: null,
  reasoning: null,
  commandExecution: null,
  fileChange: null,
  mcpToolCall: null,
  webSearch: null,
  imageView: null,
  dynamicToolCall: null,
  collabAgentToolCall: null,
  subAgentActivity: null,
  imageGeneration: null,
  functionCallOutput: null,
  plan: null,
  sleep: null,
  hookPrompt: null,
  contextCompaction: null,
  enteredReviewMode: null,
  exitedReviewMode: null,
};
export const THREAD_ITEM_TYPES = Object.keys(EVERY_ITEM_TYPE) as ReadonlyArray<ThreadItem['type']>;

/**
 * Which items a reader has, where it has fewer than the index (a Codex version whose serde fails
 * some lines the index reads: protocol/itemDeltas.ts `itemPresenceAt`). Only an item of `kinds`
 * may be missing; `has` says whether it is there. Pages and summaries count only the items it has.
 */
export interface ItemPresence {
  readonly kinds: ReadonlySet<string>;
  readonly has: (item: ThreadItem) => boolean;
}
