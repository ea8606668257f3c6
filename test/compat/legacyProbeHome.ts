// The legacy threads of the homes that probe Codex's serde line by line (undecodableLines.compat,
// serdeEnumMaps.compat): each thread one explicit turn holding the probed line, then an implicit
// turn whose number counts the lines Codex read; and the run that asks both servers of each thread.
import { expect } from 'chai';
import { mkdirSync, rmSync } from 'node:fs';
import { freshRoot } from './mutationHarness.js';
import { join } from 'node:path';
import { event, user, agent, context, writeRolloutFile } from '../fixtures/legacyRollout.js';
import type { Line } from '../fixtures/legacyRollout.js';
import { compatCodexVersion } from './appServer.js';
import { differingAnswers, inCodexFolders, withColdCodexAndOurs } from './codexAndOurs.js';
import type { Step } from './codexAndOurs.js';

// The probe specs build their threads' lines from here too.
export { event, user, agent, context };
export type { Line };

export const idOf = (n: number): string => `019a0000-0000-7000-8000-${String(n).padStart(12, '0')}`;
export const turnIdOf = (n: number): string => `019a0000-0000-7000-9000-${String(n).padStart(12, '0')}`;
export const START_MS = Date.UTC(2026, 10, 20, 9, 0, 0);

export interface HomeThread {
  readonly label: string;
  readonly id: string;
  readonly meta: Record<string, unknown>;
  readonly lines: readonly Line[];
  readonly noMeta?: true;
}

export const usage = {
  input_tokens: 10,
  cached_input_tokens: 0,
  output_tokens: 5,
  reasoning_output_tokens: 0,
  total_tokens: 15,
};
export const started = (turnId: string, extra: Record<string, unknown> = {}): Line =>
  event({
    type: 'task_started',
    turn_id: turnId,
    root_turn_id: turnId,
    started_at: 1795200000,
    model_context_window: 190000,
    collaboration_mode_kind: 'default',
    ...extra,
  });
export const completed = (turnId: string, extra: Record<string, unknown> = {}): Line =>
  event({
    type: 'task_complete',
    turn_id: turnId,
    root_turn_id: turnId,
    last_agent_message: 'A1',
    started_at: 1795200000,
    completed_at: 1795200001,
    duration_ms: 900,
    ...extra,
  });
export const settings = (threadId: string, extra: Record<string, unknown> = {}): Line =>
  event({
    type: 'thread_settings_applied',
    thread_id: threadId,
    thread_settings: {
      model: 'settings-model',
      model_provider_id: 'mock',
      approval_policy: 'never',
      approvals_reviewer: 'user',
      permission_profile: { type: 'disabled' },
      cwd: '/work/project',
      runtime_workspace_roots: ['/work/project'],
      reasoning_effort: 'low',
      reasoning_summary: 'detailed',
      collaboration_mode: {
        mode: 'default',
        settings: { model: 'settings-model', reasoning_effort: 'low', developer_instructions: null },
      },
      disabled_plugin_ids: [],
      ...extra,
    },
  });

export const meta = (id: string, n: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  session_id: id,
  timestamp: new Date(START_MS + n * 3_600_000).toISOString(),
  cwd: '/work/project',
  originator: 'codex_cli_rs',
  cli_version: '0.169.0',
  source: 'vscode',
  model_provider: 'mock',
  history_mode: 'legacy',
  ...extra,
});

/**
 * A 0.169 legacy thread: one explicit turn (`probe` gives the lines its turn holds, the line Codex
 * refuses among them), then an implicit turn whose number counts the lines Codex read.
 */
export const thread = (
  label: string,
  n: number,
  probe: (turnId: string, threadId: string) => Line[],
  metaExtra: Record<string, unknown> = {},
): HomeThread => {
  const id = idOf(n);
  const turnId = turnIdOf(n);
  return {
    label,
    id,
    meta: meta(id, n, metaExtra),
    lines: [...probe(turnId, id), ...user(`${label}: implicit`), ...agent('A2')],
  };
};
/** The turn's lines, `line` in place of the one its kind names. */
export const turn = (
  turnId: string,
  threadId: string,
  over: Partial<Record<'started' | 'context' | 'settings' | 'tokens' | 'complete' | 'extra', Line>>,
): Line[] => [
  over.started ?? started(turnId),
  over.context ?? context(turnId),
  over.settings ?? settings(threadId),
  ...user('turn 1'),
  event({ type: 'agent_reasoning', text: 'thinking' }),
  ...(over.extra === undefined ? [] : [over.extra]),
  ...agent('A1'),
  over.tokens ??
    event({
      type: 'token_count',
      info: { total_token_usage: usage, last_token_usage: usage, model_context_window: 190000 },
      rate_limits: null,
    }),
  over.complete ?? completed(turnId),
];

/** Each thread's rollout, dated by its number: a probe's meta may hold no time Codex reads. */
export const writeHome = (codexHome: string, threads: readonly HomeThread[]): void => {
  for (const t of threads)
    writeRolloutFile(
      codexHome,
      t.id,
      Date.parse(String(meta(t.id, Number(t.id.slice(-3)))['timestamp'])),
      t.noMeta === true ? t.lines : [{ type: 'session_meta', payload: t.meta }, ...t.lines],
    );
};

/** An answer without its threads' `recencyAt` (Codex's backfill takes it from the file's time: another item of issue 69). */
export const withoutRecency = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(withoutRecency)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (k === 'recencyAt' ? [] : [[k, withoutRecency(x)]])))
      : v;

/**
 * Asks Codex and ours, in the same run on the home under `root/home`, each thread's
 * `thread/read includeTurns` and `thread/turns/list`, then both lists and a search (`searchTerm`);
 * the answers that differ (recency aside), described, and how many were compared.
 */
export const compareProbeAnswers = (
  root: string,
  threads: ReadonlyArray<Pick<HomeThread, 'label' | 'id'>>,
  searchTerm: string,
  dump: boolean,
): Promise<{ differing: string[]; compared: number }> => {
  const home = { codexHome: join(root, 'home'), workDir: join(root, 'work') };
  const steps: Step[] = [
    ...threads.flatMap((t): Step[] => [
      [t.label, 'thread/read', { threadId: t.id, includeTurns: true }],
      [t.label, 'thread/turns/list', { threadId: t.id }],
    ]),
    ['list', 'thread/list', { modelProviders: [], limit: 100 }],
    // Codex's state DB's backfill keeps a row for a file whose first meta its serde refuses
    // (rollout/src/metadata.rs `builder_from_items`: from the file name, or a later meta), which its file scan does not list.
    ['list', 'thread/list', { modelProviders: [], limit: 100, useStateDbOnly: true }],
    ['search', 'thread/search', { searchTerm, limit: 100 }],
  ];
  const serve = {
    args: ['--index-dir', join(root, 'index'), '--codex-version', compatCodexVersion()],
    ...inCodexFolders(home),
  };
  return withColdCodexAndOurs(home, serve, (codex, ours) =>
    differingAnswers(codex, ours, steps, { normalised: withoutRecency, dumpChars: dump ? 2000 : undefined }),
  );
};

/**
 * The spec of a probe home: `threads` written to a fresh root, asked of both servers
 * (`compareProbeAnswers`, searching `turn 1`), every answer equal; the root kept when `dumpVar` is set.
 */
export const probeHomeSpec = (
  title: string,
  counted: string,
  threads: readonly HomeThread[],
  dumpVar: string,
): void => {
  describe(title, function () {
    this.timeout(600_000);
    let root: string;

    before(() => {
      root = freshRoot();
      writeHome(join(root, 'home'), threads);
      mkdirSync(join(root, 'work'), { recursive: true });
    });
    after(() => {
      if (process.env[dumpVar] === undefined) rmSync(root, { recursive: true, force: true });
    });

    it(`a thread of each probe, read and listed, equals Codex`, async () => {
      const dump = process.env[dumpVar] !== undefined;
      const { differing, compared } = await compareProbeAnswers(root, threads, 'turn 1', dump);
      process.stderr.write(`  ${counted}: ${compared - differing.length}/${compared} answers equal\n`);
      expect(differing, differing.join('\n')).to.deep.equal([]);
    });
  });
};
