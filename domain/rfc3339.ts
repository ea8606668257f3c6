/**
 * RFC 3339 as chrono's `DateTime::parse_from_rfc3339` reads it (`T`, `t` or a space between date and
 * time; `Z`, `z` or an offset; any fraction), in Unix milliseconds; undefined if `text` is not one
 * (a day its month does not have included: chrono refuses it where `Date.parse` rolls it over).
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export const rfc3339Ms = (text: string): number | undefined => {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}${m[8]!.toUpperCase()}`);
  return Number.isNaN(ms) ? undefined : ms;
};

/**
 * A session meta's `timestamp` as Codex's state DB reads it (codex-rs `rollout/src/metadata.rs`
 * `parse_timestamp_to_utc`): the file name's form `YYYY-MM-DDThh-mm-ss` read as UTC, else RFC 3339;
 * undefined for anything else, and then Codex's backfill builds the thread's row from its file
 * name (`builder_from_items`).
 */
export const codexMetaTimestampMs = (text: string | null | undefined): number | undefined => {
  if (typeof text !== 'string') return undefined;
  const named = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})$/.exec(text);
  return named === null
    ? rfc3339Ms(text)
    : rfc3339Ms(`${named[1]}-${named[2]}-${named[3]}T${named[4]}:${named[5]}:${named[6]}Z`);
};
