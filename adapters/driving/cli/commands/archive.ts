import {} from '../commandSpec.js';
import { threadIdCommand } from '../threadIdCommand.js';

export const archiveCommand = threadIdCommand({
  name: 'archive',
  description: 'archive a thread (`thread/archive`): its rollout files move to archived_sessions/, as Codex moves them',
  method: async () => (await import('../../../../protocol/management.js')).threadArchiveMethod,
  use: async () => (await import('../../../../replay/mutations/archiveThread.js')).archiveThread,
  human: (v) => [`archived ${v.threadId}`, ...v.moved.map((m) => `  ${m.from} → ${m.to}`)].join('\n'),
});
