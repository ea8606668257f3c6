import type { Turn } from './turn.js';
import type { HistoryMode } from '../rollout/historyMode.js';

export interface GitInfo {
  sha: string | null;
  branch: string | null;
  originUrl: string | null;
}

/** Thread as `codex app-server` 0.169.0 returns it (field order as it serialises). */
export interface Thread {
  id: string;
  environments: null;
  extra: null;
  sessionId: string;
  forkedFromId: string | null;
  attachedToThreadId: null;
  parentThreadId: string | null;
  preview: string;
  ephemeral: boolean;
  section: null;
  sectionEnteredAt: null;
  projectId: null;
  historyMode: HistoryMode;
  modelProvider: string | null;
  model: string | null;
  reasoningEffort: string | null;
  createdAt: number;
  updatedAt: number;
  recencyAt: number;
  status: { type: 'notLoaded' } | { type: 'idle' } | { type: string };
  path: string;
  cwd: string;
  cliVersion: string;
  /** Null for a row Codex's state DB built from its file name (a first meta its serde refuses). */
  originator: string | null;
  source: unknown;
  canAcceptDirectInput: null;
  threadSource: string | null;
  agentNickname: string | null;
  agentRole: string | null;
  gitInfo: GitInfo | null;
  name: string | null;
  daybreakEnabled: null;
  turns: Turn[];
}

/**
 * A thread as Codex shows one it holds loaded: its local environment (the thread's cwd, the
 * workspace roots it runs with) and `idle`. The answer that loads it (`thread/fork`, and its
 * `thread/started`) also says it takes input directly; later reads say what the store says.
 */
export const asLoaded = <T extends { readonly cwd: string | null }>(
  thread: T,
  loadedNow?: { readonly runtimeWorkspaceRoots: ReadonlyArray<unknown> },
): T => ({
  ...thread,
  environments: [
    {
      environmentId: 'local',
      cwd: thread.cwd,
      runtimeWorkspaceRoots: loadedNow?.runtimeWorkspaceRoots ?? [thread.cwd],
    },
  ],
  status: { type: 'idle' },
  ...(loadedNow === undefined ? {} : { canAcceptDirectInput: true }),
});
