import type { TokenDimension } from '../../../../domain/tokens/reportShape.js';
import { option } from '../optionTable.js';
import type { OptionsOf } from '../optionTable.js';
import { HOME_AND_JSON_OPTIONS } from '../homeOptions.js';
import { PRICING_OPTION } from '../pricingOption.js';

// The options of `tokens`, read by its declaration (tokens.ts), its run and its table.

/** `tokens --by` values: the CLI's names of the token report's dimensions, with `day` = local day (a Map: `--by constructor` is no name). */
export const TOKEN_DIMENSION_NAMES: ReadonlyMap<string, TokenDimension> = new Map([
  ['day', 'dayLocal'],
  ['day-utc', 'dayUtc'],
  ['thread', 'thread'],
  ['turn', 'turn'],
  ['week', 'week'],
  ['month', 'month'],
  ['model', 'model'],
  ['provider', 'provider'],
  ['cwd', 'cwd'],
  ['client', 'client'],
  ['block', 'block'],
]);
export const dimensionNamed = (by: string): TokenDimension | undefined => TOKEN_DIMENSION_NAMES.get(by);

export const TOKENS_OPTIONS = {
  ...HOME_AND_JSON_OPTIONS,
  by: option('--by <dimension>', `group by ${[...TOKEN_DIMENSION_NAMES.keys()].join('|')} (table default: thread)`),
  since: option('--since <when>', 'responses at or after this date / instant (a date is local midnight)'),
  until: option('--until <when>', 'responses before this date / instant'),
  tz: option('--tz <zone>', 'IANA time zone for local days and dates (default: the system zone)'),
  breakdown: option('--breakdown <dimension>', 'under each group, its rows per model (model is the one breakdown)'),
  ...PRICING_OPTION,
};

export type TokensOptions = OptionsOf<typeof TOKENS_OPTIONS>;
