// Issue 69, lines Codex cannot decode: a home of hand-written legacy threads, each with one line
// whose payload Codex 0.169's serde refuses (a required field absent, a value of the wrong type, an
// unknown enum name, an integer out of range), read by codex app-server and by ours in the same
// run. Codex skips such a line (codex-rs rollout/src/recorder.rs `load_rollout_items`): it sets
// nothing, makes no item and takes no place in implicit turn numbers, so each thread ends with an
// implicit turn (`rollout-<index>`) that shows it. A first `session_meta` Codex refuses makes it
// refuse every read of the thread (-32603, rollout/src/list.rs `read_session_meta_line`) and list
// it in no list of its file scan, though its state DB keeps a row for the file (its state-DB list
// and search show it), unless a later meta it reads comes before any response item: that one is
// the thread's. The rules: domain/rollout/codexSerde.ts (measured by bench/editMatrix.ts).
import { compatCodexVersion } from './appServer.js';
import {
  agent,
  completed,
  context,
  event,
  idOf,
  meta,
  settings,
  started,
  thread,
  turn,
  turnIdOf,
  user,
  probeHomeSpec,
} from './legacyProbeHome.js';
import type { HomeThread } from './legacyProbeHome.js';

const THREADS: readonly HomeThread[] = [
  thread('control', 1, (t, th) => turn(t, th, {})),
  // TokenUsageInfo's usages are required, each TokenUsage's counts too (the fuzzer's own partial info).
  thread('token-count-partial-info', 2, (t, th) =>
    turn(t, th, { tokens: event({ type: 'token_count', info: { total_token_usage: { total_tokens: 100 } } }) }),
  ),
  // ModeKind has no `#[serde(other)]`: an unknown name (or null) refuses the turn's start.
  thread('task-started-unknown-mode', 3, (t, th) =>
    turn(t, th, { started: started(t, { collaboration_mode_kind: 'unknown_mode' }) }),
  ),
  thread('task-started-attribution', 4, (t, th) =>
    turn(t, th, { started: started(t, { turn_attribution: 'padded' }) }),
  ),
  // `Option<i64>`: a float is refused.
  thread('task-complete-float-time', 5, (t, th) => turn(t, th, { complete: completed(t, { started_at: 1.5 }) })),
  thread('task-aborted-unknown-reason', 6, (t, th) =>
    turn(t, th, { complete: event({ type: 'turn_aborted', turn_id: t, reason: 'unknown_reason' }) }),
  ),
  // `u32`: a negative count.
  thread('rollback-negative', 7, (t, th) =>
    turn(t, th, { extra: event({ type: 'thread_rolled_back', num_turns: -1 }) }),
  ),
  thread('user-message-images-string', 8, (t, th) =>
    turn(t, th, { extra: event({ type: 'user_message', message: 'second', images: 'x' }) }),
  ),
  thread('agent-message-unknown-phase', 9, (t, th) =>
    turn(t, th, { extra: event({ type: 'agent_message', message: 'late', phase: 'unknown_phase' }) }),
  ),
  thread('agent-reasoning-number', 10, (t, th) => turn(t, th, { extra: event({ type: 'agent_reasoning', text: 0 }) })),
  // ThreadSettingsSnapshot requires its provider.
  thread('settings-without-provider', 11, (t, th) =>
    turn(t, th, { settings: settings(th, { model_provider_id: undefined }) }),
  ),
  // TurnContextItem: `approval_policy` required, `summary` a ReasoningSummary, `effort` not empty.
  thread('context-without-approval', 12, (t, th) =>
    turn(t, th, { context: context(t, { approval_policy: undefined, model: 'other-model' }) }),
  ),
  thread('context-unknown-summary', 13, (t, th) =>
    turn(t, th, { context: context(t, { summary: 'unknown_summary', model: 'other-model' }) }),
  ),
  thread('context-empty-effort', 14, (t, th) =>
    turn(t, th, { context: context(t, { effort: '', model: 'other-model' }) }),
  ),
  // An effort of no ReasoningEffort name decodes, as none.
  thread('context-unknown-effort', 21, (t, th) => turn(t, th, { context: context(t, { effort: 'unknown_effort' }) })),
  // ItemCompletedEvent's thread id is a ThreadId (a legacy plan item is numbered when Codex reads it).
  thread('item-completed-null-thread', 15, (t, th) =>
    turn(t, th, {
      extra: event({
        type: 'item_completed',
        thread_id: null,
        turn_id: t,
        item: { type: 'Plan', id: 'plan-1', text: 'the plan' },
      }),
    }),
  ),
  // A later meta whose id is no ThreadId.
  thread('second-meta-bad-id', 16, (t, th) =>
    turn(t, th, { extra: { type: 'session_meta', payload: meta('not-a-uuid', 16) } }),
  ),
  // Nested structs (codexSerde.ts): a memory citation's fields all required (MemoryCitation,
  // MemoryCitationEntry), in an agent message event and item alike.
  thread('agent-message-empty-citation', 24, (t, th) =>
    turn(t, th, { extra: event({ type: 'agent_message', message: 'late', memory_citation: {} }) }),
  ),
  thread('agent-message-citation-thread-ids', 25, (t, th) =>
    turn(t, th, {
      extra: event({ type: 'agent_message', message: 'late', memory_citation: { entries: [], threadIds: [] } }),
    }),
  ),
  thread('agent-message-citation-entry-without-note', 26, (t, th) =>
    turn(t, th, {
      extra: event({
        type: 'agent_message',
        message: 'late',
        memory_citation: { entries: [{ path: 'MEMORY.md', lineStart: 1, lineEnd: 2 }], rolloutIds: [] },
      }),
    }),
  ),
  thread('item-agent-message-empty-citation', 27, (t, th) =>
    turn(t, th, {
      extra: event({
        type: 'item_completed',
        thread_id: th,
        turn_id: t,
        item: { type: 'AgentMessage', id: 'msg-late', content: [{ type: 'Text', text: 'late' }], memory_citation: {} },
        completed_at_ms: 1795200000500,
      }),
    }),
  ),
  // PermissionProfile: tagged by `type`, else the legacy shape (no unknown field); ActivePermissionProfile's id; a file system policy's kind.
  thread('context-profile-unknown-type', 28, (t, th) =>
    turn(t, th, { context: context(t, { permission_profile: { type: 'unknown_variant_x' }, model: 'other-model' }) }),
  ),
  thread('context-profile-managed-without-network', 29, (t, th) =>
    turn(t, th, {
      context: context(t, {
        permission_profile: { type: 'managed', file_system: { type: 'unrestricted' } },
        model: 'other-model',
      }),
    }),
  ),
  thread('context-profile-legacy-unknown-field', 30, (t, th) =>
    turn(t, th, {
      context: context(t, { permission_profile: { network: { enabled: true }, other: 1 }, model: 'other-model' }),
    }),
  ),
  thread('context-active-profile-empty', 31, (t, th) =>
    turn(t, th, { context: context(t, { active_permission_profile: {}, model: 'other-model' }) }),
  ),
  thread('context-fs-policy-empty', 32, (t, th) =>
    turn(t, th, { context: context(t, { file_system_sandbox_policy: {}, model: 'other-model' }) }),
  ),
  thread('context-fs-policy-unknown-kind', 33, (t, th) =>
    turn(t, th, {
      context: context(t, { file_system_sandbox_policy: { kind: 'unknown_kind' }, model: 'other-model' }),
    }),
  ),
  thread('context-fs-policy-entry-without-access', 34, (t, th) =>
    turn(t, th, {
      context: context(t, {
        file_system_sandbox_policy: {
          kind: 'restricted',
          entries: [{ path: { type: 'special', value: { kind: 'root' } } }],
        },
        model: 'other-model',
      }),
    }),
  ),
  thread('settings-profile-unknown-type', 35, (t, th) =>
    turn(t, th, { settings: settings(th, { permission_profile: { type: 'unknown_variant_x' } }) }),
  ),
  thread('settings-active-profile-empty', 36, (t, th) =>
    turn(t, th, { settings: settings(th, { active_permission_profile: {} }) }),
  ),
  thread('settings-collaboration-mode-empty', 37, (t, th) =>
    turn(t, th, { settings: settings(th, { collaboration_mode: {} }) }),
  ),
  // ... and the shapes Codex reads (a rule must not refuse them).
  thread('context-profile-managed', 38, (t, th) =>
    turn(t, th, {
      context: context(t, {
        permission_profile: {
          type: 'managed',
          file_system: {
            type: 'restricted',
            entries: [{ path: { type: 'special', value: { kind: 'root' } }, access: 'read' }],
          },
          network: 'restricted',
        },
        active_permission_profile: { id: ':read-only', extends: null },
        file_system_sandbox_policy: {
          kind: 'restricted',
          entries: [{ path: { type: 'special', value: { kind: 'root' } }, access: 'read' }],
        },
        model: 'other-model',
      }),
    }),
  ),
  thread('context-profile-legacy', 39, (t, th) =>
    turn(t, th, {
      context: context(t, {
        permission_profile: { network: { enabled: true } },
        file_system_sandbox_policy: { kind: 'external-sandbox' },
        model: 'other-model',
      }),
    }),
  ),
  thread('context-profile-empty-external', 40, (t, th) =>
    turn(t, th, {
      context: context(t, { permission_profile: {}, model: 'other-model' }),
      settings: settings(th, { permission_profile: { type: 'external', network: 'enabled' } }),
    }),
  ),
  // RateLimitSnapshot: a window's `used_percent` and a credits snapshot's flags required.
  thread('tokens-rate-limit-window-without-percent', 41, (t, th) =>
    turn(t, th, {
      tokens: event({
        type: 'token_count',
        info: null,
        rate_limits: { limit_id: 'codex', primary: { window_minutes: 300 } },
      }),
    }),
  ),
  thread('tokens-rate-limit-credits-partial', 42, (t, th) =>
    turn(t, th, {
      tokens: event({ type: 'token_count', info: null, rate_limits: { credits: { has_credits: true } } }),
    }),
  ),
  thread('tokens-rate-limits-read', 43, (t, th) =>
    turn(t, th, {
      tokens: event({
        type: 'token_count',
        info: null,
        rate_limits: {
          limit_id: 'codex',
          primary: { used_percent: 12.5, window_minutes: 300, resets_at: 1795200000 },
          secondary: null,
          credits: { has_credits: false, unlimited: false, balance: null },
          plan_type: 'plus',
        },
      }),
    }),
  ),
  // GitInfo: its fields `Option`s of strings; a meta whose git Codex refuses is a thread it refuses
  // (our meta codec refuses it too; its file is found by its name, as Codex finds it).
  thread('meta-git-number-branch', 44, (t, th) => turn(t, th, {}), { git: { commit_hash: 'abc123', branch: 5 } }),
  thread('meta-git-read', 45, (t, th) => turn(t, th, {}), {
    git: { commit_hash: 'abc123', branch: 'main', repository_url: null },
  }),
  // GranularApprovalConfig: three of its flags required.
  thread('context-granular-partial', 46, (t, th) =>
    turn(t, th, {
      context: context(t, { approval_policy: { granular: { sandbox_approval: true } }, model: 'other-model' }),
    }),
  ),
  thread('settings-granular-partial', 47, (t, th) =>
    turn(t, th, { settings: settings(th, { approval_policy: { granular: { rules: true, mcp_elicitations: true } } }) }),
  ),
  thread('context-granular-read', 48, (t, th) =>
    turn(t, th, {
      context: context(t, {
        approval_policy: { granular: { sandbox_approval: true, rules: false, mcp_elicitations: false } },
        model: 'other-model',
      }),
    }),
  ),
  // A later meta whose history mode Codex does not know (rollout/src/recorder.rs `reject_unknown_thread_history_mode`).
  thread('second-meta-bad-history-mode', 49, (t, th) =>
    turn(t, th, { extra: { type: 'session_meta', payload: meta(th, 49, { history_mode: 'unknown_mode' }) } }),
  ),
  // No session_meta first (a response item, an event): as a refused meta, the state DB's row from the file name.
  { ...thread('no-meta-response-first', 50, (t, th) => turn(t, th, {})), noMeta: true },
  { ...thread('no-meta-event-first', 51, (t, th) => [started(t), ...turn(t, th, {}).slice(1)]), noMeta: true },
  // A first meta Codex refuses: every read refused, listed nowhere; "does not start with session metadata" (a response item first).
  thread('meta-null-timestamp', 17, (t, th) => turn(t, th, {}), { timestamp: null }),
  thread('meta-number-cwd', 18, (t, th) => turn(t, th, {}), { cwd: 0 }),
  thread('meta-bad-history-mode', 19, (t, th) => turn(t, th, {}), { history_mode: 'unknown_mode' }),
  thread('meta-history-mode-number', 23, (t, th) => turn(t, th, {}), { history_mode: 0 }),
  // serde reads an enum from a map of one key too (serde_json `Value::deserialize_enum`): the key is
  // the variant, its value a unit variant's (null). Fuzzer `--replay 1882756264:1012:0:1:2`.
  thread('meta-history-mode-map-unknown', 60, (t, th) => turn(t, th, {}), {
    history_mode: { type: 'unknown_variant_x' },
  }),
  thread('meta-history-mode-map-legacy', 61, (t, th) => turn(t, th, {}), { history_mode: { legacy: null } }),
  thread('meta-history-mode-map-paginated', 62, () => [], { history_mode: { paginated: null } }),
  thread('meta-history-mode-map-legacy-number', 63, (t, th) => turn(t, th, {}), { history_mode: { legacy: 1 } }),
  thread('meta-history-mode-map-legacy-string', 64, (t, th) => turn(t, th, {}), { history_mode: { legacy: 'x' } }),
  thread('meta-history-mode-map-unknown-null', 69, (t, th) => turn(t, th, {}), {
    history_mode: { unknown_mode: null },
  }),
  thread('meta-history-mode-map-empty', 65, (t, th) => turn(t, th, {}), { history_mode: {} }),
  thread('meta-history-mode-map-two', 66, (t, th) => turn(t, th, {}), {
    history_mode: { legacy: null, paginated: null },
  }),
  // A key the rows leave out (it is large) refused too.
  thread('meta-base-instructions-list', 22, (t, th) => turn(t, th, {}), { base_instructions: [] }),
  // A later meta Codex reads before any response item is the thread's (rollout/src/list.rs
  // `read_head_for_summary`): read and listed, whether our codec refuses the first meta or Codex's alone.
  thread(
    'meta-refused-later-meta-read',
    52,
    (t, th) => [{ type: 'session_meta', payload: meta(th, 52, { cwd: '/work/second' }) }, ...turn(t, th, {})],
    { cwd: 0 },
  ),
  thread(
    'meta-codex-refused-later-meta-read',
    53,
    (t, th) => [{ type: 'session_meta', payload: meta(th, 53, { cwd: '/work/second' }) }, ...turn(t, th, {})],
    {
      history_mode: 'unknown_mode',
    },
  ),
  // After a response item: every read refused, the state DB's row built from the later meta (rollout/src/metadata.rs `builder_from_items`).
  thread(
    'meta-refused-later-meta-after-items',
    54,
    (t, th) => [...turn(t, th, {}), { type: 'session_meta', payload: meta(th, 54, { cwd: '/work/second' }) }],
    {
      timestamp: null,
    },
  ),
  // A first meta our codec reads but Codex's serde refuses (its id no ThreadId, a session_id a
  // number): the thread is the file name's, as when our codec refuses it too (rollout/src/metadata.rs
  // `builder_from_items`); an id of 5,000 characters breaks no list (it is never a key).
  thread('meta-codex-refused-id', 55, (t, th) => turn(t, th, {}), { id: 'unknown_variant_x' }),
  thread('meta-codex-refused-long-id', 56, (t, th) => turn(t, th, {}), { id: 'x'.repeat(5000) }),
  // No line sets the state-DB row's cwd: an empty one, answered as Codex's working directory.
  thread('meta-codex-refused-no-cwd', 57, (t) => [started(t), ...user('turn 1'), ...agent('A1'), completed(t)], {
    session_id: 9007199254740992,
  }),
  // ... "is empty" (no session meta or response item Codex reads).
  {
    label: 'meta-refused-no-items',
    id: idOf(20),
    meta: meta(idOf(20), 20, { parent_thread_id: -1 }),
    lines: [started(turnIdOf(20)), completed(turnIdOf(20))],
  },
  // Ids of any length (the fuzzer's 5,000-character turn id): Codex keys nothing by them; our
  // index keys them by `keyText` (domain/index/keyText.ts), and the home's other threads list.
  thread('long-turn-id', 58, (t, th) => turn(`${t}-${'x'.repeat(5_000)}`, th, {})),
  thread('long-call-id', 59, (t, th) =>
    turn(t, th, {
      extra: event({
        type: 'mcp_tool_call_end',
        call_id: `call-${'y'.repeat(5_000)}`,
        invocation: { server: 'docs', tool: 'lookup', arguments: { q: 'x' } },
        duration: { secs: 0, nanos: 5_000_000 },
        result: { Ok: { content: [] } },
      }),
    }),
  ),
];

probeHomeSpec(
  `compat: lines Codex cannot decode (issue 69) (codex app-server ${compatCodexVersion()})`,
  'lines Codex cannot decode',
  THREADS,
  'UNDECODABLE_DUMP',
);
