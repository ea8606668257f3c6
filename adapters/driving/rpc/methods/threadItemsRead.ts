import { threadItemsReadMethod } from '../../../../protocol/items.js';
import { readTurnItems } from '../../../../replay/history/readTurnItems.js';
import { bindMethod } from '../method.js';

/** `thread/items/read` (experimental): some items of one turn by id; its id checked by its entry's rule (`bindMethod`). */
export const threadItemsRead = bindMethod(threadItemsReadMethod, (ctx, p) => readTurnItems(ctx.ports, p));
