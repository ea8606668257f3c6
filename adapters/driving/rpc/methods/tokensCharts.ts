import { tokensChartsMethod } from '../../../../protocol/tokens.js';
import { readTokenCharts } from '../../../../replay/tokens/readTokenCharts.js';
import { bindMethod } from '../method.js';

/** `rolloutEngine/tokens/charts` (our namespace): the home's token usage per day and per model, for the viewer's charts. */
export const tokensCharts = bindMethod(tokensChartsMethod, (ctx, p) =>
  readTokenCharts(ctx.ports, p, { pricing: ctx.pricing }),
);
