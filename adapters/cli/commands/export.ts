import type { Command } from 'commander';
import { lazyAction } from '../lazyAction.js';

/** `rollout-engine export`: EventStoreDB's rollout streams back into a JSONL home, byte for byte. */
export const registerExport = (program: Command): void => {
  program
    .command('export')
    .description('write the rollout streams of EventStoreDB back as a CODEX_HOME of rollout files, byte for byte (never overwrites a file)')
    .requiredOption('--eventstore <url>', 'EventStoreDB connection string, e.g. esdb://127.0.0.1:2113?tls=false')
    .requiredOption('--out <dir>', 'the home to write (its sessions/ and archived_sessions/)')
    .option('--json', 'print the summary as JSON')
    .action(lazyAction(() => import('../actions/export.js')));
};
