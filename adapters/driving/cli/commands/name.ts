import { command } from '../commandSpec.js';
import { argument } from '../optionTable.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';

export const nameCommand = command({
  name: 'name',
  description:
    'name a thread (`thread/name/set`): a line in session_index.jsonl, as Codex writes it; nothing in the rollout',
  arguments: [
    argument('<threadId>', 'thread to name', { param: 'threadId' }),
    argument('<name>', 'its name (trimmed; blank refused)', { param: 'name' }),
  ],
  options: METHOD_VIEW_OPTIONS,
  params: async () => ({ method: (await import('../../../../protocol/management.js')).threadNameSetMethod }),
  onHome: {
    use: async ({ params: p }) => {
      const { setThreadName } = await import('../../../../replay/mutations/setThreadName.js');
      return (home) => setThreadName(home.mutations, p);
    },
    render: () => (v) => `named ${v.threadId} "${v.name}"`,
  },
});
