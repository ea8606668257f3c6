import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { readThread } from '../../../replay/readThread.js';
import type { ThreadRead } from '../../../replay/readThread.js';
import { defineMethod, threadScope } from '../method.js';
import { asLoaded } from '../../../domain/thread/thread.js';
import { optional } from '../protocol.js';

/** `thread/read` params; `rollout-engine read` decodes its arguments with it too. */
export const ThreadReadParams = t.intersection([t.type({ threadId: t.string }), t.partial({ includeTurns: optional(t.boolean) })]);

export const PAGINATED_FULL_READ_NOTICE =
  'Full-history hydration is deprecated for paginated threads; omit `includeTurns` or set it to `false`, then page with `thread/turns/list` and `thread/items/list`.';

/** `thread/read`: the thread, and every turn when `includeTurns` (with Codex's notice for paginated threads). */
export const threadRead = defineMethod({
  name: 'thread/read',
  params: ThreadReadParams,
  // Codex runs it exclusively on the thread; a read needs no more than to wait for the thread's writes.
  scope: (p) => threadScope(p.threadId, 'read'),
  handle: (ctx, p) =>
    TE.map((r: ThreadRead) => {
      if (p.includeTurns === true && r.thread.historyMode === 'paginated') ctx.notify('deprecationNotice', { summary: PAGINATED_FULL_READ_NOTICE, details: null });
      return ctx.loaded.has(r.thread.id) ? { ...r, thread: asLoaded(r.thread) } : r;
    })(readThread(ctx.ports, p.threadId, p.includeTurns === true)),
});
