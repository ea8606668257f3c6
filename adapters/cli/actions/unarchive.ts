import { unarchiveThread } from '../../../replay/unarchiveThread.js';
import type { HomeOptions } from '../homeOptions.js';
import { threadIdAction } from '../threadIdAction.js';

/** What `rollout-engine unarchive` does (loaded by its action only). */
export const action = (threadId: string, opts: HomeOptions) =>
  threadIdAction(threadId, opts, 'session', unarchiveThread, (v) => [`unarchived ${v.threadId}`, ...v.moved.map((m) => `  ${m.from} → ${m.to}`)].join('\n'));
