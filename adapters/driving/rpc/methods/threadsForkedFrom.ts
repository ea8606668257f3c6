import { threadsForkedFromMethod } from '../../../../protocol/threads.js';
import { readForkedFrom } from '../../../../replay/history/readForkedFrom.js';
import { bindMethod } from '../method.js';

/** `rolloutEngine/threads/forkedFrom` (our namespace): which listed threads are forks, and of what (thread/list's rows, as Codex's, do not say). */
export const threadsForkedFrom = bindMethod(threadsForkedFromMethod, (ctx, p) => readForkedFrom(ctx.ports, p));
