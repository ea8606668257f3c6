import * as E from 'fp-ts/lib/Either.js';
import type { Command } from 'commander';
import { repairIndex } from '../../indexer/verify.js';
import { registerIndexCommand } from '../indexCommand.js';

/** `rollout-engine repair`: re-index what verify finds, then verify again (exit 3 if differences remain). */
export const registerRepair = (program: Command): void =>
  registerIndexCommand(program, 'repair', 're-index the rollouts whose rows differ from a fresh fold, then verify again', async (store, home) => {
    const r = await repairIndex(store, home)();
    if (E.isLeft(r)) return r;
    const { before, after, rollouts } = r.right;
    return E.right({
      text: `${before.diffs.length} differences; re-indexed ${rollouts.length} rollouts; ${after.diffs.length} left`,
      json: { differencesBefore: before.diffs.length, differencesAfter: after.diffs.length, rollouts },
      exitCode: after.diffs.length > 0 ? 3 : 0,
    });
  });
