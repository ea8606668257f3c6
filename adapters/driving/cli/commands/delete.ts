import {} from '../commandSpec.js';
import { threadIdCommand } from '../threadIdCommand.js';

export const deleteCommand = threadIdCommand({
  name: 'delete',
  description:
    'delete a thread (`thread/delete`): its rollout files and names go; refused while a fork reads its history',
  method: async () => (await import('../../../../protocol/management.js')).threadDeleteMethod,
  use: async () => (await import('../../../../replay/mutations/deleteThread.js')).deleteThread,
  human: (v) => [`deleted ${v.threadId}`, ...v.removed.map((p) => `  ${p}`)].join('\n'),
});
