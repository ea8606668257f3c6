import * as t from 'io-ts';
import { optional } from './common.js';
import { serdeUnitMapName } from '../../serdeUnitEnum.js';

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
const SANDBOX_POLICY_TYPES: ReadonlySet<string> = new Set([
  'danger-full-access',
  'read-only',
  'external-sandbox',
  'workspace-write',
]);

/**
 * Whether a path Codex reads as an `AbsolutePathBuf` with no base (codex-rs `utils/absolute-path`:
 * no `AbsolutePathBufGuard` is held while a rollout's items are read) decodes: only a path absolute
 * on the host does (a POSIX host: a leading `/`; `~` is not expanded without a base).
 */
export const codexReadsPathWithoutBase = (v: unknown): boolean => typeof v === 'string' && v.startsWith('/');

/**
 * Whether Codex 0.169 reads a `thread_settings_applied` line's settings: their `cwd` and
 * `runtime_workspace_roots` are `AbsolutePathBuf`s read without a base, so a relative one makes the
 * line undecodable: it sets no model or effort and takes no place in implicit turn numbers
 * (measured: `rel/x` as either, foldRules.compat.spec.ts). Nor does one without its
 * `model_provider_id`, a `String` of Codex's `ThreadSettingsSnapshot` with no default (extract.rs
 * assigns it to the DB's provider; measured: a settings line without it sets no model,
 * metaRules.compat.spec.ts).
 */
export const codexReadsThreadSettings = (settings: unknown): boolean => {
  if (typeof settings !== 'object' || settings === null) return true;
  const {
    cwd,
    runtime_workspace_roots: roots,
    model_provider_id: provider,
  } = settings as { cwd?: unknown; runtime_workspace_roots?: unknown; model_provider_id?: unknown };
  if (typeof provider !== 'string') return false;
  if (cwd !== undefined && !codexReadsPathWithoutBase(cwd)) return false;
  return roots === undefined || (Array.isArray(roots) && roots.every(codexReadsPathWithoutBase));
};

/** `ModeKind`'s names and the aliases it reads as `default` (codex-rs `protocol/src/config_types.rs`). */
const MODE_KINDS: ReadonlySet<string> = new Set(['plan', 'default', 'code', 'pair_programming', 'execute', 'custom']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** An `Option<String>`: absent, null or a string. */
const optionalString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';
/**
 * Codex's `ReasoningEffort` (codex-rs protocol `openai_models.rs`) reads any name but the empty one,
 * and keeps it (measured on 0.169.0 and 0.171.0: `effort: "unknown_variant_x"` answers it; `""` in a
 * turn context's `effort` or its collaboration mode's settings, or a thread settings line's
 * `reasoning_effort`, fails the line: settingsEffort.compat).
 */
export const isReasoningEffort = (v: unknown): v is string => typeof v === 'string' && v !== '';
const optionalEffort = (v: unknown): boolean => v === undefined || v === null || isReasoningEffort(v);

/**
 * Whether a `collaboration_mode` decodes as Codex's `Option<CollaborationMode>` (codex-rs
 * `protocol/src/config_types.rs`: `mode` a `ModeKind`, `settings` required, its `model` a string).
 * 0.89 wrote it flat, `{"mode":"custom"}`, without `settings`: such a turn context does not decode.
 */
export const codexReadsCollaborationMode = (v: unknown): boolean => {
  if (v === undefined || v === null) return true;
  if (!isObject(v)) return false;
  // Its `mode` a name, or serde's map form of one (measured: serdeEnumMaps.compat).
  const mode = typeof v['mode'] === 'string' ? v['mode'] : serdeUnitMapName(v['mode']);
  if (mode === undefined || !MODE_KINDS.has(mode)) return false;
  const settings = v['settings'];
  return (
    isObject(settings) &&
    typeof settings['model'] === 'string' &&
    optionalEffort(settings['reasoning_effort']) &&
    optionalString(settings['developer_instructions'])
  );
};

/**
 * Whether Codex 0.169 reads this turn context at all; one it cannot read sets no model or effort
 * and takes no place in implicit turn numbers. Its `TurnContextItem` (codex-rs
 * `protocol/src/protocol.rs`):
 * - tags `sandbox_policy` by `type`: the turn contexts Codex 0.34–0.50 wrote, tagged by `mode`
 *   (`{"mode":"danger-full-access"}`), fail to decode (measured: 0.169.0 answers `model: null` for
 *   threads 0.40.0 and 0.50.0 wrote);
 * - takes `cwd` as an absolute path with no base to resolve a relative one against
 *   (codex-rs `utils/absolute-path` `AbsolutePathBuf`: no `AbsolutePathBufGuard` is held while the
 *   rollout's items are read), so a cwd that is not absolute on the host fails: on Linux `D:\proj`,
 *   `\\server\share\x`, `proj/x` and `~/code` alike (measured: foldRules.compat.spec.ts);
 * - likewise a `workspace-write` sandbox's `writable_roots` (measured: `rel/dir` fails);
 * - reads `collaboration_mode` as above (`codexReadsCollaborationMode`).
 * Every Codex since 0.32 wrote the struct's other required fields (`cwd`, `approval_policy`,
 * `model`, `summary`); a line without them is hand-made, and is read as it says.
 */
export const codexReadsTurnContext = (p: TurnContextPayload): boolean => {
  if (typeof p.cwd === 'string' && !codexReadsPathWithoutBase(p.cwd)) return false;
  if (!codexReadsCollaborationMode(p.collaboration_mode)) return false;
  const sandbox = p.sandbox_policy as { type?: unknown; writable_roots?: unknown } | null | undefined;
  // `Option<SandboxPolicy>`: absent or null is none (measured on 0.169.0: editMatrix).
  if (sandbox === undefined || sandbox === null) return true;
  if (
    typeof sandbox !== 'object' ||
    sandbox === null ||
    typeof sandbox.type !== 'string' ||
    !SANDBOX_POLICY_TYPES.has(sandbox.type)
  )
    return false;
  // `WorkspaceWrite.writable_roots` are `AbsolutePathBuf`s too, read without a base.
  const roots = sandbox.writable_roots;
  return roots === undefined || (Array.isArray(roots) && roots.every(codexReadsPathWithoutBase));
};
