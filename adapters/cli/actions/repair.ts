import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { withIndexAsItIs } from '../../composition/openCodexHome.js';
import { indexHome } from '../../../indexer/indexHome.js';
import type { IndexHomeSummary } from '../../../indexer/indexHome.js';
import { repairIndex } from '../../../indexer/repair.js';
import type { RepairReport } from '../../../indexer/repair.js';
import { dropVerifyFindings, loadVerifyFindings } from '../../../indexer/verifyFindings.js';
import { homeQuarantineSink } from '../../jsonl/quarantine.js';
import { homeOf } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';
import { cliFeedback, KEPT, stepText } from '../progress.js';

type Repaired = RepairReport & { readonly rebuilt: IndexHomeSummary | null };

const repairText = (r: Repaired): string =>
  r.rebuilt !== null
    ? `rebuilt the index (${r.rebuilt.files} files, ${r.rebuilt.lines} lines) in ${r.seconds.toFixed(2)} s: ${r.reason}`
    : `re-indexed ${r.rollouts.length} rollouts in ${r.seconds.toFixed(2)} s: ${r.reason}`;

/** Counts in the JSON answer, not the rollout ids (there may be thousands). */
const repairJson = (r: Repaired): unknown => {
  const { rollouts, rebuilt, catchUp, ...rest } = r;
  return { ...rest, rollouts: rollouts.length, reindexed: catchUp === null ? null : catchUp.indexed + catchUp.reindexed + catchUp.tailed, rebuilt: rebuilt !== null };
};

/** What `rollout-engine repair` does (loaded by its action only). */
export const action = async (opts: HomeOptions) => {
  const { codexHome, indexDir } = homeOf(opts);
  const t0 = process.hrtime.bigint();
  const findings = await loadVerifyFindings(indexDir)();
  const planned = E.isLeft(findings)
    ? findings
    : await cliFeedback.during(stepText(`repairing the index of ${codexHome}: re-indexing what the last verify found`, 'repaired', KEPT), () =>
        withIndexAsItIs(codexHome, indexDir, (store) => repairIndex(store, codexHome, findings.right, { quarantine: homeQuarantineSink(codexHome, indexDir) })),
      );
  let repaired: E.Either<EngineError, Repaired>;
  if (E.isRight(planned) && planned.right.strategy === 'rebuild') {
    const rebuilt = await indexHome({ codexHome, indexDir, rebuild: true, onStatus: cliFeedback.onStatus });
    cliFeedback.settle();
    repaired = E.map((s: IndexHomeSummary) => ({ ...planned.right, rebuilt: s, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }))(rebuilt);
  } else repaired = E.map((r: RepairReport) => ({ ...r, rebuilt: null }))(planned);
  // The index is no longer the one the findings describe.
  const dropped = E.isRight(repaired) ? await dropVerifyFindings(indexDir)() : E.right(undefined);
  await printAnswer(E.isLeft(dropped) ? dropped : repaired, opts.json, { text: repairText, json: repairJson });
};
