/** ThreadItem as the app-server v2 protocol returns it (key order as Codex serialises it). */
export type UserInputContent = Readonly<Record<string, unknown>>;

export type ThreadItemBody =
  | { type: 'userMessage'; id: string; clientId: string | null; content: UserInputContent[] }
  | {
      type: 'agentMessage';
      moderation: null;
      id: string;
      text: string;
      phase: unknown;
      memoryCitation: unknown;
      delivery: null;
      questions: null;
    }
  | { type: 'reasoning'; id: string; summary: string[]; content: string[] }
  | {
      type: 'commandExecution';
      id: string;
      pluginId: null;
      scriptPath: null;
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
  | { type: 'contextCompaction'; id: string }
  | { type: 'enteredReviewMode'; id: string; review: string }
  | { type: 'exitedReviewMode'; id: string; review: string };

export type ThreadItem = ThreadItemBody & { startedAtMs: number | null; completedAtMs: number | null };
