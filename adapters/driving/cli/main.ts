#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=4 --heap-growing-percent=200
import { Command, CommanderError } from 'commander';
import { invalidArgument } from '../../../domain/errors.js';
import { engineVersion } from '../../driven/system/packageRoot.js';
import { reportError } from './exitCodes.js';
import { registerCommand } from './registerCommand.js';
import { COMMANDS } from './commandList.js';
import { terminalLines } from './terminalText.js';

/** The exit code of a process interrupted by SIGINT, as a shell reports it (128 + 2). */
const INTERRUPTED = 130;

// Ctrl-C: say what was interrupted and that it is safe (every index transaction commits rows and
// checkpoints together; a build's lease held by a process that is gone is taken over at once).
// The status lines (progress.ts, with cli-progress) are loaded with the command that runs: a
// command that has not started has nothing to report.
let feedback: (typeof import('./progress.js'))['cliFeedback'] | undefined;
process.on('SIGINT', () => {
  const message = feedback?.interrupted() ?? null;
  if (message !== null) process.stderr.write(terminalLines(message));
  process.exit(INTERRUPTED);
});

/** The exit code of a command whose reader went away, as a shell reports one SIGPIPE ended (128 + 13). */
const READER_GONE = 141;

/**
 * A reader that closed stdout (`rollout-engine tokens | head`) took what it wanted. Node ignores
 * SIGPIPE and reports EPIPE on the stream, which unhandled ended in a stack trace: the command
 * ends as SIGPIPE ends any, quietly, and as safe as Ctrl-C (above). Not `serve`: its transports
 * own stdout, and a peer gone ends it through its connection.
 */
const endWhenReaderGone = (): void => {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(READER_GONE);
  });
};

/** A `--json` run reports usage mistakes as the JSON error object too, so its stderr stays machine-readable. */
const wantsJson = process.argv.includes('--json');

// Usage mistakes (unknown option or command, missing argument) are refused like any invalid
// option: through the exit-code table (2), in JSON with --json. Set before the commands are
// registered, so each of them inherits it.
const program = new Command()
  .name('rollout-engine')
  .description('Codex rollouts as an event log: read, index and serve thread history')
  .version(engineVersion())
  .exitOverride()
  .configureOutput({ outputError: (text, write) => (wantsJson ? undefined : write(terminalLines(text))) });

for (const spec of COMMANDS) registerCommand(program, spec);

// Long work says what it is doing on stderr (progress.ts); `--quiet` on any command silences that.
for (const command of program.commands)
  command.option('-q, --quiet', 'no status lines or progress bars on stderr (errors are still printed)');
program.hook('preAction', async (_program, action) => {
  feedback = (await import('./progress.js')).cliFeedback;
  feedback.setQuiet(action.opts()['quiet'] === true);
  if (action.name() !== 'serve') endWhenReaderGone();
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
