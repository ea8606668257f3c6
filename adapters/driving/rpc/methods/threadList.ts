import * as TE from 'fp-ts/lib/TaskEither.js';
import { listThreads } from '../../../../replay/history/listThreads.js';
import type { ThreadListing } from '../../../../replay/history/listThreads.js';
import { bindMethod } from '../method.js';
import { unchangingAnswer } from '../unchangingAnswers.js';
import { threadListMethod } from '../../../../protocol/threads.js';
import { asLoaded } from '../../../../domain/thread/thread.js';

/** `thread/list`: threads with a first user message, filtered and sorted, one page (Codex's answer: the page alone). */
export const threadList = bindMethod(threadListMethod, (ctx, p) =>
  TE.map((l: ThreadListing) =>
    // A page with no loaded thread is answered as listed: the same object while the index stands (its text made once).
    l.page.data.some((t) => ctx.loaded.has(t.id))
      ? { ...l.page, data: l.page.data.map((t) => (ctx.loaded.has(t.id) ? asLoaded(t) : t)) }
      : unchangingAnswer(l.page),
  )(listThreads(ctx.ports, p ?? {})),
);
