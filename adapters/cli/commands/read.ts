import * as E from 'fp-ts/lib/Either.js';
import type { Command } from 'commander';
import { readThread } from '../../../replay/readThread.js';
import { jsonlRolloutStore } from '../../jsonl/rolloutStore.js';
import { renderError } from '../../../domain/errors.js';
import type { Thread } from '../../../domain/thread/thread.js';
import { resolveCodexHome } from '../codexHome.js';

const itemText = (item: Thread['turns'][number]['items'][number]): string => {
  switch (item.type) {
    case 'userMessage':
      return item.content.map((c) => (typeof c['text'] === 'string' ? c['text'] : `[${String(c['type'])}]`)).join(' ');
    case 'agentMessage':
      return item.text;
    case 'reasoning':
      return item.summary.join(' ');
    case 'commandExecution':
      return `$ ${item.command} → exit ${item.exitCode ?? '?'}`;
    case 'enteredReviewMode':
    case 'exitedReviewMode':
      return item.review.split('\n')[0] ?? '';
    case 'contextCompaction':
      return '';
  }
};

const renderHuman = (t: Thread): string => {
  const lines = [
    `${t.id}${t.name ? `  "${t.name}"` : ''}  (${t.historyMode}, ${t.turns.length} turns)`,
    `  path:    ${t.path}`,
    `  cwd:     ${t.cwd}`,
    `  preview: ${t.preview}`,
  ];
  for (const turn of t.turns) {
    lines.push(`  turn ${turn.id}  ${turn.status}${turn.error ? `: ${turn.error.message}` : ''}`);
    for (const item of turn.items) lines.push(`    ${item.type.padEnd(18)} ${itemText(item)}`);
  }
  return lines.join('\n');
};

export const registerRead = (program: Command): void => {
  program
    .command('read')
    .description('print a thread as `thread/read {threadId, includeTurns: true}` returns it')
    .argument('<threadId>', 'thread id')
    .option('--codex-home <dir>', 'CODEX_HOME (default: $CODEX_HOME or ~/.codex)')
    .option('--no-turns', 'leave turns out (includeTurns: false)')
    .option('--json', 'print the JSON of the Thread object')
    .action(async (threadId: string, opts: { codexHome?: string; turns: boolean; json?: boolean }) => {
      const store = jsonlRolloutStore(resolveCodexHome(opts.codexHome));
      const result = await readThread(store, threadId, opts.turns)();
      if (E.isLeft(result)) {
        process.stderr.write(`rollout-engine: ${renderError(result.left)}\n`);
        process.exitCode = result.left._tag === 'NotFound' ? 2 : 1;
        return;
      }
      process.stdout.write(opts.json ? `${JSON.stringify(result.right)}\n` : `${renderHuman(result.right)}\n`);
    });
};
