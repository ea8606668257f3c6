import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../domain/errors.js';
import type { OpenCodexHome, OpenCodexHomeOptions } from '../composition/openCodexHome.js';
import { withCodexHome } from '../composition/openCodexHome.js';
import type { HomeOptions } from './homeOptions.js';
import { homeOf } from './homeOptions.js';
import type { Human } from './printAnswer.js';
import { printAnswer } from './printAnswer.js';
import { cliFeedback } from './progress.js';
import { quarantineWarning } from './quarantineWarning.js';
import { threadHinted } from './threadIdArgument.js';

// Loaded with a command on a home (registerCommand.ts): its thread ids are resolved on the same engine.
export * as threadIds from './threadIdArgument.js';

/**
 * Run one use case on the home the options name (opened, migrated, through the backfill gate,
 * closed after its answer is printed; long index work said on stderr) and print its answer: JSON
 * with `--json`, else as `human` renders it. `threadId`: the thread the command was given, which a
 * refusal finding no thread then says the whereabouts of.
 */
export const runOnHome = async <A>(
  opts: HomeOptions,
  use: (home: OpenCodexHome) => TE.TaskEither<EngineError, A>,
  human: Human<A>,
  open: OpenCodexHomeOptions = {},
  threadId?: string,
): Promise<void> => {
  const named = homeOf(opts);
  if (E.isLeft(named)) return printAnswer(named, opts, human);
  const { codexHome, indexDir } = named.right;
  const warning = quarantineWarning(indexDir, opts.json);
  // Printed while the home is open: a streamed answer (`read`) is read as it is printed.
  const opened = await withCodexHome(
    codexHome,
    indexDir,
    { onStatus: cliFeedback.onStatus, ...open },
    (home) => async () => {
      const answer = await use(warning.watch(home))();
      cliFeedback.settle();
      // A refusal that finds no thread says where it is, from the index still open.
      if (E.isLeft(answer) && threadId !== undefined) {
        return printAnswer(E.left(await threadHinted(home.read, answer.left, threadId)), opts, human).then(() =>
          E.right(undefined),
        );
      }
      await printAnswer(answer, opts, human);
      return E.right(undefined);
    },
  );
  cliFeedback.settle();
  if (E.isLeft(opened)) await printAnswer(opened, opts, human);
  await warning.print();
};
