/**
 * RFC 3339 as chrono's `DateTime::parse_from_rfc3339` reads it (`T`, `t` or a space between date and
 * time; `Z`, `z` or an offset; any fraction), in Unix milliseconds; undefined if `text` is not one.
 * Its fields' ranges are chrono's (format/parse.rs `parse_rfc3339`), not `Date.parse`'s, which rolls
 * them over: a day its month does not have, hour 24, minute 60 and an offset of 24 hours are
 * refused; second 60 is a leap second, read as the next minute's first. Measured on 0.169.0:
 * paginatedTimestamps.compat.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export const rfc3339Ms = (text: string): number | undefined => {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  if (m[8] === undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) return undefined;
  const d = new Date(0);
  // setUTCFullYear: Date.UTC reads years 0-99 as 1900-1999. A day its month does not have (month 0
  // or 13, February 29 of a common year) rolls over, and is refused by reading it back.
  d.setUTCFullYear(year, month - 1, day);
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  d.setUTCHours(hour, minute, second, Number(`${m[7] ?? ''}000`.slice(0, 3)));
  const offsetMinutes = m[8] === undefined ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  return d.getTime() - offsetMinutes * 60_000;
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
