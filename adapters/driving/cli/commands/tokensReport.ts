// The report a `tokens` run makes: from the index dir's record of the home's sums when it shows
// the index current (warm), else after the token projection's catch-up.
import type * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../../domain/errors.js';
import { take, useCase } from '../../../../domain/effect.js';
import type { TokenReport, TokenReportOptions } from '../../../../domain/tokens/report.js';
import type { CatchUpSummary } from '../../../../indexer/catchUp/catchUpSummary.js';
import type { StepText } from '../progress.js';

/**
 * Source bytes between two full collections of a `tokens` run's catch-up (garbageBound.ts): none
 * while it reads, one as each step ends. The lean pass reads in place and its rows die young, so
 * the heap does not fill; and a forced full collection frees objects the fold's optimized code was
 * built for, which V8 then deoptimizes and compiles again: the collections every 32 MB read cost
 * more CPU than they saved memory (measured in the commit that made it).
 */
const TOKENS_GARBAGE_BYTES = Number.POSITIVE_INFINITY;

/**
 * Heap growth after which a step of the report collects as it ends: the sums' reads and the
 * record's listing read no source, so only their growth tells `done` they left garbage (without
 * it, none of them was collected and the record's listing grew the heap over the sums' garbage).
 */
const TOKENS_STEP_BYTES = 8 * 1024 * 1024;

/**
 * How far the old generation grows past what a full collection left during a `tokens` run's
 * catch-up and the report after it (garbageBound.ts `setHeapGrowth`): the catch-up holds the plan
 * of every file of the home (about 800 bytes a file) to its end, and under the CLI's 200% the
 * heap reached three times that before V8 collected it; on a home of many files the report's
 * steps then peaked higher still. A warm report keeps the CLI's growth: by thread it makes much
 * garbage over a large live set, and collecting it this often cost more CPU than the memory was
 * worth. Measured in the commit that made it.
 */
const CAUGHT_UP_REPORT_GROWTH_PERCENT = 50;

/** A report's options as the flags give them (the client of each thread is the index's to give). */
export type ReportOptions = Omit<TokenReportOptions, 'clientOf'>;

/** What a run reports: the report, and what its catch-up did (the JSON's `index`). */
export interface Reported {
  readonly r: TokenReport;
  readonly c: Pick<CatchUpSummary, 'files' | 'indexed' | 'tailed' | 'reindexed' | 'unchanged' | 'bytes'>;
  readonly state: 'warm' | 'cold';
}

/** The report from the index dir's record of the home's sums, when it shows the index current (nothing read but the record, a stat a file and folder); undefined otherwise. */
export const warmReport = async (
  codexHome: string,
  indexDir: string,
  options: ReportOptions,
): Promise<E.Either<EngineError, Reported> | undefined> => {
  if (options.dimensions === undefined || options.dimensions.includes('turn')) return undefined;
  const [{ tokenSumsIfWarm }, { reportFromSums }, { right }] = await Promise.all([
    import('../../../../indexer/tokens/tokenWarmRecord.js'),
    import('../../../../domain/tokens/reportSums.js'),
    import('fp-ts/lib/Either.js'),
  ]);
  const warm = await tokenSumsIfWarm(codexHome, indexDir);
  if (warm === undefined) return undefined;
  let r: TokenReport | undefined;
  try {
    r = reportFromSums(warm.sums, { ...options, clientOf: warm.clientOf });
  } catch {
    return undefined; // the record's sums per thread do not decode: a caught-up report
  }
  if (r === undefined) return undefined;
  // What a catch-up that found every file unchanged says (catchUp.ts).
  return right({
    r,
    c: { files: warm.files, indexed: 0, tailed: 0, reindexed: 0, unchanged: warm.files, bytes: 0 },
    state: 'warm',
  });
};

/**
 * The report after the token projection's catch-up; a report without turns is built from the
 * home's sums, which are then recorded for the next one when the index is current with the home
 * (indexer/tokens/writeTokenWarmRecord.ts).
 */
export const caughtUpReport = async (
  codexHome: string,
  indexDir: string,
  options: ReportOptions,
  step: StepText,
): Promise<E.Either<EngineError, Reported>> => {
  const [
    E,
    { auditTokenUsage, auditTokenUsageByRows, readTokenSums, clientOfThreads },
    { reportFromSums },
    { withTokenProjectionCaughtUp },
    { cliFeedback },
    { garbageBound, setHeapGrowth },
  ] = await Promise.all([
    import('fp-ts/lib/Either.js'),
    import('../../../../replay/tokens/auditTokenUsage.js'),
    import('../../../../domain/tokens/reportSums.js'),
    import('../../composition/tokenProjectionHome.js'),
    import('../progress.js'),
    import('../../../driven/system/garbageBound.js'),
  ]);
  // A process that ends with its report: its peak RSS is what its user sees.
  const audit = { ...options, releasePages: true };
  const garbage = garbageBound(TOKENS_GARBAGE_BYTES, TOKENS_STEP_BYTES);
  const growthBack = setHeapGrowth(CAUGHT_UP_REPORT_GROWTH_PERCENT);
  try {
    return await withTokenProjectionCaughtUp(
      codexHome,
      indexDir,
      // A process that ends with its report: the catch-up's garbage is collected before the report.
      { onStatus: cliFeedback.onStatus, garbage },
      ({ store, indexWas, takeListing }, c) =>
        () =>
          cliFeedback
            .during(
              step,
              useCase(async () => {
                if (options.dimensions === undefined || options.dimensions.includes('turn')) {
                  takeListing(); // no record by turn: the home's listing goes before the rows are read
                  return take(auditTokenUsage(store, audit));
                }
                const mark = store.writeMark?.();
                const recording =
                  mark !== undefined && mark._tag === 'Right'
                    ? await import('../../../../indexer/tokens/writeTokenWarmRecord.js')
                    : undefined;
                // The home as the record holds it (as the catch-up listed it), settled before the sums
                // are read. Each step's garbage goes before the next: the checkpoints, the sums' reads,
                // the record's text (uncollected, each grew a large home's peak).
                const home = await recording?.recordedHome(store, codexHome, {
                  listing: takeListing(),
                  stepDone: garbage.done,
                });
                garbage.done();
                const read = await take(readTokenSums(store, audit));
                if (recording !== undefined && mark?._tag === 'Right' && home !== undefined) {
                  garbage.done();
                  await recording.writeTokenWarmRecord(store, codexHome, indexDir, mark.right, read, home);
                  garbage.done();
                }
                const r = reportFromSums(read.sums, { ...options, clientOf: clientOfThreads(read.clients) });
                return r === undefined ? take(auditTokenUsageByRows(store, audit)) : r;
              }),
            )
            .then(E.map((r: TokenReport): Reported => ({ r, c, state: indexWas === 'current' ? 'warm' : 'cold' }))),
    );
  } finally {
    // A bench times reports in its own process: the growth it was started with, for what it runs next.
    growthBack();
  }
};
