import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument } from '../../../domain/errors.js';
import * as E from 'fp-ts/lib/Either.js';
import * as fs from 'node:fs';

/**
 * The names of UTC that Intl (ICU) reports as `UTC` when the process's zone is one of them (but
 * `TZ=GMT` from Node 22, which it names `+00:00`: the same zone): a server's or a container's usual
 * `/etc/localtime` → `…/zoneinfo/Etc/UTC`, or `TZ=UTC`.
 */
const UTC_NAMES: ReadonlySet<string> = new Set([
  'UTC',
  'Etc/UTC',
  'Etc/GMT',
  'GMT',
  'Etc/Universal',
  'Universal',
  'Etc/Zulu',
  'Zulu',
  'Etc/UCT',
  'UCT',
]);

/**
 * The process's IANA time zone (TZ, else the system's), as Intl names it. Asking Intl loads ICU's
 * zone data, a fifth of a warm `tokens` run's own time; a zone that is UTC by one of `UTC_NAMES`
 * (TZ, else the system's `/etc/localtime` linked into a zoneinfo folder) is answered without it,
 * and any other asks Intl.
 */
export const systemTimeZone = (): string => {
  const tz = process.env['TZ'];
  const name =
    tz !== undefined
      ? tz
      : (() => {
          try {
            return fs.readlinkSync('/etc/localtime').split('/zoneinfo/')[1];
          } catch {
            return undefined;
          }
        })();
  return name !== undefined && UTC_NAMES.has(name) ? 'UTC' : Intl.DateTimeFormat().resolvedOptions().timeZone;
};

/** Checks an IANA name by asking Intl to use it (`UTC` needs no asking). */
export const checkTimeZone = (tz: string): E.Either<EngineError, string> =>
  tz === 'UTC'
    ? E.right(tz)
    : E.tryCatch(
        () => {
          new Intl.DateTimeFormat('en-US', { timeZone: tz });
          return tz;
        },
        () => invalidArgument('--tz', `unknown time zone ${JSON.stringify(tz)}`),
      );

const partsIn = (tz: string) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });

/**
 * `YYYY-MM-DD` of an instant in `tz`. The formatter is made at the first call (a report grouped by
 * UTC day never asks); in UTC the day is the instant's ISO date, without Intl.
 */
export const localDayIn = (tz: string): ((iso: string) => string) => {
  let fmt: Intl.DateTimeFormat | undefined;
  const cache = new Map<string, string>();
  return (iso) => {
    if (tz === 'UTC') {
      // The same instant Intl would format (both parse with Date), printed as it prints years 1000-9999.
      const utc = new Date(iso).toISOString();
      if (/^[1-9]/.test(utc)) return utc.slice(0, 10);
    }
    // Responses of one quarter hour share a day (offsets are whole quarter hours): cache per quarter.
    const key = `${iso.slice(0, 13)}:${Math.floor(Number(iso.slice(14, 16)) / 15)}`;
    let day = cache.get(key);
    if (day === undefined) {
      fmt ??= new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
      day = fmt.format(new Date(iso));
      cache.set(key, day);
    }
    return day;
  };
};

/** The instant of a wall time read as UTC (years below 100 too, which Date.UTC would read as 19xx). */
const utcWall = (y: number, mo: number, d: number, h: number, mi: number, sec: number, ms: number): number => {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, sec, ms);
  return t.getTime();
};

/** Offset of `tz` from UTC at an instant, in ms. */
const offsetAt = (tz: string, ms: number): number => {
  const p = Object.fromEntries(
    partsIn(tz)
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  const asUtc = utcWall(
    Number(p['year']),
    Number(p['month']),
    Number(p['day']),
    Number(p['hour']),
    Number(p['minute']),
    Number(p['second']),
    0,
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
};

/** A date, a wall time and an optional zone, as `--since` / `--until` and the report's `since` / `until` take them. */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const daysInMonth = (year: number, month: number): number =>
  month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!;

/**
 * The one reading of a report's bounds (`tokens --since/--until`, `rolloutEngine/tokens/report`'s
 * `since` / `until`): an ISO instant with a zone (`2026-11-21T14:00:00Z`, `…+01:00`), or a date /
 * local date-time without one, read in `tz` (`2026-11-21` = that day's local midnight). A day,
 * month, hour, minute, second or offset out of its range is refused, never carried over
 * (`2026-13-45` was 2027-02-14).
 */
export const parseInstant = (flag: string, value: string, tz: string): E.Either<EngineError, number> => {
  const m = INSTANT.exec(value);
  if (!m)
    return E.left(
      invalidArgument(
        flag,
        `expected YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss] or an ISO instant, got ${JSON.stringify(value)}`,
      ),
    );
  const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const zone = m[8];
  const offset =
    zone === undefined || /^z$/i.test(zone)
      ? 0
      : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const wrong =
    mo < 1 || mo > 12
      ? `month ${mo}`
      : d < 1 || d > daysInMonth(y, mo)
        ? `day ${d} of a month of ${daysInMonth(y, mo)}`
        : h > 23
          ? `hour ${h}`
          : mi > 59
            ? `minute ${mi}`
            : sec > 59
              ? `second ${sec}`
              : zone !== undefined && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(-2)) > 59)
                ? `offset ${zone}`
                : undefined;
  if (wrong !== undefined) return E.left(invalidArgument(flag, `not a date: ${JSON.stringify(value)} (${wrong})`));
  const wall = utcWall(y, mo, d, h, mi, sec, ms);
  if (zone !== undefined) return E.right(wall - offset * 60_000);
  // Wall time → instant: subtract the offset in force then (twice, across a DST change).
  const first = wall - offsetAt(tz, wall);
  return E.right(wall - offsetAt(tz, first));
};
