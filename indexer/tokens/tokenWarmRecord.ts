import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { HomeTokenSums, TokenSums } from '../../domain/tokens/reportSums.js';
import type { UsageBucket } from '../../domain/tokens/report.js';
import { lstatShows } from '../../adapters/driven/jsonl/home/fileTimes.js';
import { folderTimes } from '../../adapters/driven/jsonl/home/fileTimes.js';
import { openToReadSync } from '../../adapters/driven/fs/heldRead.js';
import { readSpan } from '../../adapters/driven/jsonl/readers/readRange.js';
import { readWriteMark } from '../../adapters/driven/lmdb/writeMark.js';
import { lmdbDirOf } from '../../adapters/driven/lmdb/environmentFolder.js';
import { SCHEMA_VERSION } from '../../adapters/driven/lmdb/schema.js';
import { parseJson } from '../../domain/jsonNesting.js';
import { jsonTextPieces } from '../../domain/jsonTextPieces.js';

/**
 * A warm token report without a catch-up (issue 56): the index dir keeps, beside the index, the
 * home's token sums (domain/tokens/reportSums.ts) with what shows the index is still current with
 * the home: the index's write mark then, every folder discovery listed with its times before the
 * listing, and every rollout file with the size, mtime and ctime its checkpoint holds. A report
 * reads it, `lstat`s those folders and files, and reads the index's write mark; all as recorded,
 * it answers from the sums without opening the index, reading a checkpoint or listing a folder.
 *
 * Why that is sound (`tokenSumsIfWarm`):
 * - The index: any commit changes its write mark (adapters/driven/lmdb/writeMark.ts), a rebuild its file.
 *   The record was written only while the mark was the one the sums were read at and the
 *   catch-up's checkpoints described every file (writeTokenWarmRecord.ts).
 * - A file written since (appended, truncated, rewritten, replaced by a rename): its ctime moves,
 *   which nothing can set back, and its size too when it grew — the one `lstat` a warm catch-up
 *   already trusts (adapters/driven/jsonl/readers/probe.ts `statOnlyProbe`); a file deleted fails its `lstat`.
 * - A file added: an entry added to a folder (created, renamed or linked in) changes the folder's
 *   mtime, and each folder's times were taken before it was listed, so an entry listed after them
 *   moved them; a new folder is an entry of a listed one. A folder that changed less than a racy
 *   interval before its times were taken (coarse file-system clocks: `racyMsOf`) is not recorded.
 *   A root that was missing must still be; a folder listed through a link is never recorded.
 * The record is a cache: anything else (no record, another engine's, one that does not decode,
 * any mismatch) is the usual catch-up.
 */

/** The record's file in the index dir. */
export const TOKEN_WARM_RECORD = 'token-sums.json';

/** Bumped when the record's shape or the sums' meaning changes (an older record is then ignored). */
export const TOKEN_WARM_RECORD_VERSION = 1;

/** Numbers a sum takes in `entries`: thread, model, provider, cwd (indexes into `strings`, -1: none), timed (0/1), first, last ms, the six counts, responses. */
const ENTRY_WIDTH = 14;

/**
 * Arrays of numbers and of strings decoded in one loop each: io-ts's `t.array` makes a context per
 * element, and a large home's record holds enough numbers for that to be much of a warm report's time.
 */
const numbers = new t.Type<ReadonlyArray<number>, ReadonlyArray<number>, unknown>(
  'numbers',
  (u): u is ReadonlyArray<number> => Array.isArray(u) && u.every((x) => typeof x === 'number'),
  (u, c) =>
    Array.isArray(u) && u.every((x) => typeof x === 'number') ? t.success(u as ReadonlyArray<number>) : t.failure(u, c),
  t.identity,
);
const strings = new t.Type<ReadonlyArray<string>, ReadonlyArray<string>, unknown>(
  'strings',
  (u): u is ReadonlyArray<string> => Array.isArray(u) && u.every((x) => typeof x === 'string'),
  (u, c) =>
    Array.isArray(u) && u.every((x) => typeof x === 'string') ? t.success(u as ReadonlyArray<string>) : t.failure(u, c),
  t.identity,
);

/** A list of sums: `ENTRY_WIDTH` numbers each, their strings indexes into `strings`. */
const SumsCodec = t.type({ strings, entries: numbers });
type EncodedSums = t.TypeOf<typeof SumsCodec>;

/** The record's first line: what shows it current, and the sums across threads (all most reports read). */
export const TokenWarmRecordCodec = t.type({
  version: t.number,
  schemaVersion: t.number,
  codexHome: t.string,
  writeMark: t.string,
  /** Folders listed, each with its mtime and ctime in `folderTimes` (two numbers a folder). */
  folders: strings,
  folderTimes: numbers,
  /** Roots that were missing (they must still be). */
  missing: strings,
  /** Files: a name each, and in `fileStats` four numbers: its folder (an index into `folders`), size, mtime, ctime. */
  fileNames: strings,
  fileStats: numbers,
  /** `TokenSums.bySlotAndModel` (thread: -1). */
  bySlotAndModel: SumsCodec,
  duplicateRecords: t.number,
  copiedCounts: t.number,
  badTimestamp: t.number,
  tokensOutOfRange: t.number,
});
export type TokenWarmRecord = t.TypeOf<typeof TokenWarmRecordCodec>;

/**
 * The record's second line, parsed only by a report grouped by thread, client, provider or cwd:
 * the sums per thread and across threads, and the threads' clients (pairs of indexes into the
 * sums' strings, -1: none).
 */
const ThreadSumsCodec = t.type({ sums: SumsCodec, acrossThreads: SumsCodec, clients: numbers });
type ThreadSums = t.TypeOf<typeof ThreadSumsCodec>;

/** A list of sums as a record holds it (strings once each). */
const encodeList = (
  list: ReadonlyArray<UsageBucket>,
  strings: string[] = [],
): EncodedSums & { readonly at: (s: string | null) => number } => {
  const index = new Map<string, number>(strings.map((s, i) => [s, i]));
  const at = (s: string | null): number => {
    if (s === null) return -1;
    let i = index.get(s);
    if (i === undefined) index.set(s, (i = strings.push(s) - 1));
    return i;
  };
  // Sized once: pushed, a large home's list was copied at each growth.
  const entries = new Array<number>(list.length * ENTRY_WIDTH);
  let k = 0;
  for (const e of list) {
    const u = e.usage;
    entries[k++] = e.threadId === '' ? -1 : at(e.threadId);
    entries[k++] = at(e.model);
    entries[k++] = at(e.provider);
    entries[k++] = at(e.cwd);
    entries[k++] = e.firstMs === null ? 0 : 1;
    entries[k++] = e.firstMs ?? 0;
    entries[k++] = e.lastMs ?? 0;
    entries[k++] = u.inputTokens;
    entries[k++] = u.cachedInputTokens;
    entries[k++] = u.cacheWriteInputTokens;
    entries[k++] = u.outputTokens;
    entries[k++] = u.reasoningOutputTokens;
    entries[k++] = u.totalTokens;
    entries[k++] = e.responses;
  }
  return { strings, entries, at };
};

/**
 * The record's text, its two lines, in pieces (`jsonTextPieces`): a large home's record made whole
 * (as text, then as the bytes written) was a first report's peak.
 */
export function* recordPieces(
  head: Omit<
    TokenWarmRecord,
    'bySlotAndModel' | 'duplicateRecords' | 'copiedCounts' | 'badTimestamp' | 'tokensOutOfRange'
  >,
  { sums, clients }: HomeTokenSums,
): Generator<string> {
  const bySlot = encodeList(sums.bySlotAndModel);
  const first: TokenWarmRecord = {
    ...head,
    bySlotAndModel: { strings: bySlot.strings, entries: bySlot.entries },
    duplicateRecords: sums.duplicateRecords,
    copiedCounts: sums.copiedCounts,
    badTimestamp: sums.skippedRecords.badTimestamp,
    tokensOutOfRange: sums.skippedRecords.tokensOutOfRange,
  };
  yield* jsonTextPieces(first);
  yield '\n';
  const perThread = encodeList(sums.entries);
  const across = encodeList(sums.acrossThreads);
  const pairs: number[] = [];
  for (const th of new Set(sums.entries.map((e) => e.threadId)))
    pairs.push(perThread.at(th), perThread.at(clients.get(th) ?? null));
  const second: ThreadSums = {
    sums: { strings: perThread.strings, entries: perThread.entries },
    acrossThreads: { strings: across.strings, entries: across.entries },
    clients: pairs,
  };
  yield* jsonTextPieces(second);
  yield '\n';
}

/** A string of a list: null for -1, undefined for an index that points nowhere (a record not of this engine). */
const stringOf =
  (strings: ReadonlyArray<string>) =>
  (i: number): string | null | undefined =>
    i === -1 ? null : Number.isInteger(i) && i >= 0 && i < strings.length ? strings[i] : undefined;

/** A list's sums; undefined when one of its strings points nowhere, or a thread is missing where one must be (or present where none may). */
const decodeList = ({ strings, entries: x }: EncodedSums, threadless: boolean): UsageBucket[] | undefined => {
  const str = stringOf(strings);
  if (x.length % ENTRY_WIDTH !== 0) return undefined;
  const out: UsageBucket[] = [];
  for (let k = 0; k < x.length; k += ENTRY_WIDTH) {
    const threadId = threadless ? (x[k] === -1 ? '' : undefined) : str(x[k]!);
    const model = str(x[k + 1]!);
    const provider = str(x[k + 2]!);
    const cwd = str(x[k + 3]!);
    if (threadId == null || model === undefined || provider === undefined || cwd === undefined) return undefined;
    const timed = x[k + 4] === 1;
    out.push({
      threadId,
      model,
      provider,
      cwd,
      firstMs: timed ? x[k + 5]! : null,
      lastMs: timed ? x[k + 6]! : null,
      usage: {
        inputTokens: x[k + 7]!,
        cachedInputTokens: x[k + 8]!,
        cacheWriteInputTokens: x[k + 9]!,
        outputTokens: x[k + 10]!,
        reasoningOutputTokens: x[k + 11]!,
        totalTokens: x[k + 12]!,
      },
      responses: x[k + 13]!,
    });
  }
  return out;
};

/** The record's second line decoded: the sums per thread and the threads' clients; throws when it does not decode (the caller reports as if there were no record). */
const threadSumsOf = (
  line: string,
): {
  readonly entries: UsageBucket[];
  readonly acrossThreads: UsageBucket[];
  readonly clients: Map<string, string | null>;
} => {
  const fail = (): never => {
    throw new Error(`${TOKEN_WARM_RECORD}: its sums per thread do not decode`);
  };
  let json: unknown;
  try {
    json = parseJson(line);
  } catch {
    return fail();
  }
  const d = E.getOrElseW(fail)(ThreadSumsCodec.decode(json));
  const entries = decodeList(d.sums, false) ?? fail();
  const acrossThreads = decodeList(d.acrossThreads, true) ?? fail();
  const str = stringOf(d.sums.strings);
  const c = d.clients;
  if (c.length % 2 !== 0) return fail();
  const clients = new Map<string, string | null>();
  for (let k = 0; k < c.length; k += 2) {
    const th = str(c[k]!);
    const client = str(c[k + 1]!);
    if (th == null || client === undefined) return fail();
    clients.set(th, client);
  }
  return { entries, acrossThreads, clients };
};

/** Bytes read at a time looking for the end of the record's first line. */
const FIRST_LINE_READ = 1024 * 1024;

/** The record's first line, and where the rest starts (-1: no rest) in the file `stat` describes. */
interface FirstLine {
  readonly text: string;
  readonly restAt: number;
  readonly stat: fs.Stats;
}

/**
 * The record's first line (the home as recorded, the sums by slot and model), read alone: the
 * second, the sums per thread, is read only when a report asks for them (`restOf`), so a report by
 * time or model never holds it (half of a 100,000-file home's record).
 */
const firstLineOf = (indexDir: string, path: string): FirstLine => {
  const fd = openToReadSync(path, indexDir);
  try {
    const stat = fs.fstatSync(fd);
    const pieces: Buffer[] = [];
    for (let at = 0; ;) {
      const b = Buffer.allocUnsafe(FIRST_LINE_READ);
      const n = fs.readSync(fd, b, 0, b.length, at);
      const end = b.subarray(0, n).indexOf(0x0a);
      pieces.push(b.subarray(0, end < 0 ? n : end));
      if (end >= 0 || n === 0)
        return { text: Buffer.concat(pieces).toString('utf8'), restAt: end >= 0 ? at + end + 1 : -1, stat };
      at += n;
    }
  } finally {
    fs.closeSync(fd);
  }
};

/**
 * The record's first line parsed, and where the rest starts in the file `stat` describes;
 * undefined when it cannot be read or is no JSON. A function of its own: the line's text is gone
 * before the home is checked against it.
 */
const recordHead = (
  indexDir: string,
  path: string,
): { readonly json: unknown; readonly restAt: number; readonly stat: fs.Stats } | undefined => {
  try {
    const first = firstLineOf(indexDir, path);
    return { json: parseJson(first.text), restAt: first.restAt, stat: first.stat };
  } catch {
    return undefined;
  }
};

/**
 * The record's text from `restAt`, read when the file is still the one its first line was read
 * from (`stat`); a record replaced since throws, as one that does not decode does (the caller
 * reports as if there were no record).
 */
const restOf = (indexDir: string, path: string, restAt: number, stat: fs.Stats): string => {
  if (restAt < 0) return '';
  const fd = openToReadSync(path, indexDir);
  try {
    const now = fs.fstatSync(fd);
    if (now.dev !== stat.dev || now.ino !== stat.ino || now.size !== stat.size || now.mtimeMs !== stat.mtimeMs)
      throw new Error(`${TOKEN_WARM_RECORD}: replaced since its first line was read`);
    return readSpan(fd, path, restAt, now.size).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
};

/** Whether every folder and file of the record is as it was (see the soundness argument above). */
const homeAsRecorded = (r: TokenWarmRecord): boolean => {
  if (r.folderTimes.length !== 2 * r.folders.length || r.fileStats.length !== 4 * r.fileNames.length) return false;
  for (const dir of r.missing) if (folderTimes(dir) !== 'missing') return false;
  for (let i = 0; i < r.folders.length; i++) {
    const now = folderTimes(r.folders[i]!);
    if (typeof now !== 'object' || now.mtimeMs !== r.folderTimes[2 * i] || now.ctimeMs !== r.folderTimes[2 * i + 1])
      return false;
  }
  const st = r.fileStats;
  for (let i = 0; i < r.fileNames.length; i++) {
    const dir = r.folders[st[4 * i]!];
    if (
      dir === undefined ||
      lstatShows(`${dir}${nodePath.sep}${r.fileNames[i]!}`, {
        size: st[4 * i + 1]!,
        mtimeMs: st[4 * i + 2]!,
        ctimeMs: st[4 * i + 3]!,
      }) === undefined
    )
      return false;
  }
  return true;
};

/**
 * The home's token sums and its files' count when the index dir's record shows the index current
 * with the home (see above); undefined otherwise (the caller catches up and reports as before).
 * The sums per thread and the clients are decoded when first read; one that does not decode then
 * throws (the caller reports as if there were no record).
 */
export const tokenSumsIfWarm = async (
  codexHome: string,
  indexDir: string,
): Promise<
  | { readonly sums: TokenSums; readonly clientOf: (threadId: string) => string | null; readonly files: number }
  | undefined
> => {
  const path = nodePath.join(indexDir, TOKEN_WARM_RECORD);
  if (!fs.existsSync(path)) return undefined;
  const head = recordHead(indexDir, path);
  if (head === undefined) return undefined;
  const decoded = TokenWarmRecordCodec.decode(head.json);
  if (E.isLeft(decoded)) return undefined;
  const r = decoded.right;
  if (r.version !== TOKEN_WARM_RECORD_VERSION || r.schemaVersion !== SCHEMA_VERSION || r.codexHome !== codexHome)
    return undefined;
  if (!homeAsRecorded(r)) return undefined;
  if (readWriteMark(lmdbDirOf(indexDir)) !== r.writeMark) return undefined;
  const bySlotAndModel = decodeList(r.bySlotAndModel, true);
  if (bySlotAndModel === undefined) return undefined;
  let perThread: ReturnType<typeof threadSumsOf> | undefined;
  const { restAt, stat } = head;
  const threads = () => (perThread ??= threadSumsOf(restOf(indexDir, path, restAt, stat)));
  const sums: TokenSums = {
    get entries() {
      return threads().entries;
    },
    get acrossThreads() {
      return threads().acrossThreads;
    },
    bySlotAndModel,
    duplicateRecords: r.duplicateRecords,
    copiedCounts: r.copiedCounts,
    skippedRecords: { badTimestamp: r.badTimestamp, tokensOutOfRange: r.tokensOutOfRange },
  };
  return { sums, clientOf: (threadId) => threads().clients.get(threadId) ?? null, files: r.fileNames.length };
};
