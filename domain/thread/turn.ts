import type { ThreadItem } from './threadItem.js';

export type TurnStatus = 'completed' | 'failed' | 'interrupted' | 'inProgress';
export type ItemsView = 'notLoaded' | 'summary' | 'full';

export interface TurnError {
  message: string;
  codexErrorInfo: unknown;
  additionalDetails: unknown;
  misalignment: unknown;
}

/** Turn as the app-server v2 protocol returns it. */
export interface Turn {
  id: string;
  rootTurnId: string | null;
  items: ThreadItem[];
  itemsView: ItemsView;
  status: TurnStatus;
  error: TurnError | null;
  startedAt: number | null;
  completedAt: number | null;
  durationMs: number | null;
}
