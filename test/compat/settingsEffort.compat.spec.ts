// A thread's `reasoningEffort`, as Codex's state DB keeps it from each settings line (codex-rs
// state/src/extract.rs `apply_turn_context`: `reasoning_effort = turn_ctx.effort`; a thread settings
// line's `reasoning_effort` likewise): the line's own field, any name (`ReasoningEffort` keeps one it
// does not know), none when absent, never its collaboration mode's; an empty name fails the whole
// line wherever a `ReasoningEffort` sits. Our rule: domain/thread/threadMeta.ts `effortOf`,
// domain/rollout/kinds/turnContext.ts `isReasoningEffort`. Found by the fuzzer
// (`--replay 1108753327:248:0:2:1:1:3:2:5:6`: a turn context's effort `C:\Users\dev\project`).
import { compatCodexVersion } from './appServer.js';
import { context, event, settings, thread, turn, probeHomeSpec } from './legacyProbeHome.js';
import type { HomeThread } from './legacyProbeHome.js';

/** No thread settings line after the turn context: the context's effort is the thread's. */
const NO_SETTINGS = event({ type: 'agent_reasoning', text: 'no settings line' });
const mode = (effort: unknown): Record<string, unknown> => ({
  mode: 'default',
  settings: { model: 'mode-model', reasoning_effort: effort, developer_instructions: null },
});
const contextOnly = (label: string, n: number, extra: Record<string, unknown>): HomeThread =>
  thread(label, n, (t, th) => turn(t, th, { context: context(t, extra), settings: NO_SETTINGS }));
const withSettings = (label: string, n: number, extra: Record<string, unknown>): HomeThread =>
  thread(label, n, (t, th) => turn(t, th, { settings: settings(th, extra) }));

const THREADS: readonly HomeThread[] = [
  contextOnly('context-effort-unknown', 120, { effort: 'unknown_variant_x' }),
  contextOnly('context-effort-path', 121, { effort: 'C:\\Users\\dev\\project' }),
  contextOnly('context-effort-capitalised', 122, { effort: 'High' }),
  contextOnly('context-effort-known', 123, { effort: 'minimal' }),
  contextOnly('context-effort-empty', 124, { effort: '' }),
  contextOnly('context-no-effort-mode-custom', 125, { effort: undefined, collaboration_mode: mode('custom-x') }),
  contextOnly('context-no-effort-mode-known', 126, { effort: undefined, collaboration_mode: mode('medium') }),
  contextOnly('context-mode-effort-empty', 127, { collaboration_mode: mode('') }),
  withSettings('settings-effort-beside-mode', 128, {
    reasoning_effort: 'custom-y',
    collaboration_mode: mode('custom-z'),
  }),
  withSettings('settings-effort-known-beside-mode', 129, {
    reasoning_effort: 'medium',
    collaboration_mode: mode('low'),
  }),
  withSettings('settings-effort-empty', 130, { reasoning_effort: '', collaboration_mode: mode('') }),
  withSettings('settings-no-effort-mode-custom', 131, {
    reasoning_effort: undefined,
    collaboration_mode: mode('custom-w'),
  }),
  withSettings('settings-no-effort-mode-known', 132, {
    reasoning_effort: undefined,
    collaboration_mode: mode('medium'),
  }),
  thread('settings-effort-null-after-context', 133, (t, th) =>
    turn(t, th, {
      context: context(t, { effort: 'custom-v' }),
      settings: settings(th, { reasoning_effort: null, collaboration_mode: mode(null) }),
    }),
  ),
];

probeHomeSpec(
  `compat: a thread's reasoning effort from its settings lines (codex app-server ${compatCodexVersion()})`,
  'settings lines reasoning effort',
  THREADS,
  'SETTINGS_EFFORT_DUMP',
);
