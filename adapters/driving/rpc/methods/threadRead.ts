import * as TE from 'fp-ts/lib/TaskEither.js';
import { readThread } from '../../../../replay/history/readThread.js';
import type { ThreadRead } from '../../../../replay/history/readThread.js';
import { bindMethod } from '../method.js';
import { threadReadMethod } from '../../../../protocol/threads.js';
import { asLoaded } from '../../../../domain/thread/thread.js';

/** `thread/read`: the thread, and every turn when `includeTurns` (with Codex's notice for paginated threads); its id checked by its entry's rule (`bindMethod`). */
export const threadRead = bindMethod(threadReadMethod, (ctx, p) =>
  TE.map((r: ThreadRead) => {
    const notice = threadReadMethod.paginatedFullHistoryNotice;
    if (notice !== undefined && p.includeTurns === true && r.thread.historyMode === 'paginated')
      ctx.notify('deprecationNotice', { summary: notice, details: null });
    return ctx.loaded.has(r.thread.id) ? { ...r, thread: asLoaded(r.thread) } : r;
  })(readThread(ctx.ports, p)),
);
