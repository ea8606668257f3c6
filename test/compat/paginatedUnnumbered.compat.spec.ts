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
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { compatCodexVersion } from './appServer.js';
import { compareHome } from './historyComparison.js';
import { useProjectedHome } from './mutationHarness.js';
import type { WrittenFile } from './mutationHarness.js';

/** Threads 67-79 (80 and up are another spec's). */
const idOf = (n: number): string => `019a0000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const START_MS = Date.UTC(2026, 10, 21, 9, 0, 0);

/**
 * Two turns as 0.169.0 writes them (items as `item_completed` lines), then the legacy-shaped lines
 * of a third (`task_started`, messages as response items and events, `task_complete`). Line 0 is the
 * meta; turn t1 is lines 1-4 (started, user item, agent item, complete), t2 lines 5-8, t3 lines 9-14.
 */
const writeTurns = (w: RolloutWriter): void => {
  for (const t of ['t1', 't2'])
    w.taskStarted(t)
      .item(t, { type: 'UserMessage', id: `u-${t}`, content: w.userText(`question ${t}`) })
      .item(t, { type: 'AgentMessage', id: `msg-${t}`, content: [{ type: 'Text', text: `answer ${t}` }] })
      .taskComplete(t);
  w.taskStarted('t3')
    .responseMessage('user', 'question t3')
    .push('event_msg', { type: 'user_message', message: 'question t3', images: [] })
    .push('event_msg', { type: 'agent_message', message: 'answer t3' })
    .responseMessage('assistant', 'answer t3')
    .taskComplete('t3');
};

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
  CASES.map((c, i) => {
    const id = idOf(67 + i);
    const startMs = START_MS + i * 3_600_000;
    const w = new RolloutWriter('paginated', id, { startMs });
    w.sessionMeta({ model_provider: 'mock' });
    writeTurns(w);
    const content = w
      .text()
      .split('\n')
      .filter((l) => l !== '')
      .map((l, n) => {
        const { ordinal: _written, ...rest } = JSON.parse(l) as Record<string, unknown>;
        const o = c.ordinal(n);
        // Codex's key order: timestamp, ordinal, type, payload.
        const { timestamp, ...body } = rest;
        return `${JSON.stringify(o === null ? rest : { timestamp, ordinal: o, ...body })}\n`;
      })
      .join('');
    const stamp = new Date(startMs).toISOString().slice(0, 19).replaceAll(':', '-');
    const dir = join(codexHome, 'sessions', ...stamp.slice(0, 10).split('-'));
    mkdirSync(dir, { recursive: true });
    const file = { path: join(dir, `rollout-${stamp}-${id}.jsonl`), content, at: new Date(w.nowMs()) };
    writeFileSync(file.path, file.content);
    utimesSync(file.path, file.at, file.at);
    return file;
  });

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
