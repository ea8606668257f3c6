import type { Command } from 'commander';
import { lazyAction } from '../lazyAction.js';

/** `rollout-engine mirror`: a home's rollout files into EventStoreDB, one stream per file (resumable, idempotent). */
export const registerMirror = (program: Command): void => {
  program
    .command('mirror')
    .description('copy the rollout files of a CODEX_HOME into EventStoreDB, one stream per file, byte for byte (resumable: a re-run writes only what is missing)')
    .option('--codex-home <dir>', 'CODEX_HOME (default: $CODEX_HOME, then ~/.codex)')
    .requiredOption('--eventstore <url>', 'EventStoreDB connection string, e.g. esdb://127.0.0.1:2113?tls=false')
    .option('--max-append-bytes <n>', "the server's maximum append size in bytes (default 1048576, its default)")
    .option('--json', 'print the summary as JSON')
    .action(lazyAction(() => import('../actions/mirror.js')));
};
