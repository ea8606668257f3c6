import { threadTreeMethod } from '../../../../protocol/threads.js';
import { readThreadTree } from '../../../../replay/history/readThreadTree.js';
import { bindMethod } from '../method.js';

/**
 * `rolloutEngine/thread/tree` (our namespace: Codex has no such method): the thread's family —
 * its oldest ancestor and every fork and sub-agent (review) below it — as the viewer draws it.
 */
export const threadTree = bindMethod(threadTreeMethod, (ctx, p) => readThreadTree(ctx.ports, p));
