import type * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../../domain/errors.js';
import type { IndexHomeSummary } from '../../../../indexer/indexHome.js';
import type { RepairReport } from '../../../../indexer/verify/repair.js';
import { command } from '../commandSpec.js';
import { HOME_AND_JSON_OPTIONS } from '../homeOptions.js';

type Repaired = RepairReport & { readonly rebuilt: IndexHomeSummary | null };

const repairText = (r: Repaired): string =>
  r.rebuilt !== null
    ? `rebuilt the index (${r.rebuilt.files} files, ${r.rebuilt.lines} lines) in ${r.seconds.toFixed(2)} s: ${r.reason}`
    : `re-indexed ${r.rollouts.length} rollouts in ${r.seconds.toFixed(2)} s: ${r.reason}`;

/** Counts in the JSON answer, not the rollout ids (there may be thousands). */
const repairJson = (r: Repaired): unknown => {
  const { rollouts, rebuilt, catchUp, ...rest } = r;
  return {
    ...rest,
    rollouts: rollouts.length,
    reindexed: catchUp === null ? null : catchUp.indexed + catchUp.reindexed + catchUp.tailed,
    rebuilt: rebuilt !== null,
  };
};

/**
 * `rollout-engine repair`: re-index what the last `verify` found to differ (`verify.json` in the
 * index dir) and the files not indexed as they are now, in place when they are a small share of
 * the home; otherwise, or without findings that still hold, rebuild the index into a fresh
 * environment and swap it in, as `index --rebuild` does; an index too damaged to open is rebuilt
 * so too. Either way no slower than a rebuild.
 */
export const repairCommand = command({
  name: 'repair',
  description:
    're-index what the last verify found to differ, or rebuild the index when that is most of it, verify was not run or the index is too damaged to open: no slower than index --rebuild',
  arguments: [],
  options: HOME_AND_JSON_OPTIONS,
  run: async ({ opts }) => {
    const [
      E,
      { withIndexAsItIs },
      { indexHome },
      { repairIndex },
      { dropVerifyFindings, loadVerifyFindings },
      { homeQuarantineSink },
      { homeOf },
      { printAnswer },
      { cliFeedback, KEPT, stepText },
      { openTailReaderThread },
    ] = await Promise.all([
      import('fp-ts/lib/Either.js'),
      import('../../composition/openCodexHome.js'),
      import('../../../../indexer/indexHome.js'),
      import('../../../../indexer/verify/repair.js'),
      import('../../../../indexer/verify/verifyFindings.js'),
      import('../../../driven/jsonl/writers/quarantine.js'),
      import('../homeOptions.js'),
      import('../printAnswer.js'),
      import('../progress.js'),
      import('../../../driven/jsonl/workers/tailReaderThread.js'),
    ]);
    const named = homeOf(opts);
    if (E.isLeft(named)) return printAnswer(named, opts, () => '');
    const { codexHome, indexDir } = named.right;
    const t0 = process.hrtime.bigint();
    const findings = await loadVerifyFindings(indexDir)();
    const planned = E.isLeft(findings)
      ? findings
      : await cliFeedback.during(
          stepText(`repairing the index of ${codexHome}: re-indexing what the last verify found`, 'repaired', KEPT),
          () =>
            withIndexAsItIs(codexHome, indexDir, (store) =>
              repairIndex(store, codexHome, findings.right, {
                quarantine: homeQuarantineSink(codexHome, indexDir),
                tailReader: openTailReaderThread,
              }),
            ),
        );
    // An index that cannot be opened at all (damaged pages) holds nothing to repair in place: it is rebuilt.
    const damaged = E.isLeft(planned) && planned.left._tag === 'Corrupt' && planned.left.path.startsWith(indexDir);
    const plan: E.Either<EngineError, RepairReport> = damaged
      ? E.right({
          strategy: 'rebuild',
          reason: `the index could not be opened (${E.isLeft(planned) && planned.left._tag === 'Corrupt' ? planned.left.reason.replace(/: run `rollout-engine repair`.*$/s, '') : ''}), so it was rebuilt from the rollouts`,
          files: null,
          bytes: null,
          reindexFiles: null,
          reindexBytes: null,
          rollouts: [],
          catchUp: null,
          seconds: 0,
        })
      : planned;
    let repaired: E.Either<EngineError, Repaired>;
    if (E.isRight(plan) && plan.right.strategy === 'rebuild') {
      const rebuilt = await indexHome({
        codexHome,
        indexDir,
        rebuild: true,
        onStatus: cliFeedback.onStatus,
        tailReader: openTailReaderThread,
      });
      cliFeedback.settle();
      repaired = E.map((s: IndexHomeSummary) => ({
        ...plan.right,
        rebuilt: s,
        seconds: Number(process.hrtime.bigint() - t0) / 1e9,
      }))(rebuilt);
    } else repaired = E.map((r: RepairReport) => ({ ...r, rebuilt: null }))(plan);
    // The index is no longer the one the findings describe.
    const dropped = E.isRight(repaired) ? await dropVerifyFindings(indexDir)() : E.right(undefined);
    await printAnswer(E.isLeft(dropped) ? dropped : repaired, opts, { text: repairText, json: repairJson });
  },
});
