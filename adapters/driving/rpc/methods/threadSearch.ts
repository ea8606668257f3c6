import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { rejected } from '../../../../domain/errors.js';
import type { EngineError } from '../../../../domain/errors.js';
import {
  snippetContextAt,
  threadSearchCancelMethod,
  threadSearchMethod,
  threadSearchStreamCancelMethod,
  threadSearchStreamMethod,
} from '../../../../protocol/search.js';
import type { Versioned } from '../../../../protocol/codexVersions.js';
import type { ThreadSearchPage } from '../../../../protocol/search.js';
import type { SearchThreadsQuery } from '../../../../replay/history/searchThreads.js';
import { searchThreads } from '../../../../replay/history/searchThreads.js';
import { holdPoint } from '../../../driven/system/holdPoint.js';
import { bindMethod } from '../method.js';
import type { RpcContext } from '../method.js';

/** Codex 0.171.0's answer to a search its client cancelled (measured: -32600, these words). */
const SEARCH_CANCELLED = 'thread search cancelled';

/**
 * A search that a cancel stops: the page found, then (before anything is sent) the request
 * cancelled answers an error instead, and sends no rows. `onFound` sends what the page found
 * (the stream's partials).
 */
const cancellableSearch = (
  ctx: RpcContext,
  entry: Versioned,
  p: SearchThreadsQuery,
  onFound: (page: ThreadSearchPage) => void = () => undefined,
): TE.TaskEither<EngineError, ThreadSearchPage> =>
  pipe(
    ctx.cancelled?.aborted === true
      ? TE.left(rejected(SEARCH_CANCELLED))
      : // The snippet cut as the connection's version cuts it (the method's declared rule).
        searchThreads(ctx.ports, p, snippetContextAt(entry, ctx.codexVersion)),
    TE.chainFirst(() => TE.fromTask(() => holdPoint('search.found'))),
    TE.chain((page) => {
      if (ctx.cancelled?.aborted === true) return TE.left(rejected(SEARCH_CANCELLED));
      onFound(page);
      return TE.right(page);
    }),
  );

/** `thread/search`: threads whose current rollout file holds the term in a user or assistant message, in list order, with a snippet. */
export const threadSearch = bindMethod(threadSearchMethod, (ctx, p) => cancellableSearch(ctx, threadSearchMethod, p));

/**
 * `thread/search/stream` (Codex 0.171.0): `thread/search` from the index, each row found sent
 * first as a `thread/search/partial` of one row (as Codex sends them), then the page.
 */
export const threadSearchStream = bindMethod(threadSearchStreamMethod, (ctx, p) =>
  cancellableSearch(ctx, threadSearchStreamMethod, p, (page) => {
    for (const row of page.data) ctx.notify('thread/search/partial', { requestId: ctx.requestId ?? null, data: [row] });
  }),
);

/** `thread/search/cancel`: `{}`, and the connection's running `thread/search` of that id, if any, stops. */
export const threadSearchCancel = bindMethod(threadSearchCancelMethod, (ctx, p) => {
  ctx.cancel?.('thread/search', p.requestId);
  return TE.right({});
});

/** `thread/search/stream/cancel`: the same for `thread/search/stream`. */
export const threadSearchStreamCancel = bindMethod(threadSearchStreamCancelMethod, (ctx, p) => {
  ctx.cancel?.('thread/search/stream', p.requestId);
  return TE.right({});
});
