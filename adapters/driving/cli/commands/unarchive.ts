import {} from '../commandSpec.js';
import { threadIdCommand } from '../threadIdCommand.js';

export const unarchiveCommand = threadIdCommand({
  name: 'unarchive',
  description: 'unarchive a thread (`thread/unarchive`): its files move back to sessions/YYYY/MM/DD/',
  method: async () => (await import('../../../../protocol/management.js')).threadUnarchiveMethod,
  use: async () => (await import('../../../../replay/mutations/unarchiveThread.js')).unarchiveThread,
  human: (v) => [`unarchived ${v.threadId}`, ...v.moved.map((m) => `  ${m.from} → ${m.to}`)].join('\n'),
});
