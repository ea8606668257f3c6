import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import type { EngineError } from '../../../../domain/errors.js';
import type { Clock } from '../../../../domain/ports.js';
import type { QuarantineRecord } from '../../../../domain/rollout/rawLine.js';
import { acquireLock, lockPathFor, releaseLock } from '../../fs/lockFile.js';
import { scanLines } from '../lines/lineScanner.js';
import { errnoCode, toEngineError } from '../../fs/fsError.js';
import { followFile } from '../readers/followedFile.js';
import { confinementRoot, mkdirNoFollow, openNoFollow } from '../../fs/noFollow.js';
import { systemClock } from '../../system/clock.js';
import { writeFileAtomic } from '../../fs/writeFileAtomic.js';
import { parseJson } from '../../../../domain/jsonNesting.js';

/** quarantine.jsonl holds the raw bytes of lines that did not decode (conversation text): this user's alone. */
const QUARANTINE_MODE = 0o600;

/** Where quarantined lines go. Nothing is dropped silently: every record reaches a sink. */
export interface QuarantineSink {
  readonly record: (record: QuarantineRecord) => TE.TaskEither<EngineError, void>;
  /** Several records at once (one lock and one look at the file for all of them), in order. */
  readonly recordAll?: (records: ReadonlyArray<QuarantineRecord>) => TE.TaskEither<EngineError, void>;
}

/** The quarantine file of an index dir. */
export const QUARANTINE_FILE = 'quarantine.jsonl';
export const quarantineFileOf = (dir: string): string => nodePath.join(dir, QUARANTINE_FILE);

/** A record's line number as editors (and `sed -n Np`) count: from 1. Records keep the 0-based ordinal. */
export const lineNumberOf = (r: Pick<QuarantineRecord, 'ordinal'>): number => r.ordinal + 1;

/** One readable sentence for a record, stored next to it and usable in CLI output. */
export const renderQuarantineRecord = (r: QuarantineRecord): string =>
  `${r.path} line ${lineNumberOf(r)} (bytes ${r.byteOffset}..${r.byteOffset + r.byteLength}): ${r.reason}`;

/**
 * One line of `quarantine.jsonl` as it is read back (decoded like every byte that enters).
 * `lineNumber` is 1-based; files written before it carry the 0-based `ordinal` instead.
 */
export const QuarantineEntry = t.intersection([
  t.type({ path: t.string, byteOffset: t.number, byteLength: t.number, reason: t.string }),
  t.partial({ at: t.string, message: t.string, lineNumber: t.number, ordinal: t.number, text: t.string }),
]);
export type QuarantineEntry = t.TypeOf<typeof QuarantineEntry>;

/** An entry's 1-based line number (an older entry's 0-based ordinal + 1). */
export const entryLineNumber = (e: QuarantineEntry): number | undefined =>
  e.lineNumber ?? (e.ordinal === undefined ? undefined : e.ordinal + 1);

/** What makes two entries the same: the file and the byte range of the line. */
const keyOf = (r: { readonly path: string; readonly byteOffset: number; readonly byteLength: number }): string =>
  `${r.byteOffset}:${r.byteLength}:${r.path}`;

const entryOf = (r: QuarantineRecord, at: Date): Record<string, unknown> => ({
  at: at.toISOString(),
  message: renderQuarantineRecord(r),
  path: r.path,
  lineNumber: lineNumberOf(r),
  byteOffset: r.byteOffset,
  byteLength: r.byteLength,
  reason: r.reason,
  text: r.text,
});

const decodeEntry = (bytes: Buffer): QuarantineEntry | undefined => {
  let json: unknown;
  try {
    json = parseJson(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const d = QuarantineEntry.decode(json);
  return E.isRight(d) ? d.right : undefined;
};

/**
 * The decoded entries of a quarantine file from byte `from` (complete lines only), and where the
 * read stopped. Lines that do not decode are passed as `undefined` with their bytes.
 */
async function* readEntries(
  file: string,
  from = 0,
): AsyncGenerator<{ entry: QuarantineEntry | undefined; bytes: Buffer; end: number }, void, undefined> {
  const scan = scanLines(file, { ordinal: 0, byteOffset: from });
  let end = from;
  try {
    for (;;) {
      const r = await scan.next();
      if (r.done === true) return;
      for (const l of r.value) {
        if (l.torn) return;
        end = l.byteOffset + l.bytes.length + 1;
        yield { entry: decodeEntry(l.bytes), bytes: Buffer.from(l.bytes), end };
      }
    }
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || (err as { error?: EngineError }).error?._tag === 'NotFound') return;
    throw err;
  } finally {
    await scan.return({ ordinal: 0, byteOffset: end }).catch(() => undefined);
  }
}

/** Every decodable entry of a quarantine file whose path is one of `paths` (the file absent: none). */
export const readQuarantineEntries = (
  file: string,
  paths: ReadonlySet<string>,
): TE.TaskEither<EngineError, QuarantineEntry[]> =>
  TE.tryCatch(
    async () => {
      const out: QuarantineEntry[] = [];
      for await (const { entry } of readEntries(file))
        if (entry !== undefined && paths.has(entry.path)) out.push(entry);
      return out;
    },
    toEngineError(file, 'read quarantine'),
  );

/**
 * Rewrite a quarantine file written before entries were unique and numbered from 1: each file and
 * byte range once (the first entry kept), `lineNumber` for `ordinal`, lines that do not decode
 * kept as they are. Temp file + rename, under the caller's lock.
 */
const normalize = async (file: string, root: string): Promise<void> => {
  const seen = new Set<string>();
  await writeFileAtomic(
    file,
    async (fh) => {
      for await (const { entry, bytes } of readEntries(file)) {
        if (entry === undefined) {
          await fh.write(Buffer.concat([bytes, NL]));
          continue;
        }
        const key = keyOf(entry);
        if (seen.has(key)) continue;
        seen.add(key);
        const { ordinal: _ordinal, ...rest } = entry;
        const lineNumber = entryLineNumber(entry);
        const fixed =
          lineNumber === undefined
            ? rest
            : {
                ...rest,
                lineNumber,
                message: `${entry.path} line ${lineNumber} (bytes ${entry.byteOffset}..${entry.byteOffset + entry.byteLength}): ${entry.reason}`,
              };
        await fh.write(`${JSON.stringify(fixed)}\n`);
      }
    },
    { mode: QUARANTINE_MODE, root },
  );
};

const NL = Buffer.from('\n');

/**
 * Appends records as JSONL to `<dir>/quarantine.jsonl`, each file and byte range once: a line
 * found again (a catch-up after a crash, a rebuild, a repair, another process) is not written
 * again. Writers take `quarantine.jsonl.lock` (processes) and queue behind each other (this
 * process); under it the sink reads what others appended since it last looked (only the keys are
 * kept), then appends what is new, one O_APPEND write per record. A file from before entries were
 * unique and numbered from 1 is rewritten the first time it is read (see `normalize`). The
 * directory is created on first use. The full text is kept: the bytes may be gone from the source
 * afterwards (a truncated torn tail). `root`: the folder below which no link is followed on the
 * way to the file (`confinementRoot`: the home, for the index dir inside it).
 */
export const fileQuarantineSink = (
  dir: string,
  clock: Clock = { now: () => new Date() },
  root: string = dir,
): QuarantineSink => {
  const file = quarantineFileOf(dir);
  const known = new Set<string>();
  const followed = followFile(file);
  let queue: Promise<unknown> = Promise.resolve();

  /** Bring `known` up to the file as it is now; true when it ends without a newline (a torn write). */
  const look = async (): Promise<boolean> => {
    const unread = followed.unread();
    if (unread === null || unread.restarted) known.clear();
    if (unread === null || unread.from === unread.size) return false;
    const fromStart = unread.from === 0;
    let readTo = unread.from;
    let rewrite = false;
    for await (const { entry, end } of readEntries(file, unread.from)) {
      readTo = end;
      followed.readTo(end);
      if (entry === undefined) continue;
      const key = keyOf(entry);
      // Written before entries were unique and numbered from 1: rewritten once.
      if (known.has(key) || (entry.lineNumber === undefined && entry.ordinal !== undefined)) rewrite = fromStart;
      known.add(key);
    }
    if (rewrite) {
      await normalize(file, root);
      followed.at(undefined, 0);
      return look();
    }
    return readTo < unread.size;
  };

  const write = async (records: ReadonlyArray<QuarantineRecord>): Promise<void> => {
    // The index dir, the file and its lock: never through a link its folder's owner planted.
    await mkdirNoFollow(root, dir, 0o700);
    const lock = await acquireLock(lockPathFor(file));
    try {
      // Opened (and so created) before it is read: a link at its name is refused before anything is read through it.
      await (await openNoFollow(root, file, 'append', QUARANTINE_MODE)).close();
      let torn = await look();
      const fresh = records.filter((r) => {
        const key = keyOf(r);
        if (known.has(key)) return false;
        known.add(key);
        return true;
      });
      if (fresh.length === 0) return;
      // Opened again: `look` may have replaced the file (see `normalize`).
      const fh = await openNoFollow(root, file, 'append', QUARANTINE_MODE);
      try {
        // Whatever the umask, and whatever mode an older file had: it holds raw conversation text.
        await fh.chmod(QUARANTINE_MODE);
        const { ino } = await fh.stat();
        for (const r of fresh) {
          // A record cut short by a crash would glue itself to the next: start a new line first.
          const bytes = Buffer.from(`${torn ? '\n' : ''}${JSON.stringify(entryOf(r, clock.now()))}\n`, 'utf8');
          torn = false;
          // One write(2) on an O_APPEND fd (appendFile would split records over 512 KiB).
          let done = 0;
          while (done < bytes.length) done += (await fh.write(bytes, done, bytes.length - done)).bytesWritten;
        }
        followed.at(ino, (await fh.stat()).size);
      } finally {
        await fh.close();
      }
    } finally {
      await releaseLock(lock).catch(() => undefined);
    }
  };

  const recordAll = (records: ReadonlyArray<QuarantineRecord>): TE.TaskEither<EngineError, void> =>
    TE.tryCatch(
      () => {
        const next = queue.then(() => write(records));
        queue = next.catch(() => undefined);
        return next;
      },
      toEngineError(file, 'quarantine'),
    );
  return { record: (r) => recordAll([r]), recordAll };
};

/** The quarantine of a home's index dir: no link followed below the home (or below an index dir given outside it). */
export const homeQuarantineSink = (codexHome: string, indexDir: string): QuarantineSink =>
  fileQuarantineSink(indexDir, systemClock, confinementRoot(codexHome, indexDir));

/** In-memory sink for tests and dry runs: `records` grows as records arrive. */
export const collectingQuarantineSink = (): QuarantineSink & { readonly records: QuarantineRecord[] } => {
  const records: QuarantineRecord[] = [];
  return {
    records,
    record: (r) => async () => {
      records.push(r);
      return E.right(undefined);
    },
  };
};
