import { threadTurnsListMethod } from '../../../../protocol/turns.js';
import { listTurns } from '../../../../replay/history/listTurns.js';
import { itemPresenceAt } from '../../../../protocol/itemDeltas.js';
import { bindMethod } from '../method.js';

/** `thread/turns/list`: a page of turns (default newest first, summary items, 25); its id checked by its entry's rule (`bindMethod`). */
export const threadTurnsList = bindMethod(threadTurnsListMethod, (ctx, p) =>
  listTurns(ctx.ports, p, itemPresenceAt(ctx.codexVersion)),
);
