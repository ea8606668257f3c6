import type * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../../domain/errors.js';
import { invalidArgument } from '../../../../domain/errors.js';
import { stop, take, useCase } from '../../../../domain/effect.js';
import type { PricingTable } from '../../../../domain/tokens/pricing.js';
import type { UsageGroup } from '../../../../domain/tokens/report.js';
import { printAnswer } from '../printAnswer.js';
import { noUsageText, reportJson, skippedNote, tableLines } from './tokensTable.js';
import { caughtUpReport, warmReport } from './tokensReport.js';
import type { ReportOptions, Reported } from './tokensReport.js';
import { TOKEN_DIMENSION_NAMES, dimensionNamed } from './tokensOptions.js';
import type { TokensOptions } from './tokensOptions.js';

// The run of `tokens` (tokens.ts declares it): the flags read, the report made, rendered and printed.

/** What a run was asked: the report's options, and the prices, time zone and range they were read with. */
interface AskedAudit {
  readonly options: ReportOptions;
  readonly pricing: PricingTable;
  readonly tz: string;
  readonly since: number | undefined;
  readonly until: number | undefined;
}

/** The flags read into the audit's options, checked in the order written: the first refused stops the run. */
const askedAudit = async (opts: TokensOptions): Promise<AskedAudit> => {
  const [{ checkTimeZone, localDayIn, parseInstant, systemTimeZone }, { pricingOption }] = await Promise.all([
    import('../../../driven/system/timeZone.js'),
    import('../pricingFile.js'),
  ]);
  if (opts.by !== undefined && dimensionNamed(opts.by) === undefined)
    return stop(invalidArgument('--by', `one of ${[...TOKEN_DIMENSION_NAMES.keys()].join(', ')}; got ${opts.by}`));
  if (opts.breakdown !== undefined && opts.breakdown !== 'model')
    return stop(invalidArgument('--breakdown', `model is the one breakdown; got ${opts.breakdown}`));
  const pricing = await take(pricingOption(opts.pricing));
  const tz = await take(checkTimeZone(opts.tz ?? systemTimeZone()));
  const since = opts.since === undefined ? undefined : await take(parseInstant('--since', opts.since, tz));
  const until = opts.until === undefined ? undefined : await take(parseInstant('--until', opts.until, tz));
  const options = {
    ...(since === undefined ? {} : { sinceMs: since }),
    ...(until === undefined ? {} : { untilMs: until }),
    localDay: localDayIn(tz),
    pricing,
    // Only the grouping shown (the table's default: by thread); JSON without --by holds every one.
    ...(opts.by !== undefined
      ? { dimensions: [dimensionNamed(opts.by)!] }
      : opts.json
        ? {}
        : { dimensions: ['thread'] as const }),
  };
  return { options, pricing, tz, since, until };
};

const isoOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** What a run answers: the report, what it was asked, and how long it took to make. */
export interface TokensAnswer {
  readonly opts: TokensOptions;
  readonly codexHome: string;
  readonly asked: AskedAudit;
  readonly reported: Reported;
  readonly seconds: number;
}

const rangeOf = (asked: AskedAudit) => ({ since: isoOrNull(asked.since), until: isoOrNull(asked.until) });

/** The answer's JSON value (`--json`); `groupsAs` as `reportJson` takes it. */
export const tokensJson = (
  { opts, codexHome, asked, reported: { r, c, state }, seconds }: TokensAnswer,
  groupsAs?: (groups: ReadonlyArray<UsageGroup>) => unknown,
): unknown =>
  reportJson(
    r,
    opts.by,
    {
      codexHome,
      timeZone: asked.tz,
      ...rangeOf(asked),
      index: {
        state,
        files: c.files,
        indexed: c.indexed,
        tailed: c.tailed,
        reindexed: c.reindexed,
        unchanged: c.unchanged,
        bytesRead: c.bytes,
      },
      seconds,
      pricing: { source: asked.pricing.source, asOf: asked.pricing.asOf },
    },
    groupsAs,
  );

/** The answer for a person: the table by `--by` (thread by default), or where it looked when it found no response. */
async function* tokensLines({ opts, codexHome, asked, reported: { r } }: TokensAnswer): AsyncGenerator<string> {
  if (r.total.responses === 0) {
    yield noUsageText(codexHome, { ...rangeOf(asked), tz: asked.tz }, r.outsideRange);
    yield* skippedNote(r.skippedRecords);
    return;
  }
  const by = opts.by ?? 'thread';
  yield* tableLines(
    by,
    r.groups[dimensionNamed(by)!],
    r.total,
    opts.breakdown === 'model',
    r.unpricedModels,
    asked.pricing,
    r.skippedRecords,
  );
}

/** A list of groups written element by element: by thread it has one a thread, and its text made whole was 41 MB. */
async function* elementsOf(groups: ReadonlyArray<UsageGroup>): AsyncGenerator<UsageGroup> {
  yield* groups;
}

/** The token audit of the home the options name (the bench times it too); `tokensJson` and the table show it. */
export const runTokens = async (opts: TokensOptions): Promise<E.Either<EngineError, TokensAnswer>> => {
  // What a warm report needs, first: one whose index dir records the home's sums as current
  // (indexer/tokens/tokenWarmRecord.ts) loads neither the index nor the catch-up.
  const [{ homeOf }, { cliFeedback, stepText }] = await Promise.all([
    import('../homeOptions.js'),
    import('../progress.js'),
  ]);
  return useCase(async () => {
    const asked = await askedAudit(opts);
    const { codexHome, indexDir } = await take(homeOf(opts));
    const t0 = process.hrtime.bigint();
    const audit = stepText(`auditing the token usage of ${codexHome}`, 'audited', 'nothing was changed');
    const report =
      (await warmReport(codexHome, indexDir, asked.options)) ??
      (await caughtUpReport(codexHome, indexDir, asked.options, audit));
    cliFeedback.settle();
    const reported = await take(report);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { opts, codexHome, asked, reported, seconds };
  })();
};

/** The report printed as it is written out: a table, or JSON with `--json`; an error follows `--json` too. */
export const printTokens = async (opts: TokensOptions): Promise<void> =>
  printAnswer(
    await runTokens(opts),
    { json: opts.json === true },
    { text: tokensLines, json: (a) => tokensJson(a, elementsOf) },
  );
