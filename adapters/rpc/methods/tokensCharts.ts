import * as t from 'io-ts';
import { readTokenCharts } from '../../../replay/readTokenCharts.js';
import { defineMethod } from '../method.js';
import { optional } from '../protocol.js';

/** `rolloutEngine/tokens/charts` params: none, or a thread whose turns' usage to add. */
export const TokenChartsParams = optional(t.partial({ threadId: optional(t.string) }));

/** `rolloutEngine/tokens/charts` (our namespace): the home's token usage per day and per model, for the viewer's charts. */
export const tokensCharts = defineMethod({
  name: 'rolloutEngine/tokens/charts',
  params: TokenChartsParams,
  // A read over every response row, as thread/list reads every thread row: runs with anything.
  scope: () => null,
  handle: (ctx, p) => readTokenCharts(ctx.ports, p?.threadId ?? undefined),
});
