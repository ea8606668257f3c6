import { serdeUnexpected } from '../serdeUnexpected.js';
import { serdeUnitMapName } from '../serdeUnitEnum.js';

/**
 * How a rollout records its history (`session_meta.history_mode`): `legacy` files hold every
 * line of the thread; `paginated` files number their lines (`ordinal`) and may continue a base
 * file through `history_base` (forks, revisions).
 */
export type HistoryMode = 'legacy' | 'paginated';

const MODES: readonly HistoryMode[] = ['legacy', 'paginated'];
const isMode = (v: unknown): v is HistoryMode => MODES.includes(v as HistoryMode);

/**
 * serde's reading of `ThreadHistoryMode` (protocol.rs, unit variants, snake_case): a variant's
 * name, or a map of one key, the name, whose value is a unit variant's `null` (serde_json
 * `Value::deserialize_enum`). Measured on 0.169.0: `{"paginated": null}` is read as `paginated`
 * (undecodableLines.compat).
 */
export const historyModeOf = (v: unknown): HistoryMode | undefined => {
  const name = typeof v === 'string' ? v : serdeUnitMapName(v);
  return isMode(name) ? name : undefined;
};

/** A meta's mode as the fold reads it: `legacy` unless serde reads `paginated`. */
export const foldedHistoryMode = (v: unknown): HistoryMode =>
  historyModeOf(v) === 'paginated' ? 'paginated' : 'legacy';

const unknownVariant = (name: string): string => `unknown variant \`${name}\`, expected \`legacy\` or \`paginated\``;

/** Why serde refuses a present `history_mode`, in its words (measured on 0.169.0: undecodableLines.compat). */
const serdeRefusal = (v: unknown): string | undefined => {
  if (typeof v === 'string') return isMode(v) ? undefined : unknownVariant(v);
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return `invalid type: ${serdeUnexpected(v, 'opaque')}, expected string or map`;
  const entries = Object.entries(v);
  if (entries.length !== 1) return 'invalid value: map, expected map with a single key';
  // The key names the variant first; a known one's value must be a unit's.
  const [name, value] = entries[0]!;
  if (!isMode(name)) return unknownVariant(name);
  return value === null ? undefined : `invalid type: ${serdeUnexpected(value, 'opaque')}, expected unit`;
};

/**
 * Why Codex refuses a thread's first meta by its `history_mode` alone, in its words after
 * `failed to read session metadata <path>: `; undefined for a mode it reads (or none). Codex asks
 * it of the line's JSON before it decodes the meta (codex-rs rollout/src/recorder.rs
 * `reject_unknown_thread_history_mode`, `serde_json::from_value::<ThreadHistoryMode>`), and before
 * it looks for a meta it reads (measured on 0.169.0: a later meta it reads does not make it read
 * the thread: undecodableLines.compat).
 */
export const historyModeRefusal = (mode: unknown): string | undefined => {
  if (mode === undefined) return undefined;
  const refusal = serdeRefusal(mode);
  return refusal === undefined ? undefined : `invalid session metadata history_mode: ${refusal}`;
};
