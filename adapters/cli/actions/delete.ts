import { deleteThread } from '../../../replay/deleteThread.js';
import type { HomeOptions } from '../homeOptions.js';
import { threadIdAction } from '../threadIdAction.js';

/** What `rollout-engine delete` does (loaded by its action only). */
export const action = (threadId: string, opts: HomeOptions) =>
  threadIdAction(threadId, opts, 'thread', deleteThread, (v) => [`deleted ${v.threadId}`, ...v.removed.map((p) => `  ${p}`)].join('\n'));
