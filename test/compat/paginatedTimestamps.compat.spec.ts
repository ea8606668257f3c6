// Paginated lines whose envelope `timestamp` is not an RFC 3339 time. Codex 0.169 answers a paginated
// thread from its history projection (thread-store/src/local/thread_history_materialization.rs
// `read_projection_steps`): a line that completes an item without `started_at_ms` takes the line's
// time for the item (`fallback_created_at_ms`, chrono's `DateTime::parse_from_rfc3339`); when that
// time does not parse, the line is skipped ("skipping rollout line with invalid timestamp during
// projection") and its ordinal is passed over, unlike a line without an ordinal. Lines that change
// no item lacking a start time are projected whatever their timestamp. A cold Codex projects each
// thread (thread/resume), then it and ours are asked every history read (historyComparison.ts).
// The rule: domain/thread/paginatedOrdinals.ts.
import { expect } from 'chai';
import { compatCodexVersion } from './appServer.js';
import { compareHome } from './historyComparison.js';
import { useProjectedHome } from './mutationHarness.js';
import type { WrittenFile } from './mutationHarness.js';
import { writePaginatedCases } from './paginatedCaseHome.js';
import type { ParsedLine } from './paginatedCaseHome.js';

/** Threads 140-167. */
const FIRST_THREAD = 140;
const idOf = (n: number): string => `019a0000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const START_MS = Date.UTC(2026, 10, 22, 9, 0, 0);

/** Line `n` as written, changed by a case. */
type Edit = (n: number, line: ParsedLine) => void;

const atLines =
  (lines: ReadonlyArray<number>, edit: (line: ParsedLine) => void): Edit =>
  (n, line) => {
    if (lines.includes(n)) edit(line);
  };
const stamped =
  (timestamp: unknown, keepStart = false) =>
  (line: ParsedLine): void => {
    line.timestamp = timestamp;
    if (!keepStart) delete line.payload['started_at_ms'];
  };

interface Case {
  readonly label: string;
  readonly edit: Edit;
}

const CASES: readonly Case[] = [
  {
    label: 'an item without a start time (a valid timestamp)',
    edit: atLines([3], stamped('2026-11-22T09:00:00.021Z')),
  },
  { label: 'an item without a start time, its timestamp not a time', edit: atLines([3], stamped('not a time')) },
  { label: 'an item with its start time, its timestamp not a time', edit: atLines([3], stamped('not a time', true)) },
  { label: 'an item without a start time, no zone', edit: atLines([2], stamped('2026-11-22T09:00:00.014')) },
  { label: 'an item without a start time, a space for the T', edit: atLines([2], stamped('2026-11-22 09:00:00.014Z')) },
  {
    label: 'an item without a start time, t and z in lower case',
    edit: atLines([2], stamped('2026-11-22t09:00:00.014z')),
  },
  { label: 'an item without a start time, a day its month lacks', edit: atLines([6], stamped('2026-02-30T09:00:00Z')) },
  { label: 'an item without a start time, hour 24', edit: atLines([6], stamped('2026-11-22T24:00:00Z')) },
  { label: 'an item without a start time, second 60', edit: atLines([6], stamped('2026-11-22T09:00:60Z')) },
  { label: 'an item without a start time, minute 60', edit: atLines([6], stamped('2026-11-22T09:60:00Z')) },
  {
    label: 'an item without a start time, an offset of 24 hours',
    edit: atLines([7], stamped('2026-11-22T09:00:00+24:00')),
  },
  {
    label: 'an item without a start time, an offset of 23:59',
    edit: atLines([7], stamped('2026-11-22T09:00:00-23:59')),
  },
  {
    label: 'an item without a start time, ten fraction digits',
    edit: atLines([7], stamped('2026-11-22T09:00:00.0123456789Z')),
  },
  { label: 'an item without a start time, an empty timestamp', edit: atLines([7], stamped('')) },
  { label: 'an item without a start time, an offset', edit: atLines([7], stamped('2026-11-22T10:00:00.049+01:00')) },
  { label: 'an item without a start time, a number for its timestamp', edit: atLines([7], stamped(1_700_000_000)) },
  { label: 'a task_started whose timestamp is not a time', edit: atLines([5], stamped('not a time', true)) },
  { label: 'a task_complete whose timestamp is not a time', edit: atLines([4], stamped('not a time', true)) },
  { label: 'the meta whose timestamp is not a time', edit: atLines([0], stamped('not a time', true)) },
  // A first line Codex cannot decode is its name's thread all the same, every read refused with the
  // meta it could not read (adapters/driven/jsonl/readers/probe.ts `identityOf`; the fuzzer's
  // `--replay 927396124:13:0:1:1`).
  { label: 'the meta whose timestamp is a number', edit: atLines([0], stamped(1_700_000_000, true)) },
  { label: 'a legacy-shaped message whose timestamp is not a time', edit: atLines([10], stamped('not a time', true)) },
  { label: 'the last line at hour 24', edit: atLines([14], stamped('2026-11-22T24:00:00Z', true)) },
  { label: 'the last line at minute 60', edit: atLines([14], stamped('2026-11-22T09:60:00Z', true)) },
  { label: 'the last line at second 60', edit: atLines([14], stamped('2026-11-22T09:59:60Z', true)) },
  { label: 'the last line not a time', edit: atLines([14], stamped('not a time', true)) },
  {
    label: 'a task_started at hour 24, the last turn start',
    edit: atLines([9], stamped('2026-11-22T24:00:00Z', true)),
  },
  {
    label: 'a skipped item, then a task_complete repeating its ordinal',
    edit: (n, line) => {
      if (n === 3) stamped('not a time')(line);
      if (n === 4) line.ordinal = 3;
    },
  },
  {
    label: 'both items of a turn skipped',
    edit: atLines([6, 7], stamped('garbage')),
  },
];

const writeHome = (codexHome: string): WrittenFile[] =>
  writePaginatedCases(
    codexHome,
    CASES.map((_, i) => idOf(FIRST_THREAD + i)),
    START_MS,
    (i, n, line) => {
      CASES[i]!.edit(n, line);
      return line;
    },
  );

describe(`compat: paginated lines whose timestamp is not a time (codex app-server ${compatCodexVersion()})`, function () {
  this.timeout(900_000);
  const refusedResumes: string[] = [];
  const home = useProjectedHome(
    writeHome,
    CASES.map((_, i) => idOf(FIRST_THREAD + i)),
    'TIMESTAMPS_KEEP',
    (i, error) => refusedResumes.push(`${CASES[i]!.label}: ${error.rpcMessage}`),
  );

  it('every history read of each thread equals Codex', async () => {
    const comparison = await compareHome(
      {
        key: 'timestamps',
        ...home(),
        threads: CASES.map((c, i) => ({ id: idOf(FIRST_THREAD + i), label: c.label })),
      },
      {
        // Search reads the files' messages, not the projection (codex-rs rollout/src/search.rs): the
        // skipped items' texts are asked for too.
        extraListSteps: ['answer t1', 'question t1', 'answer t2', 'question t2'].map((term) => ({
          label: `search ${term}`,
          method: 'thread/search',
          params: { searchTerm: term, limit: 100 },
        })),
      },
    );
    const perCase = CASES.map((c, i) => {
      const t = comparison.byThread.get(idOf(FIRST_THREAD + i));
      return `${c.label} ${t?.equal ?? 0}/${t?.compared ?? 0}`;
    });
    process.stderr.write(
      `  resumes refused: ${refusedResumes.length === 0 ? 'none' : refusedResumes.join('; ')}\n` +
        `  paginated timestamps: ${comparison.compared - comparison.problems.length}/${comparison.compared} answers equal (${perCase.join(', ')})\n`,
    );
    expect(comparison.problems, comparison.problems.join('\n')).to.deep.equal([]);
  });
});
