import * as TE from 'fp-ts/lib/TaskEither.js';
import { readThread } from '../../../replay/history/readThread.js';
import type { ThreadRead } from '../../../replay/history/readThread.js';
import { bindMethod } from '../method.js';
import { threadReadMethod } from '../../../protocol/threads.js';
import { asLoaded } from '../../../domain/thread/thread.js';

export const PAGINATED_FULL_READ_NOTICE =
  'Full-history hydration is deprecated for paginated threads; omit `includeTurns` or set it to `false`, then page with `thread/turns/list` and `thread/items/list`.';

/** `thread/read`: the thread, and every turn when `includeTurns` (with Codex's notice for paginated threads); its id checked by its entry's rule (`bindMethod`). */
export const threadRead = bindMethod(threadReadMethod, (ctx, p) =>
  TE.map((r: ThreadRead) => {
    if (p.includeTurns === true && r.thread.historyMode === 'paginated') ctx.notify('deprecationNotice', { summary: PAGINATED_FULL_READ_NOTICE, details: null });
    return ctx.loaded.has(r.thread.id) ? { ...r, thread: asLoaded(r.thread) } : r;
  })(readThread(ctx.ports, p)),
);
