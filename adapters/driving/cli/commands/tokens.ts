import { TOKEN_DIMENSIONS } from '../../../../domain/tokens/reportShape.js';
import { command } from '../commandSpec.js';
import { TOKENS_OPTIONS } from './tokensOptions.js';

// The declaration only: the report, its table and its run (tokensRun.ts) load when the command runs.

export const tokensCommand = command({
  name: 'tokens',
  description: 'token-usage audit: each response counted once (forks and reverts never re-count), from the index',
  arguments: [],
  options: TOKENS_OPTIONS,
  helpAfter: `\nWith --json and no --by, every breakdown: ${TOKEN_DIMENSIONS.join(', ')}.`,
  run: async ({ opts }) => (await import('./tokensRun.js')).printTokens(opts),
});
