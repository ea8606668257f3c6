import type { Command } from 'commander';
import { withIndexAsItIs } from '../../codexHome/openCodexHome.js';
import { verifyIndex } from '../../indexer/verify.js';
import type { IndexDiff } from '../../indexer/verify.js';
import { EXIT } from '../exitCodes.js';
import { homeOf, withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';
import { cliFeedback, stepText } from '../progress.js';

const renderDiff = (d: IndexDiff): string => `  ${d.kind.padEnd(9)} ${d.table} ${JSON.stringify(d.key)}`;

/** `rollout-engine verify`: the index against a fresh fold of the files (exit 3 when they differ). */
export const registerVerify = (program: Command): void => {
  withHomeOptions(program.command('verify').description('compare the index with a fresh fold of the rollout files and list the differences (exit 3 if any)')).action(
    async (opts: HomeOptions) => {
      const { codexHome, indexDir } = homeOf(opts);
      const verifying = stepText(`verifying the index of ${codexHome} against a fresh fold of its rollout files`, 'verified', 'verify changes nothing');
      printAnswer(
        await cliFeedback.during(verifying, () => withIndexAsItIs(codexHome, indexDir, (store) => verifyIndex(store, codexHome))),
        opts.json,
        (r) => [`${r.rows} rows expected, ${r.diffs.length} differences`, ...r.diffs.map(renderDiff)].join('\n'),
        (r) => (r.diffs.length > 0 ? EXIT.differences : EXIT.ok),
      );
    },
  );
};
