#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=4 --heap-growing-percent=200
import * as fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { invalidArgument } from '../../domain/errors.js';
import { reportError } from './exitCodes.js';
import { registerRead } from './commands/read.js';
import { registerIndex } from './commands/buildIndex.js';
import { registerVerify } from './commands/verify.js';
import { registerRepair } from './commands/repair.js';
import { registerServe } from './commands/serve.js';
import { registerThreads } from './commands/threads.js';
import { registerTurns } from './commands/turns.js';
import { registerItems } from './commands/items.js';
import { registerTokens } from './commands/tokens.js';
import { registerPlugins } from './commands/plugins.js';
import { registerAnalytics } from './commands/analytics.js';
import { registerFork } from './commands/fork.js';
import { registerImportSessions } from './commands/importSessions.js';
import { registerRevert } from './commands/revert.js';
import { registerRollback } from './commands/rollback.js';
import { registerReview } from './commands/review.js';
import { registerTokenUsage } from './commands/tokenUsage.js';
import { registerAppend } from './commands/append.js';
import { registerName } from './commands/name.js';
import { registerArchive } from './commands/archive.js';
import { registerUnarchive } from './commands/unarchive.js';
import { registerMetadata } from './commands/metadata.js';
import { registerDelete } from './commands/delete.js';
import { registerReadState } from './commands/readState.js';
import { registerSearch } from './commands/search.js';
import { registerMirror } from './commands/mirror.js';
import { registerExport } from './commands/export.js';

/** The installed package's version (dist/adapters/cli/main.js → package.json). */
const { version } = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The exit code of a process interrupted by SIGINT, as a shell reports it (128 + 2). */
const INTERRUPTED = 130;

// Ctrl-C: say what was interrupted and that it is safe (every index transaction commits rows and
// checkpoints together; a build's lease held by a process that is gone is taken over at once).
// The status lines (progress.ts, with cli-progress) are loaded with the command that runs: a
// command that has not started has nothing to report.
let feedback: (typeof import('./progress.js'))['cliFeedback'] | undefined;
process.on('SIGINT', () => {
  const message = feedback?.interrupted() ?? null;
  if (message !== null) process.stderr.write(message);
  process.exit(INTERRUPTED);
});

/** A `--json` run reports usage mistakes as the JSON error object too, so its stderr stays machine-readable. */
const wantsJson = process.argv.includes('--json');

// Usage mistakes (unknown option or command, missing argument) are refused like any invalid
// option: through the exit-code table (2), in JSON with --json. Set before the commands are
// registered, so each of them inherits it.
const program = new Command()
  .name('rollout-engine')
  .description('Codex rollouts as an event log: read, index and serve thread history')
  .version(version)
  .exitOverride()
  .configureOutput({ outputError: (text, write) => (wantsJson ? undefined : write(text)) });

registerRead(program);
registerThreads(program);
registerTurns(program);
registerItems(program);
registerIndex(program);
registerVerify(program);
registerRepair(program);
registerServe(program);
registerTokens(program);
registerPlugins(program);
registerAnalytics(program);
registerFork(program);
registerRevert(program);
registerRollback(program);
registerReview(program);
registerTokenUsage(program);
registerAppend(program);
registerName(program);
registerArchive(program);
registerUnarchive(program);
registerMetadata(program);
registerDelete(program);
registerReadState(program);
registerSearch(program);
registerMirror(program);
registerExport(program);
registerImportSessions(program);

// Long work says what it is doing on stderr (progress.ts); `--quiet` on any command silences that.
for (const command of program.commands) command.option('-q, --quiet', 'no status lines or progress bars on stderr (errors are still printed)');
program.hook('preAction', async (_program, action) => {
  feedback = (await import('./progress.js')).cliFeedback;
  feedback.setQuiet(action.opts()['quiet'] === true);
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // --help and --version end through the override too, with exit code 0.
  if (err.exitCode === 0) process.exitCode = 0;
  else if (wantsJson) reportError(invalidArgument('command line', err.message.replace(/^error: /, '')), true);
  else process.exitCode = 2;
} finally {
  feedback?.settle();
}
