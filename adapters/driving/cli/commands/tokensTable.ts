// The token report as `tokens` shows it: the table (its columns, cost cells and notes under it),
// the sentence for a report of no responses, and the JSON.
import type { Priced, SkippedRecords, TokenReport, UsageGroup, UsageSum } from '../../../../domain/tokens/report.js';
import type { PriceSource } from '../../../../domain/tokens/pricing.js';
import { NO_PUBLISHED_PRICE } from '../../../../domain/tokens/pricing.js';
import { terminalText } from '../terminalText.js';
import { dimensionNamed } from './tokensOptions.js';

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
export const skippedNote = (s: SkippedRecords): string[] => {
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

/**
 * The table's lines, one at a time: a report by thread has a row a thread (and one a model under
 * it with `--breakdown`), so each row is made once to size the columns and again to print it,
 * rather than held with the others (on a home of 82,000 threads the rows held at once were most
 * of a report's memory).
 */
export function* tableLines(
  by: string,
  groups: ReadonlyArray<UsageGroup>,
  total: UsageSum & Priced,
  breakdown: boolean,
  unpriced: ReadonlyArray<string>,
  pricing: PriceSource,
  skipped: SkippedRecords,
): Generator<string> {
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
  function* rows(): Generator<string[]> {
    for (const g of groups) {
      yield [label(g), ...cells(g)];
      if (breakdown) for (const m of g.models) yield [`  ${terminalText(m.model ?? '(no model)')}`, ...cells(m)];
    }
  }
  const head = [by, ...COLUMNS.map(([h]) => h), 'cost USD'];
  const totalRow = ['total', ...cells(total)];
  const widths = head.map((h, i) => Math.max(h.length, totalRow[i]!.length));
  for (const r of rows()) r.forEach((c, i) => (widths[i] = Math.max(widths[i]!, c.length)));
  const line = (r: ReadonlyArray<string>) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  yield line(head);
  yield rule;
  for (const r of rows()) yield line(r);
  yield rule;
  yield line(totalRow);
  yield* unpricedNote(unpriced, pricing);
  yield* skippedNote(skipped);
}

/**
 * The report's JSON value; `groupsAs` gives each list of groups as the caller writes it (the
 * printer: element by element, `jsonPieces`).
 */
export const reportJson = (
  r: TokenReport,
  by: string | undefined,
  extra: Record<string, unknown>,
  groupsAs: (groups: ReadonlyArray<UsageGroup>) => unknown = (groups) => groups,
): unknown => {
  const base = {
    ...extra,
    total: r.total,
    unpricedModels: r.unpricedModels,
    duplicateRecords: r.duplicateRecords,
    copiedCounts: r.copiedCounts,
    outsideRange: r.outsideRange,
    skippedRecords: r.skippedRecords,
  };
  if (by !== undefined) return { ...base, by, groups: groupsAs(r.groups[dimensionNamed(by)!]) };
  const g = r.groups;
  return {
    ...base,
    byThread: groupsAs(g.thread),
    byTurn: groupsAs(g.turn),
    byDayUtc: groupsAs(g.dayUtc),
    byDayLocal: groupsAs(g.dayLocal),
    byWeek: groupsAs(g.week),
    byMonth: groupsAs(g.month),
    byModel: groupsAs(g.model),
    byProvider: groupsAs(g.provider),
    byCwd: groupsAs(g.cwd),
    byClient: groupsAs(g.client),
    byBlock: groupsAs(g.block),
  };
};
