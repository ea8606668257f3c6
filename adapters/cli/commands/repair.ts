import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Command } from 'commander';
import { withIndexAsItIs } from '../../codexHome/openCodexHome.js';
import { repairIndex } from '../../indexer/verify.js';
import { EXIT } from '../exitCodes.js';
import { homeOf, withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';
import { cliFeedback, KEPT, stepText } from '../progress.js';

/** `rollout-engine repair`: re-index what verify finds, then verify again (exit 3 if differences remain). */
export const registerRepair = (program: Command): void => {
  withHomeOptions(program.command('repair').description('re-index the rollouts whose rows differ from a fresh fold, then verify again')).action(
    async (opts: HomeOptions) => {
      const { codexHome, indexDir } = homeOf(opts);
      const repairing = stepText(`repairing the index of ${codexHome}: verify, re-index what differs, verify again`, 'repaired', KEPT);
      const repaired = await cliFeedback.during(repairing, () =>
        withIndexAsItIs(codexHome, indexDir, (store) =>
          pipe(
            repairIndex(store, codexHome),
            TE.map(({ before, after, rollouts }) => ({ differencesBefore: before.diffs.length, differencesAfter: after.diffs.length, rollouts })),
          ),
        ),
      );
      printAnswer(
        repaired,
        opts.json,
        (r) => `${r.differencesBefore} differences; re-indexed ${r.rollouts.length} rollouts; ${r.differencesAfter} left`,
        (r) => (r.differencesAfter > 0 ? EXIT.differences : EXIT.ok),
      );
    },
  );
};
