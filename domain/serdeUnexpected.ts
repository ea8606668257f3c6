/**
 * A value as serde's `Unexpected` words it in Codex's refusals ("invalid type: <this>, expected …").
 * Read from JSON text (a request's params), a number is shown with its value (`integer \`1\``);
 * read from a parsed `serde_json::Value` (a rollout meta's `history_mode`, codex-rs
 * rollout/src/recorder.rs `reject_unknown_thread_history_mode`), Codex's serde_json shows only
 * `number` (measured on 0.169.0: undecodableLines.compat).
 */
export const serdeUnexpected = (v: unknown, numbers: 'valued' | 'opaque'): string => {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return `boolean \`${v}\``;
  if (typeof v === 'number')
    return numbers === 'opaque' ? 'number' : Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``;
  return Array.isArray(v) ? 'sequence' : 'map';
};
