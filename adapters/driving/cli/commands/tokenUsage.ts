import { command } from '../commandSpec.js';
import { argument } from '../optionTable.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';

export const tokenUsageCommand = command({
  name: 'token-usage',
  description:
    'the token usage a thread has reached, as `thread/resume` replays it (`thread/tokenUsage/updated` params)',
  arguments: [argument('<threadId>', 'thread', { param: 'threadId' })],
  options: METHOD_VIEW_OPTIONS,
  params: async () => ({ method: (await import('../../../../protocol/tokens.js')).threadTokenUsageReadMethod }),
  onHome: {
    use: async ({ params: p }) => {
      const { readTokenUsage } = await import('../../../../replay/tokens/readTokenUsage.js');
      return (home) => readTokenUsage(home.mutations, p);
    },
    render:
      ({ params: p }) =>
      (u) =>
        u === null
          ? `${p.threadId}: no token usage recorded`
          : `${p.threadId} (turn ${u.turnId}): ${u.tokenUsage.total.totalTokens} tokens total, last ${u.tokenUsage.last.totalTokens}`,
  },
});
