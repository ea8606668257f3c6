import * as TE from 'fp-ts/lib/TaskEither.js';
import { listThreads } from '../../../../replay/history/listThreads.js';
import type { ThreadListing } from '../../../../replay/history/listThreads.js';
import { bindMethod } from '../method.js';
import { threadListMethod } from '../../../../protocol/threads.js';
import { asLoaded } from '../../../../domain/thread/thread.js';

/** `thread/list`: threads with a first user message, filtered and sorted, one page (Codex's answer: the page alone). */
export const threadList = bindMethod(threadListMethod, (ctx, p) =>
  TE.map((l: ThreadListing) => ({ ...l.page, data: l.page.data.map((t) => (ctx.loaded.has(t.id) ? asLoaded(t) : t)) }))(
    listThreads(ctx.ports, p ?? {}),
  ),
);
