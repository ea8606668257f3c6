import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';
import { TOKEN_DIMENSIONS } from '../../../domain/tokens/report.js';
import { TOKEN_DIMENSION_NAMES } from '../tokenDimensionNames.js';

export const registerTokens = (program: Command): void => {
  withHomeOptions(program.command('tokens').description('token-usage audit: each response counted once (forks and reverts never re-count), from the index'))
    .option('--by <dimension>', `group by ${Object.keys(TOKEN_DIMENSION_NAMES).join('|')} (table default: thread)`)
    .option('--since <when>', 'responses at or after this date / instant (a date is local midnight)')
    .option('--until <when>', 'responses before this date / instant')
    .option('--tz <zone>', 'IANA time zone for local days and dates (default: the system zone)')
    .addHelpText('after', `\nWith --json and no --by, every breakdown: ${TOKEN_DIMENSIONS.join(', ')}.`)
    .action(lazyAction(() => import('../actions/tokens.js')));
};
