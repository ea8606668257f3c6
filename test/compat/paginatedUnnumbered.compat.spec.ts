// Paginated threads whose lines are not numbered as Codex numbers them: a line without an
// `ordinal` (a legacy-shaped line in a paginated file, as an older Codex appends to a newer one's
// thread), one that repeats or goes below an earlier ordinal, numbering that starts elsewhere than
// 0. Codex 0.169 answers a paginated thread from its history projection, which reads the file in
// order (thread-store/src/local/thread_history_materialization.rs `read_projection_steps`): a
// line without an ordinal, or whose ordinal is below the next one expected, is skipped; a forward
// gap is passed over. A cold Codex projects each thread (thread/resume, as a writing Codex keeps
// its projection), then it and ours are asked every history read (historyComparison.ts). The rule:
// domain/thread/paginatedOrdinals.ts.
import { expect } from 'chai';
import { compatCodexVersion } from './appServer.js';
import { compareHome } from './historyComparison.js';
import { useProjectedHome } from './mutationHarness.js';
import type { WrittenFile } from './mutationHarness.js';
import { writePaginatedCases } from './paginatedCaseHome.js';

/** Threads 67-79 (80 and up are another spec's). */
const idOf = (n: number): string => `019a0000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const START_MS = Date.UTC(2026, 10, 21, 9, 0, 0);

interface Case {
  readonly label: string;
  /** The ordinal line `i` carries (null: none), given the one Codex would have written. */
  readonly ordinal: (i: number) => number | null;
}

const CASES: readonly Case[] = [
  { label: 'numbered', ordinal: (i) => i },
  { label: 'unnumbered', ordinal: () => null },
  { label: 'meta numbered, the rest not', ordinal: (i) => (i === 0 ? 0 : null) },
  { label: 'a task_started unnumbered', ordinal: (i) => (i === 5 ? null : i) },
  { label: 'an item unnumbered', ordinal: (i) => (i === 3 ? null : i) },
  { label: 'a task_complete unnumbered', ordinal: (i) => (i === 4 ? null : i) },
  // The last line numbered: 0.169.0 refuses to resume a file whose last line has no ordinal ("final
  // paginated rollout record ... is missing an ordinal"), so a cold Codex never projects it.
  { label: 'the legacy-shaped turn unnumbered', ordinal: (i) => (i >= 9 && i < 14 ? null : i) },
  { label: 'odd lines numbered', ordinal: (i) => (i % 2 === 1 || i === 14 ? i : null) },
  { label: 'numbered from five', ordinal: (i) => i + 5 },
  { label: 'a forward gap', ordinal: (i) => (i >= 5 ? i + 10 : i) },
  { label: 'a task_complete repeating an ordinal', ordinal: (i) => (i === 4 ? 3 : i) },
  { label: 'numbered anew from zero after t1', ordinal: (i) => (i >= 5 ? i - 5 : i) },
  { label: 'an item numbered below', ordinal: (i) => (i === 6 ? 1 : i) },
];

const writeHome = (codexHome: string): WrittenFile[] =>
  writePaginatedCases(
    codexHome,
    CASES.map((_, i) => idOf(67 + i)),
    START_MS,
    (i, n, { ordinal: _written, ...rest }) => {
      const o = CASES[i]!.ordinal(n);
      return o === null ? rest : { ...rest, ordinal: o };
    },
  );

describe(`compat: paginated lines numbered otherwise (codex app-server ${compatCodexVersion()})`, function () {
  this.timeout(900_000);
  const refusedResumes: string[] = [];
  const home = useProjectedHome(
    writeHome,
    CASES.map((_, i) => idOf(67 + i)),
    'UNNUMBERED_KEEP',
    // A refused resume projects nothing: the thread's reads answer no turns.
    (i, error) => refusedResumes.push(`${CASES[i]!.label}: ${error.rpcMessage}`),
  );

  it('every history read of each thread equals Codex', async () => {
    const comparison = await compareHome({
      key: 'unnumbered',
      ...home(),
      threads: CASES.map((c, i) => ({ id: idOf(67 + i), label: c.label })),
    });
    // Beyond Codex: our cursors in a file numbered otherwise also carry the anchor's line
    // (replay/internal/cursors.ts `rolloutLine`); a difference in that alone is ours by design.
    const lineOnly = (p: string): boolean =>
      [...p.matchAll(/codex: "(.*)"\n\s+ours: {2}"(.*)"/g)].every(
        ([, c, o]) => o!.replace(/,\\"rolloutLine\\":\d+/, '') === c,
      ) && p.includes('rolloutLine');
    const problems = comparison.problems.filter((p) => !lineOnly(p));
    const perCase = CASES.map((c, i) => {
      const t = comparison.byThread.get(idOf(67 + i));
      return `${c.label} ${t?.equal ?? 0}/${t?.compared ?? 0}`;
    });
    process.stderr.write(
      `  resumes refused: ${refusedResumes.length === 0 ? 'none' : refusedResumes.join('; ')}\n` +
        `  paginated lines numbered otherwise: ${comparison.compared - problems.length}/${comparison.compared} answers equal, ${comparison.problems.length - problems.length} differing by a cursor's rolloutLine alone (${perCase.join(', ')})\n`,
    );
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });
});
