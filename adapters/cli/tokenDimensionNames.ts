import type { TokenDimension } from '../../domain/tokens/report.js';

/**
 * `tokens --by` values: the CLI's names of the token report's dimensions, with `day` = local day.
 * The command's help lists them and its action decodes them (a module of its own, which both
 * import: the command loads its action lazily, and the action may not import the command back).
 */
export const TOKEN_DIMENSION_NAMES: Readonly<Record<string, TokenDimension>> = {
  day: 'dayLocal',
  'day-utc': 'dayUtc',
  thread: 'thread',
  turn: 'turn',
  model: 'model',
  provider: 'provider',
  cwd: 'cwd',
};
