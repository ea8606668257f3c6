import type { Command } from 'commander';
import { Argument } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerImportSessions = (program: Command): void => {
  withHomeOptions(
    program
      .command('import')
      .description(
        "import another agent's sessions into this home as Codex does (`externalAgentConfig/import`, SESSIONS): one new thread per session, recorded in Codex's ledger",
      )
      .addArgument(new Argument('<agent>', 'whose sessions: Claude Code, or Cursor (its agent transcripts)').choices(['claude', 'cursor']))
      .option('--from <dir>', "the agent's home (default: $CLAUDE_CONFIG_DIR, then ~/.claude)")
      .option('--session <file...>', 'import these session files instead of the detected ones')
      .option('--since <days|date>', 'only sessions modified within this many days, or since this date (default: 30 days, as Codex)')
      .option('--max-sessions <n>', 'at most this many sessions, newest first (default: 50, as Codex)')
      .option('--dry-run', 'say what would be imported, write nothing')
      .option('--originator <name>', 'originator recorded in the imported threads', 'codex_cli_rs')
      .option('--model-provider <id>', "model provider recorded in the imported threads (default: the home's config.toml model_provider, else openai)")
      .option('--source <name>', 'session source recorded in the imported threads', 'cli'),
  ).action(lazyAction(() => import('../actions/importSessions.js')));
};
