// A tool item as the `toolItems` table keeps it (toolItems.ts reads it from an `item_completed` line,
// toolItemEvent.ts makes Codex's event of it).

export type ToolTerminalStatus = 'completed' | 'failed' | 'rejected' | 'interrupted';
export type ToolFailureKind = 'tool_error' | 'approval_denied';

export type ToolItemFacts =
  | {
      readonly kind: 'commandExecution';
      readonly source: string;
      readonly exitCode: number | null;
      readonly executionMs: number | null;
      readonly actions: {
        readonly total: number;
        readonly read: number;
        readonly listFiles: number;
        readonly search: number;
        readonly unknown: number;
      };
    }
  | {
      readonly kind: 'fileChange';
      readonly changes: {
        readonly total: number;
        readonly add: number;
        readonly update: number;
        readonly delete: number;
        readonly move: number;
      };
    }
  | {
      readonly kind: 'mcpToolCall';
      readonly server: string;
      readonly tool: string;
      readonly errorPresent: boolean;
      readonly executionMs: number | null;
    }
  | {
      readonly kind: 'dynamicToolCall';
      readonly tool: string;
      readonly success: boolean | null;
      readonly content: { readonly total: number; readonly text: number; readonly image: number } | null;
      readonly executionMs: number | null;
    }
  | {
      readonly kind: 'webSearch';
      readonly action: 'search' | 'open_page' | 'find_in_page' | 'other' | null;
      readonly queryPresent: boolean;
      readonly queryCount: number | null;
    }
  | { readonly kind: 'imageGeneration'; readonly revisedPromptPresent: boolean; readonly savedPathPresent: boolean };

/** One tool item of a rollout, as the `toolItems` table keeps it (key: [rolloutId, line]). */
export interface ToolItemRow {
  readonly turnId: string;
  readonly itemId: string;
  readonly startedAtMs: number;
  readonly completedAtMs: number;
  readonly toolName: string;
  readonly terminalStatus: ToolTerminalStatus;
  readonly failureKind: ToolFailureKind | null;
  readonly facts: ToolItemFacts;
}
