import { threadItemKindsMethod } from '../../../../protocol/threads.js';
import { readItemKinds } from '../../../../replay/history/readItemKinds.js';
import { bindMethod } from '../method.js';

/** `rolloutEngine/thread/itemKinds` (our namespace): a turn's items counted by kind, the badges of a collapsed turn. */
export const threadItemKinds = bindMethod(threadItemKindsMethod, (ctx, p) => readItemKinds(ctx.ports, p));
