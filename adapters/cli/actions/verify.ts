import * as E from 'fp-ts/lib/Either.js';
import { renderError } from '../../../domain/errors.js';
import { withIndexAsItIs } from '../../composition/openCodexHome.js';
import { verifyIndex } from '../../../indexer/verify.js';
import { saveVerifyFindings } from '../../../indexer/verifyFindings.js';
import type { VerifyFindings } from '../../../indexer/verifyFindings.js';
import type { IndexDiff, TableCounts, VerifyOptions, VerifyReport } from '../../../indexer/verify.js';
import { renderQuarantined } from '../../../indexer/quarantined.js';
import { quarantineFileOf } from '../../jsonl/quarantine.js';
import { EXIT } from '../exitCodes.js';
import { LISTED_DIFFERENCES } from '../listedDifferences.js';
import { homeOf } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';
import { cliFeedback, stepText } from '../progress.js';

export const renderDiff = (d: IndexDiff): string => `  ${d.kind.padEnd(9)} ${d.table} ${JSON.stringify(d.key)}`;

/** Per-table counts, one line each. */
export const byTableLines = (byTable: Readonly<Record<string, TableCounts>>): string[] => {
  const tables = Object.entries(byTable);
  if (tables.length === 0) return [];
  return [
    `  ${'table'.padEnd(16)}${'missing'.padStart(10)}${'extra'.padStart(10)}${'different'.padStart(11)}`,
    ...tables.map(([t, c]) => `  ${t.padEnd(16)}${String(c.missing).padStart(10)}${String(c.extra).padStart(10)}${String(c.different).padStart(11)}`),
  ];
};

const summaryLine = (r: VerifyReport, indexDir: string): string =>
  `${r.rows} rows expected from ${r.files} files, ${r.differences} differences; ` +
  `${renderQuarantined(r.quarantined)}${r.quarantined.lines > 0 ? ` (not readable, left out of every answer: see ${quarantineFileOf(indexDir)})` : ''}` +
  (r.repeatedOrdinals.lines > 0
    ? `; ${r.repeatedOrdinals.lines} line${r.repeatedOrdinals.lines === 1 ? '' : 's'} in ${r.repeatedOrdinals.files} file${r.repeatedOrdinals.files === 1 ? '' : 's'} repeat an earlier line's ordinal (shown in line order)`
    : '');

/** What `rollout-engine verify` does (loaded by its action only). */
export const action = async (opts: HomeOptions & { all?: boolean }) => {
  const { codexHome, indexDir } = homeOf(opts);
  const all = opts.all === true;
  // A full human listing is printed as it is found, not held.
  const options: VerifyOptions =
    opts.json === true
      ? { keep: all ? Number.POSITIVE_INFINITY : LISTED_DIFFERENCES }
      : all
        ? { keep: 0, onDiff: (d) => void process.stdout.write(`${renderDiff(d)}\n`) }
        : { keep: LISTED_DIFFERENCES };
  const verifying = stepText(`verifying the index of ${codexHome} against a fresh fold of its rollout files`, 'verified', 'verify changes nothing');
  const found = await cliFeedback.during(verifying, () => withIndexAsItIs(codexHome, indexDir, (store) => verifyIndex(store, codexHome, options)));
  // What differs is kept for `repair` (which re-indexes it rather than verifying again). An
  // index dir this process cannot write (someone else's home) only loses that.
  const saved = E.isRight(found) && found.right.findings !== undefined ? await saveVerifyFindings(indexDir, found.right.findings)() : E.right(undefined);
  if (E.isLeft(saved)) process.stderr.write(`rollout-engine: warning: verify's findings not kept for repair (it will rebuild): ${renderError(saved.left)}\n`);
  const verified = E.map(({ findings: _f, ...r }: VerifyReport & { findings: VerifyFindings | undefined }) => ({ ...r, omitted: r.differences - r.diffs.length }))(found);
  await printAnswer(
    verified,
    opts.json,
    (r) =>
      [
        summaryLine(r, indexDir),
        ...byTableLines(r.byTable),
        ...r.diffs.map(renderDiff),
        ...(r.omitted > 0 && !all ? [`  … ${r.omitted} more (--all lists every one)`] : []),
      ].join('\n'),
    (r) => (r.differences > 0 ? EXIT.differences : EXIT.ok),
  );
};
