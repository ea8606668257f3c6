import * as t from 'io-ts';
import { optional } from './common.js';

export const TurnContextPayload = t.partial({
  turn_id: optional(t.string),
  root_turn_id: optional(t.string),
  cwd: optional(t.string),
  model: optional(t.string),
  effort: optional(t.string),
  approval_policy: t.unknown,
  sandbox_policy: t.unknown,
  collaboration_mode: t.unknown,
  summary: t.unknown,
});
export type TurnContextPayload = t.TypeOf<typeof TurnContextPayload>;

/** `SandboxPolicy`'s variants, tagged by `type` (codex-rs `protocol/src/protocol.rs`, `#[serde(tag = "type", rename_all = "kebab-case")]`). */
const SANDBOX_POLICY_TYPES: ReadonlySet<string> = new Set(['danger-full-access', 'read-only', 'external-sandbox', 'workspace-write']);

/**
 * Whether Codex 0.169 reads this turn context at all. Its `TurnContextItem` (codex-rs
 * `protocol/src/protocol.rs`) tags `sandbox_policy` by `type`: the turn contexts Codex 0.34–0.50
 * wrote, tagged by `mode` (`{"mode":"danger-full-access"}`), fail to decode, so Codex takes no
 * model or effort from them and does not count the line (measured: 0.169.0 answers `model: null`
 * for threads 0.40.0 and 0.50.0 wrote). Every Codex since 0.32 wrote the struct's other required
 * fields (`cwd`, `approval_policy`, `model`, `summary`); a line without them is hand-made, and is
 * read as it says.
 */
export const codexReadsTurnContext = (p: TurnContextPayload): boolean => {
  const sandbox = p.sandbox_policy as { type?: unknown } | null | undefined;
  if (sandbox === undefined) return true;
  return typeof sandbox === 'object' && sandbox !== null && typeof sandbox.type === 'string' && SANDBOX_POLICY_TYPES.has(sandbox.type);
};
