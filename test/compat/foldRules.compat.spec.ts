// Issue 69: three fold rules, each on a home of hand-written rollouts in the shapes Codex wrote
// (0.64's implicit turns, 0.89's flat collaboration mode, 0.169's legacy turns), read by codex
// app-server 0.169.0 and by ours in the same run, both started in the same work folder with the
// same HOME:
// 1. a `session_meta` / `turn_context` `cwd` that is not absolute on the host (`D:\proj`,
//    `\\server\share\x`, `proj/x`, `~/code`, `/work/a/../b/./c`): the meta's is answered resolved
//    against the server's working directory (codex-rs `utils/absolute-path`), a turn context's
//    makes the line undecodable (no model, no place in implicit turn numbers); siblings: a
//    `workspace-write` sandbox's `writable_roots`, a `thread_settings_applied`'s `cwd` and
//    `runtime_workspace_roots` (and the cwd Codex's state DB takes from it), `thread/list`'s `cwd`
//    filter;
// 2. implicit turn numbers count only the lines Codex decodes (0.89's flat `collaboration_mode`);
// 3. an `error` event and the end of its turn, in either order (codex-rs `rollout/src/policy.rs`:
//    legacy history does not read the line back);
// 4. a `turn_aborted` / `task_complete` naming a turn Codex does not know (its start undecodable,
//    never started, rolled back) ends the open turn or nothing, and an item naming one is dropped
//    (a plan, an MCP call) or joins the open turn (a web search) (codex-rs
//    `app-server-protocol/src/protocol/thread_history.rs`).
import { expect } from 'chai';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { agent, turnContextPayload, user, writeRolloutFile } from '../fixtures/legacyRollout.js';
import type { Line } from '../fixtures/legacyRollout.js';
import { differingAnswers, inCodexFolders, withColdCodexAndOurs } from './codexAndOurs.js';
import type { Step } from './codexAndOurs.js';
import { idOf, settings } from './legacyProbeHome.js';
import type { HomeThread } from './legacyProbeHome.js';
import { freshRoot } from './mutationHarness.js';

const at = (n: number, s: number): string => `2026-11-2${n % 8}T1${n % 10}:00:${String(s).padStart(2, '0')}.000Z`;

/** A turn context as 0.64 wrote it, `extra` over it. */
const context064 = (extra: Record<string, unknown> = {}): Line => ({
  type: 'turn_context',
  payload: turnContextPayload({ model: 'gpt-5.1-codex', effort: 'medium', ...extra }),
});
const meta064 = (id: string, n: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  timestamp: at(n, 0),
  cwd: '/work/project',
  originator: 'codex_cli_rs',
  cli_version: '0.64.0',
  instructions: null,
  source: 'cli',
  model_provider: 'mock',
  ...extra,
});
/** An implicit-turn thread (0.64): a context, then per turn a user message and an answer, a context before each later turn. */
const implicitThread = (
  label: string,
  n: number,
  opts: { cwd?: string; metaCwd?: string; secondContext?: Record<string, unknown>; secondTurn?: Line[] } = {},
): HomeThread => {
  const id = idOf(n);
  const ctx = opts.cwd === undefined ? {} : { cwd: opts.cwd };
  return {
    label,
    id,
    meta: meta064(id, n, opts.metaCwd === undefined ? {} : { cwd: opts.metaCwd }),
    lines: [
      context064(ctx),
      ...user(`${label}: first`),
      ...agent('A1'),
      context064({ ...ctx, model: 'gpt-5.2-codex', effort: 'high', ...opts.secondContext }),
      ...user(`${label}: second`),
      ...(opts.secondTurn ?? agent('A2')),
      context064(ctx),
      ...user(`${label}: third`),
      ...agent('A3'),
    ],
  };
};

/** A 0.169 legacy thread with explicit turns; `turn` gives each turn's lines between its start and its end. */
const explicitThread = (label: string, n: number, turns: ReadonlyArray<(turnId: string) => Line[]>): HomeThread => {
  const id = idOf(n);
  return {
    label,
    id,
    meta: {
      ...meta064(id, n),
      originator: 'codex_cli_rs',
      cli_version: '0.169.0',
      source: 'vscode',
      history_mode: 'legacy',
    },
    lines: turns.flatMap((turn, i) => {
      const turnId = `019a0000-0000-7000-9000-${String(n * 10 + i).padStart(12, '0')}`;
      return [
        {
          type: 'event_msg',
          payload: {
            type: 'task_started',
            turn_id: turnId,
            root_turn_id: turnId,
            started_at: 1795271487,
            model_context_window: 190000,
          },
        },
        { ...context064({ turn_id: turnId }), payload: { ...context064().payload, turn_id: turnId } },
        ...user(`${label}: turn ${i + 1}`),
        ...turn(turnId),
      ];
    }),
  };
};

/** A settings line of `cwd`: these homes' settings lines name no effort (an undefined field is left out). */
const settingsLine = (cwd: string, threadId: string, roots: readonly string[] = [cwd]): Line =>
  settings(threadId, { cwd, runtime_workspace_roots: roots, reasoning_effort: undefined });
const errorLine = (message: string): Line => ({ type: 'event_msg', payload: { type: 'error', message } });
const complete = (turnId: string): Line => ({
  type: 'event_msg',
  payload: {
    type: 'task_complete',
    turn_id: turnId,
    root_turn_id: turnId,
    last_agent_message: null,
    started_at: 1795271487,
    completed_at: 1795271488,
    duration_ms: 80,
  },
});
const aborted = (turnId: string): Line => ({
  type: 'event_msg',
  payload: {
    type: 'turn_aborted',
    turn_id: turnId,
    root_turn_id: turnId,
    reason: 'interrupted',
    started_at: 1795271487,
    completed_at: 1795271488,
    duration_ms: 80,
  },
});

/** A 0.169 legacy thread of the given lines (turns without turn contexts, as the differential fuzzer writes them). */
const legacyThread = (label: string, n: number, lines: Line[]): HomeThread => {
  const id = idOf(n);
  return {
    label,
    id,
    meta: { ...meta064(id, n), cli_version: '0.169.0', source: 'vscode', history_mode: 'legacy' },
    lines,
  };
};
const started = (turnId: string, extra: Record<string, unknown> = {}): Line => ({
  type: 'event_msg',
  payload: {
    type: 'task_started',
    turn_id: turnId,
    root_turn_id: turnId,
    started_at: 1795271487,
    model_context_window: 190000,
    collaboration_mode_kind: 'default',
    ...extra,
  },
});
const rolledBack = (n: number): Line => ({ type: 'event_msg', payload: { type: 'thread_rolled_back', num_turns: n } });
/** An aborted turn of the fuzzer's shape: started, a question and its answer, aborted. */
const abortedTurn = (turnId: string, startExtra: Record<string, unknown> = {}): Line[] => [
  started(turnId, startExtra),
  ...user(`${turnId}?`),
  ...agent(`${turnId}.`),
  aborted(turnId),
];
const completedTurn = (turnId: string): Line[] => [
  started(turnId),
  ...user(`${turnId}?`),
  ...agent(`${turnId}.`),
  complete(turnId),
];
/** A later `session_meta` of thread `n` that Codex reads (its required fields), with `extra`. */
const laterMeta = (n: number, extra: Record<string, unknown> = {}): Line => ({
  type: 'session_meta',
  payload: { ...meta064(idOf(n), n), cli_version: '0.169.0', source: 'vscode', history_mode: 'legacy', ...extra },
});
const withFirstMeta = (t: HomeThread, extra: Record<string, unknown>): HomeThread => ({
  ...t,
  meta: { ...t.meta, ...extra },
});

/** A start Codex's serde refuses (`started_at` not an integer): the turn it opens is unknown to Codex. */
const UNDECODABLE_START = { started_at: {} };

const planCompleted = (threadId: string, turnId: string): Line => ({
  type: 'event_msg',
  payload: {
    type: 'item_completed',
    thread_id: threadId,
    turn_id: turnId,
    item: { type: 'Plan', id: `plan-${turnId}`, text: 'the plan' },
    completed_at_ms: 1795271487000,
  },
});
const mcpEnd = (turnId: string): Line => ({
  type: 'event_msg',
  payload: {
    type: 'mcp_tool_call_end',
    call_id: `mcp-${turnId}`,
    turn_id: turnId,
    invocation: { server: 'docs', tool: 'lookup', arguments: { q: 'x' } },
    duration: { secs: 0, nanos: 5_000_000 },
    result: { Ok: { content: [] } },
  },
});
const webSearchEnd = (turnId: string): Line => ({
  type: 'event_msg',
  payload: {
    type: 'web_search_end',
    call_id: `search-${turnId}`,
    turn_id: turnId,
    query: 'q',
    action: { type: 'search', query: 'q' },
  },
});

const THREADS: readonly HomeThread[] = [
  implicitThread('cwd-absolute', 1),
  implicitThread('cwd-windows-drive', 2, { cwd: 'D:\\proj', metaCwd: 'D:\\proj' }),
  implicitThread('cwd-unc', 3, { cwd: '\\\\server\\share\\x', metaCwd: '\\\\server\\share\\x' }),
  implicitThread('cwd-relative', 4, { cwd: 'proj/x', metaCwd: 'proj/x' }),
  implicitThread('cwd-tilde', 5, { cwd: '~/code', metaCwd: '~/code' }),
  implicitThread('cwd-dots', 6, { cwd: '/work/a/../b/./c', metaCwd: '/work/a/../b/./c' }),
  implicitThread('cwd-meta-relative-only', 7, { metaCwd: 'proj/y' }),
  implicitThread('cwd-context-relative-only', 8, { cwd: 'proj/z' }),
  implicitThread('collaboration-flat', 9, { secondContext: { collaboration_mode: { mode: 'custom' } } }),
  implicitThread('collaboration-current', 10, {
    secondContext: {
      collaboration_mode: {
        mode: 'default',
        settings: { model: 'gpt-5.2-codex', reasoning_effort: 'high', developer_instructions: null },
      },
    },
  }),
  implicitThread('implicit-error-then-complete', 11, {
    secondTurn: [
      errorLine('boom'),
      { type: 'event_msg', payload: { type: 'task_complete', last_agent_message: null } },
    ],
  }),
  implicitThread('implicit-error', 16, { secondTurn: [errorLine('boom')] }),
  // Siblings: the turn context's other paths (`SandboxPolicy::WorkspaceWrite.writable_roots`).
  implicitThread('writable-root-relative', 17, {
    secondContext: { sandbox_policy: { type: 'workspace-write', writable_roots: ['rel/dir'], network_access: false } },
  }),
  // And a thread's settings line (0.169's `thread_settings_applied`), its `cwd` relative or absolute
  // (Codex's state DB takes an absolute one as the thread's cwd; a turn context's does not count).
  implicitThread('settings-cwd-relative', 19, { secondTurn: [settingsLine('rel/x', idOf(19)), ...agent('A2')] }),
  implicitThread('settings-cwd-absolute', 20, { secondTurn: [settingsLine('/abs/x', idOf(20)), ...agent('A2')] }),
  implicitThread('context-cwd-other', 22, { secondContext: { cwd: '/other/dir' } }),
  // Other lines: a second meta without its required fields (Codex cannot decode it), a compaction.
  // (A compaction without its message does not decode either: measured, not followed, docs/compatibility.md.)
  implicitThread('compacted-with-message', 24, {
    secondTurn: [{ type: 'compacted', payload: { message: 'summary' } }, ...agent('A2')],
  }),
  implicitThread('meta-without-fields', 25, {
    secondTurn: [{ type: 'session_meta', payload: { id: idOf(25) } }, ...agent('A2')],
  }),
  implicitThread('settings-root-relative', 21, {
    secondTurn: [settingsLine('/abs/x', idOf(21), ['rel/root']), ...agent('A2')],
  }),
  implicitThread('writable-root-absolute', 18, {
    secondContext: { sandbox_policy: { type: 'workspace-write', writable_roots: ['/abs/dir'], network_access: false } },
  }),
  explicitThread('error-then-complete', 12, [
    (t) => [...agent('A1'), complete(t)],
    (t) => [errorLine('boom'), complete(t)],
    (t) => [...agent('A3'), complete(t)],
  ]),
  explicitThread('complete-then-error', 13, [
    (t) => [...agent('A1'), complete(t), errorLine('late boom')],
    (t) => [...agent('A2'), complete(t)],
  ]),
  explicitThread('error-then-aborted', 14, [
    (t) => [errorLine('boom'), aborted(t)],
    (t) => [...agent('A2'), complete(t)],
  ]),
  explicitThread('error-only', 15, [(t) => [errorLine('boom')]]),
  // A `turn_aborted` naming no turn Codex knows interrupts the open turn, or nothing (thread_history.rs
  // `handle_turn_aborted`): its start undecodable (the fuzzer's `--replay 20261129:15:0:1:0:2`,
  // shrunk), with later aborted turns rolled back, after the named turn ended, or rolled back.
  legacyThread('aborted-start-undecodable', 26, abortedTurn('turn-26-a', UNDECODABLE_START)),
  legacyThread('aborted-start-undecodable-rolled-back', 27, [
    ...abortedTurn('turn-27-a', UNDECODABLE_START),
    ...abortedTurn('turn-27-b'),
    ...abortedTurn('turn-27-c'),
    rolledBack(2),
  ]),
  legacyThread('aborted-unknown-id-no-open-turn', 28, [...completedTurn('turn-28-a'), aborted('turn-never-started')]),
  legacyThread('aborted-rolled-back-id', 29, [
    ...completedTurn('turn-29-a'),
    ...completedTurn('turn-29-b'),
    rolledBack(1),
    ...user('after'),
    ...agent('A'),
    aborted('turn-29-b'),
  ]),
  legacyThread('completed-rolled-back-id', 30, [
    ...completedTurn('turn-30-a'),
    ...completedTurn('turn-30-b'),
    rolledBack(1),
    ...user('after'),
    ...agent('A'),
    complete('turn-30-b'),
  ]),
  // Siblings: items naming a turn Codex does not know (upsert_item_in_turn_id drops them).
  legacyThread('plan-unknown-turn', 31, [
    started('turn-31-a'),
    ...user('plan?'),
    planCompleted(idOf(31), 'turn-never-started'),
    ...agent('A'),
    complete('turn-31-a'),
  ]),
  legacyThread('mcp-unknown-turn', 32, [
    started('turn-32-a'),
    ...user('mcp?'),
    mcpEnd('turn-never-started'),
    ...agent('A'),
    complete('turn-32-a'),
  ]),
  legacyThread('web-search-unknown-turn', 33, [
    started('turn-33-a'),
    ...user('search?'),
    webSearchEnd('turn-never-started'),
    ...agent('A'),
    complete('turn-33-a'),
  ]),
  // And the same items naming the open turn, or a turn that ended before it.
  legacyThread('plan-current-turn', 34, [
    started('turn-34-a'),
    ...user('plan?'),
    planCompleted(idOf(34), 'turn-34-a'),
    ...agent('A'),
    complete('turn-34-a'),
  ]),
  legacyThread('mcp-current-turn', 35, [
    started('turn-35-a'),
    ...user('mcp?'),
    mcpEnd('turn-35-a'),
    ...agent('A'),
    complete('turn-35-a'),
  ]),
  legacyThread('web-search-current-turn', 36, [
    started('turn-36-a'),
    ...user('search?'),
    webSearchEnd('turn-36-a'),
    ...agent('A'),
    complete('turn-36-a'),
  ]),
  legacyThread('items-ended-turn', 37, [
    ...completedTurn('turn-37-a'),
    started('turn-37-b'),
    ...user('late?'),
    planCompleted(idOf(37), 'turn-37-a'),
    mcpEnd('turn-37-a'),
    webSearchEnd('turn-37-a'),
    ...agent('A'),
    complete('turn-37-b'),
  ]),
  // A `turn_aborted` finishes the open turn it interrupts: the next turn's user message (its start
  // undecodable: an unknown `ModeKind`, the fuzzer's `--replay 20261209:19:0:1:1`, shrunk) or a late
  // answer opens an implicit turn; an abort naming a turn that ended leaves the open one open.
  legacyThread('aborted-then-start-undecodable', 38, [
    ...abortedTurn('turn-38-a'),
    ...completedTurn('turn-38-b').map((l, i) =>
      i === 0 ? started('turn-38-b', { collaboration_mode_kind: 'é中文𝄞\u200b\u202e' }) : l,
    ),
    ...completedTurn('turn-38-c'),
  ]),
  legacyThread('aborted-then-late-answer', 39, [
    ...abortedTurn('turn-39-a'),
    ...agent('late'),
    ...completedTurn('turn-39-b'),
  ]),
  legacyThread('aborted-ended-turn-while-open', 40, [
    ...completedTurn('turn-40-a'),
    started('turn-40-b'),
    ...user('open?'),
    aborted('turn-40-a'),
    ...agent('A'),
    complete('turn-40-b'),
  ]),
  // A later meta Codex reads sets the state DB's thread source, whatever string it holds, and none
  // when it has none (the fuzzer's `--replay 20261206:4:0:1:1`: a Windows path in the first meta).
  withFirstMeta(
    legacyThread('later-meta-without-thread-source', 41, [
      ...completedTurn('turn-41-a'),
      laterMeta(41),
      ...completedTurn('turn-41-b'),
    ]),
    {
      thread_source: 'C:\\Users\\dev\\project',
    },
  ),
  withFirstMeta(
    legacyThread('later-meta-thread-source', 42, [
      ...completedTurn('turn-42-a'),
      laterMeta(42, { thread_source: 'C:\\Users\\dev\\project' }),
    ]),
    {
      thread_source: 'user',
    },
  ),
];

/** Writes the home's rollouts from each meta's time (Codex dates a thread by its file). */
const writeHome = (codexHome: string, threads: readonly HomeThread[]): void => {
  for (const t of threads)
    writeRolloutFile(codexHome, t.id, Date.parse(String(t.meta['timestamp'])), [
      { type: 'session_meta', payload: t.meta },
      ...t.lines,
    ]);
};

describe('compat: fold rules of issue 69 (cwd not absolute, implicit turn numbers, error and turn end, turns Codex does not know) (codex app-server 0.169.0)', function () {
  this.timeout(600_000);
  let root: string;

  before(() => {
    root = freshRoot();
    writeHome(join(root, 'home'), THREADS);
    mkdirSync(join(root, 'work'), { recursive: true });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('every thread read, its turns listed, and the list, equal Codex', async () => {
    const home = { codexHome: join(root, 'home'), workDir: join(root, 'work') };
    const steps: Step[] = [
      ...THREADS.flatMap((t): Step[] => [
        [t.label, 'thread/read', { threadId: t.id, includeTurns: true }],
        [t.label, 'thread/turns/list', { threadId: t.id }],
      ]),
      ['list', 'thread/list', { modelProviders: [], limit: 100 }],
      // The list's cwd filter against a meta cwd Codex resolved, named either way.
      ['list by resolved cwd', 'thread/list', { modelProviders: [], limit: 100, cwd: join(home.workDir, 'proj', 'y') }],
      ['list by relative cwd', 'thread/list', { modelProviders: [], limit: 100, cwd: 'proj/y' }],
      ['list by folded cwd', 'thread/list', { modelProviders: [], limit: 100, cwd: '/work/b/c' }],
      ['list by unfolded cwd', 'thread/list', { modelProviders: [], limit: 100, cwd: '/work/a/../b/./c' }],
      [
        'list by an unfolded filter of a clean cwd',
        'thread/list',
        { modelProviders: [], limit: 100, cwd: '/work/x/../project/.' },
      ],
      ['list by a clean cwd', 'thread/list', { modelProviders: [], limit: 100, cwd: '/work/project' }],
      // The same rows as Codex's state DB answers them, and found by a search.
      ['list from the state DB', 'thread/list', { modelProviders: [], limit: 100, useStateDbOnly: true }],
      ['search', 'thread/search', { searchTerm: 'first', limit: 100 }],
    ];
    // Ours beside Codex: the same working directory and home folder (a relative cwd and `~` resolve against them).
    const serve = { args: ['--index-dir', join(root, 'index')], ...inCodexFolders(home) };
    const { differing, compared } = await withColdCodexAndOurs(home, serve, (codex, ours) =>
      differingAnswers(codex, ours, steps, { dumpChars: process.env['FOLD_RULES_DUMP'] ? 3000 : undefined }),
    );
    process.stderr.write(`  fold rules: ${compared - differing.length}/${compared} answers equal\n`);
    expect(differing, differing.join('\n')).to.deep.equal([]);
  });
});
