import * as t from 'io-ts';
import type { ThreadTokenUsageUpdated } from '../domain/tokens/threadTokenUsage.js';
import { optional } from './jsonRpc.js';
import { method, threadScope, unscoped } from './methodEntry.js';

/** `thread/tokenUsage/read` params; `rollout-engine token-usage` decodes its argument with it too. */
export const ThreadTokenUsageReadParams = t.type({ threadId: t.string });

/** `thread/tokenUsage/read`: what `thread/resume` replays as `thread/tokenUsage/updated`, asked directly. */
export const threadTokenUsageReadMethod = method<ThreadTokenUsageUpdated | { threadId: string; turnId: null; tokenUsage: null }>()({
  name: 'thread/tokenUsage/read',
  params: ThreadTokenUsageReadParams,
  scope: (p) => threadScope(p.threadId, 'read'),
});

/** `rolloutEngine/tokens/charts` params: none, or a thread whose turns' usage to add. */
export const TokenChartsParams = optional(t.partial({ threadId: optional(t.string) }));

/** `rolloutEngine/tokens/charts` (our namespace): the home's token usage per day and per model, for the viewer's charts. */
export const tokensChartsMethod = method()({
  name: 'rolloutEngine/tokens/charts',
  params: TokenChartsParams,
  // A read over every response row, as thread/list reads every thread row: runs with anything.
  scope: unscoped,
});
