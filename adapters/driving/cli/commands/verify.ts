import type { IndexDiff, TableCounts, VerifyOptions, VerifyReport } from '../../../../indexer/verify/verify.js';
import type { VerifyFindings } from '../../../../indexer/verify/verifyFindings.js';
import { command } from '../commandSpec.js';
import { option } from '../optionTable.js';
import { HOME_AND_JSON_OPTIONS } from '../homeOptions.js';
import { terminalLines } from '../terminalText.js';

/** How many differences `verify` lists without `--all` (every one is counted). */
const LISTED_DIFFERENCES = 20;

const renderDiff = (d: IndexDiff): string => `  ${d.kind.padEnd(9)} ${d.table} ${JSON.stringify(d.key)}`;

/** Per-table counts, one line each. */
const byTableLines = (byTable: Readonly<Record<string, TableCounts>>): string[] => {
  const tables = Object.entries(byTable);
  if (tables.length === 0) return [];
  return [
    `  ${'table'.padEnd(16)}${'missing'.padStart(10)}${'extra'.padStart(10)}${'different'.padStart(11)}`,
    ...tables.map(
      ([t, c]) =>
        `  ${t.padEnd(16)}${String(c.missing).padStart(10)}${String(c.extra).padStart(10)}${String(c.different).padStart(11)}`,
    ),
  ];
};

/**
 * The report's first line: the counts, then the lines no answer shows (`quarantined`, kept in
 * `quarantineFile`), the lines repeating an ordinal and the logs torn mid-line.
 */
const summaryLine = (r: VerifyReport, quarantined: string, quarantineFile: string): string =>
  `${r.rows} rows expected from ${r.files} files, ${r.differences} differences; ` +
  `${quarantined}${r.quarantined.lines > 0 ? ` (not readable, left out of every answer: see ${quarantineFile})` : ''}` +
  (r.repeatedOrdinals.lines > 0
    ? `; ${r.repeatedOrdinals.lines} line${r.repeatedOrdinals.lines === 1 ? '' : 's'} in ${r.repeatedOrdinals.files} file${r.repeatedOrdinals.files === 1 ? '' : 's'} repeat an earlier line's ordinal (shown in line order)`
    : '') +
  (r.tornLogs.length > 0
    ? `; ${r.tornLogs.join(', ')} end${r.tornLogs.length === 1 ? 's' : ''} in the middle of a line (a writer killed mid-write; the next append ends it)`
    : '');

/** Which differences the run keeps: the first ones (every one with `--all`); a full human listing is printed as it is found, not held. */
const verifyOptionsOf = (json: boolean, all: boolean): VerifyOptions =>
  json
    ? { keep: all ? Number.POSITIVE_INFINITY : LISTED_DIFFERENCES }
    : all
      ? { keep: 0, onDiff: (d) => void process.stdout.write(`${terminalLines(renderDiff(d))}\n`) }
      : { keep: LISTED_DIFFERENCES };

/**
 * `rollout-engine verify`: the index against a fresh fold of the files (exit 3 when they differ),
 * compared file by file in bounded memory. It prints counts per table and the first differences;
 * `--all` lists every one as it is found. With `--json`: the report, `diffs` the first ones (all
 * with `--all`), `omitted` how many more there are. What differs is kept in `verify.json` in the
 * index dir, for `repair`.
 */
export const verifyCommand = command({
  name: 'verify',
  description:
    'compare the index with a fresh fold of the rollout files: counts per table and the first differences (exit 3 if any)',
  arguments: [],
  options: {
    all: option('--all', `list every difference (default: the first ${LISTED_DIFFERENCES})`),
    ...HOME_AND_JSON_OPTIONS,
  },
  run: async ({ opts }) => {
    const [
      E,
      { renderError },
      { withIndexAsItIs },
      { verifyIndex },
      { saveVerifyFindings },
      { renderQuarantined },
      { quarantineFileOf },
      { EXIT },
      { homeOf },
      { printAnswer },
      { cliFeedback, stepText },
    ] = await Promise.all([
      import('fp-ts/lib/Either.js'),
      import('../../../../domain/errors.js'),
      import('../../composition/openCodexHome.js'),
      import('../../../../indexer/verify/verify.js'),
      import('../../../../indexer/verify/verifyFindings.js'),
      import('../../../../indexer/verify/quarantined.js'),
      import('../../../driven/jsonl/writers/quarantine.js'),
      import('../exitCodes.js'),
      import('../homeOptions.js'),
      import('../printAnswer.js'),
      import('../progress.js'),
    ]);
    const named = homeOf(opts);
    if (E.isLeft(named)) return printAnswer(named, opts, () => '');
    const { codexHome, indexDir } = named.right;
    const all = opts.all === true;
    const options = verifyOptionsOf(opts.json === true, all);
    const verifying = stepText(
      `verifying the index of ${codexHome} against a fresh fold of its rollout files`,
      'verified',
      'verify changes nothing',
    );
    const found = await cliFeedback.during(verifying, () =>
      withIndexAsItIs(codexHome, indexDir, (store) => verifyIndex(store, codexHome, options)),
    );
    // What differs is kept for `repair` (which re-indexes it rather than verifying again). An
    // index dir this process cannot write (someone else's home) only loses that.
    const saved =
      E.isRight(found) && found.right.findings !== undefined
        ? await saveVerifyFindings(indexDir, found.right.findings)()
        : E.right(undefined);
    if (E.isLeft(saved))
      process.stderr.write(
        `${terminalLines(`rollout-engine: warning: verify's findings not kept for repair (it will rebuild): ${renderError(saved.left)}`)}\n`,
      );
    const verified = E.map(({ findings: _f, ...r }: VerifyReport & { findings: VerifyFindings | undefined }) => ({
      ...r,
      omitted: r.differences - r.diffs.length,
    }))(found);
    await printAnswer(verified, opts, {
      text: (r) =>
        [
          summaryLine(r, renderQuarantined(r.quarantined), quarantineFileOf(indexDir)),
          ...byTableLines(r.byTable),
          ...r.diffs.map(renderDiff),
          ...(r.omitted > 0 && !all ? [`  … ${r.omitted} more (--all lists every one)`] : []),
        ].join('\n'),
      exitCode: (r) => (r.differences > 0 ? EXIT.differences : EXIT.ok),
    });
  },
});
