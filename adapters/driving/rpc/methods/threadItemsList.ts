import { threadItemsListMethod } from '../../../../protocol/items.js';
import { listItems } from '../../../../replay/history/listItems.js';
import { itemPresenceAt } from '../../../../protocol/itemDeltas.js';
import { bindMethod } from '../method.js';

/** `thread/items/list`: a page of items (default oldest first, 25), paginated and legacy threads alike. */
export const threadItemsList = bindMethod(threadItemsListMethod, (ctx, p) =>
  listItems(ctx.ports, p, itemPresenceAt(ctx.codexVersion)),
);
