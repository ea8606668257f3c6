import * as t from 'io-ts';
import { readThreadTree } from '../../../replay/readThreadTree.js';
import { defineMethod } from '../method.js';

/** `rolloutEngine/thread/tree` params. */
export const ThreadTreeParams = t.type({ threadId: t.string });

/**
 * `rolloutEngine/thread/tree` (our namespace: Codex has no such method): the thread's family —
 * its oldest ancestor and every fork and sub-agent (review) below it — as the viewer draws it.
 */
export const threadTree = defineMethod({
  name: 'rolloutEngine/thread/tree',
  params: ThreadTreeParams,
  // A read over every thread row, as thread/list: runs with anything.
  scope: () => null,
  handle: (ctx, p) => readThreadTree(ctx.ports, p.threadId),
});
