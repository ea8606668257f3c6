import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { OpenCodexHome, OpenCodexHomeOptions } from '../codexHome/openCodexHome.js';
import { withCodexHome } from '../codexHome/openCodexHome.js';
import type { HomeOptions } from './homeOptions.js';
import { homeOf } from './homeOptions.js';
import { printAnswer } from './printAnswer.js';
import { quarantineWarning } from './quarantineWarning.js';

/**
 * Run one use case on the home the options name (opened, migrated, through the backfill gate,
 * closed afterwards) and print its answer: JSON with `--json`, else as `human` renders it.
 */
export const runOnHome = async <A>(
  opts: HomeOptions,
  use: (home: OpenCodexHome) => TE.TaskEither<EngineError, A>,
  human: (a: A) => string,
  open: OpenCodexHomeOptions = {},
): Promise<void> => {
  const { codexHome, indexDir } = homeOf(opts);
  const warning = quarantineWarning(indexDir, opts.json);
  printAnswer(await withCodexHome(codexHome, indexDir, open, (home) => use(warning.watch(home))), opts.json, human);
  await warning.print();
};
