import { option } from './optionTable.js';

/** `--pricing FILE`, declared once for the commands that show a cost (`tokens`; `serve` and `view`, whose token report and charts use it). */
export const PRICING_OPTION = {
  pricing: option(
    '--pricing <file>',
    'prices per model, added to the table shipped (a model named takes its price; the others keep theirs). JSON: {source, asOf, models: {name: {inputPerMTok, cachedInputPerMTok, outputPerMTok, cacheWriteInputPerMTok?}}}',
    { param: 'pricing' },
  ),
};
