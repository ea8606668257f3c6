import { option } from './optionTable.js';

/** `--pricing FILE`, declared once for the commands that show a cost (`tokens`; `serve` and `view`, whose token report and charts use it). */
export const PRICING_OPTION = {
  pricing: option(
    '--pricing <file>',
    'prices per model (JSON: {source, asOf, models: {name: {inputPerMTok, cachedInputPerMTok, outputPerMTok, cacheWriteInputPerMTok?}}}) instead of the table shipped',
    { param: 'pricing' },
  ),
};
