import type * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../../domain/errors.js';
import type {
  Priced,
  SkippedRecords,
  TokenDimension,
  TokenReport,
  TokenReportOptions,
  UsageGroup,
  UsageSum,
} from '../../../../domain/tokens/report.js';
import type { CatchUpSummary } from '../../../../indexer/catchUp/catchUpSummary.js';
import type { StepText } from '../progress.js';
import type { PriceSource } from '../../../../domain/tokens/pricing.js';
import { NO_PUBLISHED_PRICE } from '../../../../domain/tokens/pricing.js';
import { TOKEN_DIMENSIONS } from '../../../../domain/tokens/report.js';
import { command } from '../commandSpec.js';
import { option } from '../optionTable.js';
import type { OptionsOf } from '../optionTable.js';
import { HOME_AND_JSON_OPTIONS } from '../homeOptions.js';
import { PRICING_OPTION } from '../pricingOption.js';
import { terminalLines, terminalText } from '../terminalText.js';
import { terminalJson } from '../../rpc/terminalJson.js';

/** `tokens --by` values: the CLI's names of the token report's dimensions, with `day` = local day (a Map: `--by constructor` is no name). */
const TOKEN_DIMENSION_NAMES: ReadonlyMap<string, TokenDimension> = new Map([
  ['day', 'dayLocal'],
  ['day-utc', 'dayUtc'],
  ['thread', 'thread'],
  ['turn', 'turn'],
  ['week', 'week'],
  ['month', 'month'],
  ['model', 'model'],
  ['provider', 'provider'],
  ['cwd', 'cwd'],
  ['client', 'client'],
  ['block', 'block'],
]);
const dimensionNamed = (by: string): TokenDimension | undefined => TOKEN_DIMENSION_NAMES.get(by);

const TOKENS_OPTIONS = {
  ...HOME_AND_JSON_OPTIONS,
  by: option('--by <dimension>', `group by ${[...TOKEN_DIMENSION_NAMES.keys()].join('|')} (table default: thread)`),
  since: option('--since <when>', 'responses at or after this date / instant (a date is local midnight)'),
  until: option('--until <when>', 'responses before this date / instant'),
  tz: option('--tz <zone>', 'IANA time zone for local days and dates (default: the system zone)'),
  breakdown: option('--breakdown <dimension>', 'under each group, its rows per model (model is the one breakdown)'),
  ...PRICING_OPTION,
};

export type TokensOptions = OptionsOf<typeof TOKENS_OPTIONS>;

/**
 * Source bytes between two full collections of a `tokens` run's catch-up (garbageBound.ts). A
 * collection follows a commit once this much was read since the last: one collection a commit
 * (the bound's default) cost much CPU for a heap the in-place reading does not fill
 * (docs/benchmarks.md).
 */
const TOKENS_GARBAGE_BYTES = 32 << 20;

const COLUMNS: ReadonlyArray<[string, (s: UsageSum) => number]> = [
  ['responses', (s) => s.responses],
  ['input', (s) => s.inputTokens],
  ['cached', (s) => s.cachedInputTokens],
  ['cache write', (s) => s.cacheWriteInputTokens],
  ['output', (s) => s.outputTokens],
  ['reasoning', (s) => s.reasoningOutputTokens],
  ['total', (s) => s.totalTokens],
];

/** Dollars to the cent (below a cent: to four places). */
const dollars = (c: number): string => (c !== 0 && c < 0.01 ? `$${c.toFixed(4)}` : `$${c.toFixed(2)}`);

/**
 * A cost cell: the whole cost, else the priced part `+ ?` naming the models left out
 * (`$0.18 + ? (mock-model: no price)`); only `? (…)` when nothing of it is priced.
 */
export const costText = (p: Priced): string =>
  p.costUsd !== null
    ? dollars(p.costUsd)
    : `${p.pricedCostUsd > 0 ? `${dollars(p.pricedCostUsd)} + ` : ''}? (${terminalText(p.unpricedModels.join(', '))}: no price)`;

/** What the report left out as impossible, said under the table (nothing when it left out nothing). */
const skippedNote = (s: SkippedRecords): string[] => {
  const why = [
    ...(s.badTimestamp === 0 ? [] : [`${s.badTimestamp} with a timestamp that is no date`]),
    ...(s.tokensOutOfRange === 0 ? [] : [`${s.tokensOutOfRange} with token counts out of range`]),
  ];
  const n = s.badTimestamp + s.tokensOutOfRange;
  return n === 0 ? [] : [`skipped ${n} record${n === 1 ? '' : 's'}: ${why.join(', ')}`];
};

/**
 * Where an unknown cost comes from and how to give it: every `?` of the table is explained under
 * it, and a model Codex ships that no source prices yet is said to be one.
 */
export const unpricedNote = (unpriced: ReadonlyArray<string>, pricing: PriceSource): string[] =>
  unpriced.length === 0
    ? []
    : [
        terminalText(
          `no price for ${unpriced.join(', ')} in the price table (${pricing.source}, as of ${pricing.asOf}): a cost holding their tokens is its priced part + ?`,
        ),
        ...unpriced.flatMap((m) => (NO_PUBLISHED_PRICE.has(m) ? [`${m} has ${NO_PUBLISHED_PRICE.get(m)!}`] : [])),
        'give their prices with --pricing FILE: it adds to the price table shipped (a model it names takes its price), so name only the models above',
        '  (JSON: {"source", "asOf", "models": {"<model>": {"inputPerMTok", "cachedInputPerMTok", "outputPerMTok"}}})',
      ];

/** A report of no responses says where it looked: the home, the range, and what the range left out. */
export const noUsageText = (
  codexHome: string,
  range: { readonly since: string | null; readonly until: string | null; readonly tz: string },
  outsideRange: number,
): string => {
  const asked =
    range.since !== null && range.until !== null
      ? ` from ${range.since} to ${range.until}`
      : range.since !== null
        ? ` since ${range.since}`
        : range.until !== null
          ? ` before ${range.until}`
          : '';
  const why =
    outsideRange > 0
      ? `${outsideRange} response${outsideRange === 1 ? ' falls' : 's fall'} outside that range (--since / --until, read in ${range.tz})`
      : asked === ''
        ? 'its rollouts record no response with token counts'
        : 'no response with token counts at all in its rollouts';
  return terminalText(`no token usage found in ${codexHome}${asked}: ${why}`);
};

const renderTable = (
  by: string,
  groups: ReadonlyArray<UsageGroup>,
  total: UsageSum & Priced,
  breakdown: boolean,
  unpriced: ReadonlyArray<string>,
  pricing: PriceSource,
  skipped: SkippedRecords,
): string => {
  // A group's key is the home's text (a model, a cwd, a turn id): its controls escaped (`terminalText`).
  const label = (g: UsageGroup) =>
    terminalText(
      by === 'turn'
        ? `${g.threadId ?? '-'} ${g.key ?? '-'}`
        : by === 'week' && g.key !== null
          ? `week of ${g.key}`
          : (g.key ?? '-'),
    );
  const cells = (s: UsageSum & Priced): string[] => [...COLUMNS.map(([, f]) => String(f(s))), costText(s)];
  const rows = [
    ...groups.flatMap((g) => [
      [label(g), ...cells(g)],
      ...(breakdown ? g.models.map((m) => [`  ${terminalText(m.model ?? '(no model)')}`, ...cells(m)]) : []),
    ]),
    ['total', ...cells(total)],
  ];
  const head = [by, ...COLUMNS.map(([h]) => h), 'cost USD'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: ReadonlyArray<string>) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    line(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(0, -1).map(line),
    widths.map((w) => '-'.repeat(w)).join('  '),
    line(rows[rows.length - 1]!),
    ...unpricedNote(unpriced, pricing),
    ...skippedNote(skipped),
  ].join('\n');
};

const reportJson = (r: TokenReport, by: string | undefined, extra: Record<string, unknown>): unknown => {
  const base = {
    ...extra,
    total: r.total,
    unpricedModels: r.unpricedModels,
    duplicateRecords: r.duplicateRecords,
    copiedCounts: r.copiedCounts,
    outsideRange: r.outsideRange,
    skippedRecords: r.skippedRecords,
  };
  if (by !== undefined) return { ...base, by, groups: r.groups[dimensionNamed(by)!] };
  return {
    ...base,
    byThread: r.groups.thread,
    byTurn: r.groups.turn,
    byDayUtc: r.groups.dayUtc,
    byDayLocal: r.groups.dayLocal,
    byWeek: r.groups.week,
    byMonth: r.groups.month,
    byModel: r.groups.model,
    byProvider: r.groups.provider,
    byCwd: r.groups.cwd,
    byClient: r.groups.client,
    byBlock: r.groups.block,
  };
};

type ReportOptions = Omit<TokenReportOptions, 'clientOf'>;

/** What a run reports: the report, and what its catch-up did (the JSON's `index`). */
interface Reported {
  readonly r: TokenReport;
  readonly c: Pick<CatchUpSummary, 'files' | 'indexed' | 'tailed' | 'reindexed' | 'unchanged' | 'bytes'>;
  readonly state: 'warm' | 'cold';
}

/** The report from the index dir's record of the home's sums, when it shows the index current (nothing read but the record, a stat a file and folder); undefined otherwise. */
const warmReport = async (
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
const caughtUpReport = async (
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
    { garbageBound },
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
  const garbage = garbageBound(TOKENS_GARBAGE_BYTES);
  return withTokenProjectionCaughtUp(
    codexHome,
    indexDir,
    // A process that ends with its report: the catch-up's garbage is collected as it goes and before the report.
    { onStatus: cliFeedback.onStatus, garbage },
    ({ store, indexWas }, c) =>
      () =>
        cliFeedback
          .during(step, async () => {
            if (options.dimensions === undefined || options.dimensions.includes('turn'))
              return auditTokenUsage(store, audit)();
            const mark = store.writeMark?.();
            const read = await readTokenSums(store, audit)();
            if (E.isLeft(read)) return read;
            if (mark !== undefined && mark._tag === 'Right') {
              // Each step's garbage goes before the next: the sums' reads, then the record's listing,
              // checkpoints and plan (both uncollected, a large home's peak grew).
              garbage.done();
              const { writeTokenWarmRecord } = await import('../../../../indexer/tokens/writeTokenWarmRecord.js');
              await writeTokenWarmRecord(store, codexHome, indexDir, mark.right, read.right);
              garbage.done();
            }
            const r = reportFromSums(read.right.sums, { ...options, clientOf: clientOfThreads(read.right.clients) });
            return r === undefined ? auditTokenUsageByRows(store, audit)() : E.right(r);
          })
          .then(E.map((r: TokenReport): Reported => ({ r, c, state: indexWas === 'current' ? 'warm' : 'cold' }))),
  );
};

/**
 * The token audit of the home the options name, rendered: a table, or JSON with `--json` (the bench times it too).
 * long: not split yet (issue 71): the audit's options read, the audit run, its answer rendered
 */
export const runTokens = async (opts: TokensOptions): Promise<E.Either<EngineError, string>> => {
  // What a warm report needs, first: one whose index dir records the home's sums as current
  // (indexer/tokens/tokenWarmRecord.ts) loads neither the index nor the catch-up.
  const [
    E,
    { invalidArgument },
    { homeOf },
    { cliFeedback, stepText },
    { checkTimeZone, localDayIn, parseInstant, systemTimeZone },
    { pricingOption },
  ] = await Promise.all([
    import('fp-ts/lib/Either.js'),
    import('../../../../domain/errors.js'),
    import('../homeOptions.js'),
    import('../progress.js'),
    import('../../../driven/system/timeZone.js'),
    import('../pricingFile.js'),
  ]);
  if (opts.by !== undefined && dimensionNamed(opts.by) === undefined)
    return E.left(invalidArgument('--by', `one of ${[...TOKEN_DIMENSION_NAMES.keys()].join(', ')}; got ${opts.by}`));
  if (opts.breakdown !== undefined && opts.breakdown !== 'model')
    return E.left(invalidArgument('--breakdown', `model is the one breakdown; got ${opts.breakdown}`));
  const pricing = await pricingOption(opts.pricing);
  if (E.isLeft(pricing)) return pricing;
  const tz = checkTimeZone(opts.tz ?? systemTimeZone());
  if (E.isLeft(tz)) return tz;
  const since = opts.since === undefined ? E.right(undefined) : parseInstant('--since', opts.since, tz.right);
  if (E.isLeft(since)) return since;
  const until = opts.until === undefined ? E.right(undefined) : parseInstant('--until', opts.until, tz.right);
  if (E.isLeft(until)) return until;
  const named = homeOf(opts);
  if (E.isLeft(named)) return named;
  const { codexHome, indexDir } = named.right;
  const t0 = process.hrtime.bigint();
  const audit = stepText(`auditing the token usage of ${codexHome}`, 'audited', 'nothing was changed');
  const options = {
    ...(since.right === undefined ? {} : { sinceMs: since.right }),
    ...(until.right === undefined ? {} : { untilMs: until.right }),
    localDay: localDayIn(tz.right),
    pricing: pricing.right,
    // Only the grouping shown (the table's default: by thread); JSON without --by holds every one.
    ...(opts.by !== undefined
      ? { dimensions: [dimensionNamed(opts.by)!] }
      : opts.json
        ? {}
        : { dimensions: ['thread'] as const }),
  };
  const report =
    (await warmReport(codexHome, indexDir, options)) ?? (await caughtUpReport(codexHome, indexDir, options, audit));
  cliFeedback.settle();
  if (E.isLeft(report)) return report;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (opts.json) {
    const { c, state } = report.right;
    const extra = {
      codexHome,
      timeZone: tz.right,
      since: since.right === undefined ? null : new Date(since.right).toISOString(),
      until: until.right === undefined ? null : new Date(until.right).toISOString(),
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
      pricing: { source: pricing.right.source, asOf: pricing.right.asOf },
    };
    return E.right(JSON.stringify(reportJson(report.right.r, opts.by, extra)));
  }
  const by = opts.by ?? 'thread';
  if (report.right.r.total.responses === 0)
    return E.right(
      [
        noUsageText(
          codexHome,
          {
            since: since.right === undefined ? null : new Date(since.right).toISOString(),
            until: until.right === undefined ? null : new Date(until.right).toISOString(),
            tz: tz.right,
          },
          report.right.r.outsideRange,
        ),
        ...skippedNote(report.right.r.skippedRecords),
      ].join('\n'),
    );
  return E.right(
    renderTable(
      by,
      report.right.r.groups[dimensionNamed(by)!],
      report.right.r.total,
      opts.breakdown === 'model',
      report.right.r.unpricedModels,
      pricing.right,
      report.right.r.skippedRecords,
    ),
  );
};

export const tokensCommand = command({
  name: 'tokens',
  description: 'token-usage audit: each response counted once (forks and reverts never re-count), from the index',
  arguments: [],
  options: TOKENS_OPTIONS,
  helpAfter: `\nWith --json and no --by, every breakdown: ${TOKEN_DIMENSIONS.join(', ')}.`,
  run: async ({ opts }) => {
    // runTokens renders the report itself (a table, or JSON with --json); an error follows --json too.
    const [r, { reportError }] = await Promise.all([runTokens(opts), import('../exitCodes.js')]);
    if (r._tag === 'Left') return reportError(r.left, opts.json);
    process.stdout.write(`${opts.json === true ? terminalJson(r.right) : terminalLines(r.right)}\n`);
  },
});
