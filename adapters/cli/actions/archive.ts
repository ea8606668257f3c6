import { archiveThread } from '../../../replay/archiveThread.js';
import type { HomeOptions } from '../homeOptions.js';
import { threadIdAction } from '../threadIdAction.js';

/** What `rollout-engine archive` does (loaded by its action only). */
export const action = (threadId: string, opts: HomeOptions) =>
  threadIdAction(threadId, opts, 'session', archiveThread, (v) => [`archived ${v.threadId}`, ...v.moved.map((m) => `  ${m.from} → ${m.to}`)].join('\n'));
