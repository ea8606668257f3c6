// The home of metaRules.compat.spec.ts: hand-written legacy rollouts in Codex 0.169.0's line
// format, one thread per rule and its siblings (a later session_meta, an empty provider, legacy
// rollbacks, a compaction without its message).
import { writeDatedRollout } from '../fixtures/legacyRollout.js';
import { COLLABORATION_MODE, RolloutWriter, threadSettingsOf } from '../fixtures/rolloutLines.js';

export const idOf = (n: number): string => `019a0000-0000-7000-8000-${String(n).padStart(12, '0')}`;

/** One thread's rollout as written: its file's text and last line's time. */
export interface HomeThread {
  readonly label: string;
  readonly id: string;
  readonly text: string;
  readonly lastMs: number;
  readonly startMs: number;
  readonly archived: boolean;
}

/** A token count's usage with every field Codex's `TokenUsage` requires (one without them does not decode). */
const USAGE = {
  input_tokens: 80,
  cached_input_tokens: 0,
  output_tokens: 20,
  reasoning_output_tokens: 0,
  total_tokens: 100,
};

/** What a turn of a thread does besides its messages. */
interface TurnShape {
  readonly context?: boolean;
  /** A `thread_settings_applied` line (its cwd and provider). */
  readonly settings?: { readonly cwd: string; readonly provider: string | null };
  /** The user's message ('' is no preview); default `<label>: turn <n>`. */
  readonly user?: string;
  /** Lines after the turn's end (a later meta, a compaction). */
  readonly after?: ReadonlyArray<readonly [string, Record<string, unknown>]>;
}

/**
 * A 0.169.0 legacy thread: its meta (`meta` over the defaults), then each turn a minute apart
 * (start, turn context, settings, user message, answer, end), then `tail` lines.
 */
const legacyThread = (
  label: string,
  n: number,
  workDir: string,
  meta: Record<string, unknown>,
  turns: readonly TurnShape[],
  tail: ReadonlyArray<readonly [string, Record<string, unknown>]> = [],
  archived = false,
): HomeThread => {
  const id = idOf(n);
  const startMs = Date.UTC(2026, 10, 21, 8, 0, 0) + n * 3_600_000;
  const w = new RolloutWriter('legacy', id, { startMs });
  w.sessionMeta({ cwd: workDir, source: 'vscode', model_provider: 'mock', ...meta });
  turns.forEach((turn, i) => {
    const turnId = `turn-${n}-${i}`;
    w.wait(60_000).taskStarted(turnId);
    if (turn.context !== false)
      w.push('turn_context', {
        turn_id: turnId,
        cwd: workDir,
        approval_policy: 'never',
        permission_profile: { type: 'disabled' },
        model: `model-${i}`,
        collaboration_mode: COLLABORATION_MODE,
        summary: 'none',
        sandbox_policy: { type: 'danger-full-access' },
      });
    if (turn.settings !== undefined) w.threadSettings(threadSettingsOf(turn.settings.cwd, turn.settings.provider));
    const user = turn.user ?? `${label}: turn ${i + 1}`;
    w.responseMessage('user', user);
    w.push('event_msg', { type: 'user_message', message: user, images: [], local_images: [], text_elements: [] });
    w.push('event_msg', { type: 'agent_message', message: `answer ${i + 1}`, phase: null, memory_citation: null });
    w.responseMessage('assistant', `answer ${i + 1}`).tokenCountTotal(USAGE);
    w.taskComplete(turnId);
    for (const [type, payload] of turn.after ?? []) w.push(type, payload);
  });
  for (const [type, payload] of tail) w.push(type, payload);
  return { label, id, text: w.text(), lastMs: w.nowMs(), startMs, archived };
};

/**
 * A thread as Codex 0.64 wrote it (implicit turns, numbered `rollout-<line>`): a context, a user
 * message and an answer per turn, `between` after the first turn's answer.
 */
const implicitThread = (
  label: string,
  n: number,
  workDir: string,
  between: ReadonlyArray<readonly [string, Record<string, unknown>]>,
): HomeThread => {
  const id = idOf(n);
  const startMs = Date.UTC(2026, 10, 21, 8, 0, 0) + n * 3_600_000;
  const w = new RolloutWriter('legacy', id, { startMs });
  w.push('session_meta', {
    id,
    timestamp: new Date(startMs).toISOString(),
    cwd: workDir,
    originator: 'codex_cli_rs',
    cli_version: '0.64.0',
    instructions: null,
    source: 'cli',
    model_provider: 'mock',
  });
  for (let i = 0; i < 3; i += 1) {
    w.wait(60_000).push('turn_context', {
      cwd: workDir,
      approval_policy: 'never',
      sandbox_policy: { type: 'danger-full-access' },
      model: `model-${i}`,
      effort: 'medium',
      summary: 'auto',
    });
    w.responseMessage('user', `${label}: turn ${i + 1}`);
    w.push('event_msg', { type: 'user_message', message: `${label}: turn ${i + 1}`, images: [] });
    w.push('event_msg', { type: 'agent_message', message: `answer ${i + 1}` });
    w.responseMessage('assistant', `answer ${i + 1}`);
    if (i === 0) for (const [type, payload] of between) w.push(type, payload);
  }
  return { label, id, text: w.text(), lastMs: w.nowMs(), startMs, archived: false };
};

/** A later meta of thread `n` (or of another thread: `id`), `extra` over the first's fields. */
const laterMeta = (
  n: number,
  workDir: string,
  extra: Record<string, unknown>,
): readonly [string, Record<string, unknown>] => [
  'session_meta',
  {
    session_id: idOf(n),
    id: idOf(n),
    timestamp: new Date(Date.UTC(2026, 10, 21, 8, 0, 0) + n * 3_600_000).toISOString(),
    cwd: workDir,
    originator: 'rollout_engine_test',
    cli_version: '0.169.0',
    source: 'vscode',
    model_provider: 'mock',
    history_mode: 'legacy',
    ...extra,
  },
];

const rollback = (turns: number): readonly [string, Record<string, unknown>] => [
  'event_msg',
  { type: 'thread_rolled_back', num_turns: turns },
];

export const threadsOf = (work: string): HomeThread[] => {
  const second = `${work}/second`;
  const settings = { cwd: work, provider: 'mock' };
  return [
    // 1. A later meta: each field it carries on its own, then the order against a settings line.
    legacyThread('meta2-cwd', 1, work, {}, [{ settings, after: [laterMeta(1, second, {})] }, {}]),
    legacyThread('meta2-provider', 2, work, {}, [
      { settings, after: [laterMeta(2, work, { model_provider: 'openai' })] },
      {},
    ]),
    legacyThread('meta2-source', 3, work, {}, [{ settings, after: [laterMeta(3, work, { source: 'exec' })] }, {}]),
    legacyThread('meta2-git', 4, work, {}, [
      {
        settings,
        after: [
          laterMeta(4, work, {}),
          [
            'session_meta',
            {
              ...laterMeta(4, work, {})[1],
              git: { commit_hash: 'abc123', branch: 'main', repository_url: 'https://example.com/r.git' },
            },
          ],
        ],
      },
      {},
    ]),
    legacyThread('meta2-agent', 5, work, {}, [
      {
        settings,
        after: [laterMeta(5, work, { agent_nickname: 'Robie', agent_role: 'explorer', cli_version: '0.170.0' })],
      },
      {},
    ]),
    legacyThread(
      'meta2-unset',
      6,
      work,
      { git: { commit_hash: 'def456', branch: 'dev' }, agent_nickname: 'Ada', agent_role: 'lead' },
      [{ settings, after: [laterMeta(6, second, { model_provider: undefined, cli_version: '' })] }, {}],
    ),
    legacyThread('meta2-other-thread', 7, work, {}, [
      { settings, after: [laterMeta(99, second, { source: 'exec', model_provider: 'openai' })] },
      {},
    ]),
    legacyThread('meta2-then-settings', 8, work, {}, [
      { settings, after: [laterMeta(8, second, {})] },
      { settings: { cwd: `${work}/third`, provider: 'mock' } },
    ]),
    legacyThread('settings-provider', 9, work, {}, [{ settings: { cwd: work, provider: 'openai' } }]),
    legacyThread(
      'meta2-no-turns-after',
      10,
      work,
      {},
      [{ settings }],
      [laterMeta(10, second, { model_provider: 'openai', source: 'cli' })],
    ),
    // 2. An empty provider, with its settings line's and without one.
    legacyThread('provider-empty', 11, work, { model_provider: '' }, [{ settings: { cwd: work, provider: '' } }]),
    legacyThread('provider-empty-no-settings', 12, work, { model_provider: '' }, [{}]),
    legacyThread('provider-absent', 13, work, { model_provider: undefined }, [
      { settings: { cwd: work, provider: null } },
    ]),
    // 3. Rollbacks of a legacy thread, and no turns.
    legacyThread('rollback-all', 14, work, {}, [{ settings }], [rollback(1)]),
    legacyThread('rollback-one', 15, work, {}, [{ settings }, {}], [rollback(1)]),
    legacyThread('rollback-zero', 16, work, {}, [{ settings }], [rollback(0)]),
    legacyThread('no-turns', 17, work, {}, []),
    legacyThread('no-turns-rollback', 18, work, {}, [], [rollback(2)]),
    legacyThread('rollback-no-context', 19, work, {}, [{ settings }, { context: false }], [rollback(1)]),
    legacyThread(
      'rollback-over-no-context',
      20,
      work,
      {},
      [{ settings }, { context: false }, { context: false }],
      [rollback(2)],
    ),
    legacyThread('rollback-all-no-context', 21, work, {}, [{ context: false }, { context: false }], [rollback(2)]),
    // 4. A compaction without its message, and one with.
    legacyThread('compacted-no-message', 22, work, {}, [
      { settings, after: [['compacted', { replacement_history: [] }]] },
      {},
    ]),
    legacyThread('compacted-message', 23, work, {}, [{ settings, after: [['compacted', { message: 'summary' }]] }, {}]),
    implicitThread('implicit-compacted-no-message', 34, work, [['compacted', { replacement_history: [] }]]),
    implicitThread('implicit-compacted-message-later', 35, work, [
      ['compacted', { replacement_history: [], message: 'summary' }],
    ]),
    implicitThread('implicit-compacted-message', 36, work, [
      ['compacted', { message: 'summary', replacement_history: [] }],
    ]),
    // 3, continued: no preview (an empty message), archived.
    legacyThread('empty-message', 24, work, {}, [{ settings, user: '' }]),
    legacyThread('empty-message-rollback', 25, work, {}, [{ settings, user: '' }], [rollback(1)]),
    legacyThread('archived', 26, work, {}, [{ settings }], [], true),
    legacyThread('archived-rollback', 27, work, {}, [{ settings }], [rollback(1)], true),
    legacyThread('archived-empty-message', 29, work, {}, [{ settings, user: '' }, {}], [], true),
    legacyThread('archived-empty-message-rollback', 28, work, {}, [{ settings, user: '' }], [rollback(1)], true),
    legacyThread('archived-no-turns', 37, work, {}, [], [], true),
    legacyThread('archived-empty-message-only', 38, work, {}, [{ settings, user: '' }], [], true),
    legacyThread('empty-message-later-turn', 30, work, {}, [{ settings, user: '' }, {}]),
    legacyThread('empty-message-meta2', 33, work, {}, [
      {
        settings,
        user: '',
        after: [
          laterMeta(33, second, {
            model_provider: 'openai',
            source: 'cli',
            cli_version: '0.170.0',
            git: { branch: 'b' },
          }),
        ],
      },
    ]),
  ];
};

/** Writes the home's rollouts, each file last written at its last line (as Codex's writer leaves it). */
export const writeHome = (codexHome: string, threads: readonly HomeThread[]): void => {
  // Half a millisecond on: a time in seconds is not exact in binary, and one stored a hair under its millisecond reads as the one before.
  for (const t of threads) writeDatedRollout(codexHome, t.id, t.startMs, t.text, (t.lastMs + 0.5) / 1000, t.archived);
};
