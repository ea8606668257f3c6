import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { HomeTokenSums, TokenSums } from '../domain/tokens/reportSums.js';
import type { UsageBucket } from '../domain/tokens/report.js';
import { lstatShows } from '../adapters/jsonl/probe.js';
import { folderTimes } from '../adapters/jsonl/discover.js';
import { readTextNoFollow } from '../adapters/fs/noFollow.js';
import { readWriteMark } from '../adapters/lmdb/writeMark.js';
import { lmdbDirOf } from '../adapters/lmdb/environmentFolder.js';
import { SCHEMA_VERSION } from '../adapters/lmdb/schema.js';

/**
 * A warm token report without a catch-up (issue 56): the index dir keeps, beside the index, the
 * home's token sums (domain/tokens/reportSums.ts) with what shows the index is still current with
 * the home: the index's write mark then, every folder discovery listed with its times before the
 * listing, and every rollout file with the size, mtime and ctime its checkpoint holds. A report
 * reads it, `lstat`s those folders and files, and reads the index's write mark; all as recorded,
 * it answers from the sums without opening the index, reading a checkpoint or listing a folder.
 *
 * Why that is sound (`tokenSumsIfWarm`):
 * - The index: any commit changes its write mark (adapters/lmdb/writeMark.ts), a rebuild its file.
 *   The record was written only while the mark was the one the sums were read at and the
 *   catch-up's checkpoints described every file (writeTokenWarmRecord.ts).
 * - A file written since (appended, truncated, rewritten, replaced by a rename): its ctime moves,
 *   which nothing can set back, and its size too when it grew — the one `lstat` a warm catch-up
 *   already trusts (adapters/jsonl/probe.ts `statOnlyProbe`); a file deleted fails its `lstat`.
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
 * element, and a record of a 1 GB home holds ~150,000 numbers (30 ms of a warm report's ~100).
 */
const numbers = new t.Type<ReadonlyArray<number>, ReadonlyArray<number>, unknown>(
  'numbers',
  (u): u is ReadonlyArray<number> => Array.isArray(u) && u.every((x) => typeof x === 'number'),
  (u, c) => (Array.isArray(u) && u.every((x) => typeof x === 'number') ? t.success(u as ReadonlyArray<number>) : t.failure(u, c)),
  t.identity,
);
const strings = new t.Type<ReadonlyArray<string>, ReadonlyArray<string>, unknown>(
  'strings',
  (u): u is ReadonlyArray<string> => Array.isArray(u) && u.every((x) => typeof x === 'string'),
  (u, c) => (Array.isArray(u) && u.every((x) => typeof x === 'string') ? t.success(u as ReadonlyArray<string>) : t.failure(u, c)),
  t.identity,
);

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
  strings,
  entries: numbers,
  /** `TokenSums.acrossThreads`, as `entries` (thread: -1). */
  acrossThreads: numbers,
  /** Pairs: thread, client (indexes into `strings`, -1: none). */
  clients: numbers,
  duplicateRecords: t.number,
  copiedCounts: t.number,
  badTimestamp: t.number,
  tokensOutOfRange: t.number,
});
export type TokenWarmRecord = t.TypeOf<typeof TokenWarmRecordCodec>;

/** The sums as a record holds them (strings once each). */
export const encodeSums = (
  sums: TokenSums,
  clients: ReadonlyMap<string, string | null>,
): Pick<TokenWarmRecord, 'strings' | 'entries' | 'acrossThreads' | 'clients' | 'duplicateRecords' | 'copiedCounts' | 'badTimestamp' | 'tokensOutOfRange'> => {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const at = (s: string | null): number => {
    if (s === null) return -1;
    let i = index.get(s);
    if (i === undefined) index.set(s, (i = strings.push(s) - 1));
    return i;
  };
  const threads = new Set<string>();
  const encode = (list: ReadonlyArray<UsageBucket>): number[] => {
    const out: number[] = [];
    for (const e of list) {
      if (e.threadId !== '') threads.add(e.threadId);
      const u = e.usage;
      out.push(e.threadId === '' ? -1 : at(e.threadId), at(e.model), at(e.provider), at(e.cwd), e.firstMs === null ? 0 : 1, e.firstMs ?? 0, e.lastMs ?? 0);
      out.push(u.inputTokens, u.cachedInputTokens, u.cacheWriteInputTokens, u.outputTokens, u.reasoningOutputTokens, u.totalTokens, e.responses);
    }
    return out;
  };
  const entries = encode(sums.entries);
  const acrossThreads = encode(sums.acrossThreads);
  const pairs: number[] = [];
  for (const th of threads) pairs.push(at(th), at(clients.get(th) ?? null));
  return {
    strings,
    entries,
    acrossThreads,
    clients: pairs,
    duplicateRecords: sums.duplicateRecords,
    copiedCounts: sums.copiedCounts,
    badTimestamp: sums.skippedRecords.badTimestamp,
    tokensOutOfRange: sums.skippedRecords.tokensOutOfRange,
  };
};

/** The sums a record holds; undefined when an index in it points nowhere (a record not of this engine). */
const decodeSums = (r: TokenWarmRecord): HomeTokenSums | undefined => {
  const n = r.strings.length;
  const str = (i: number): string | null | undefined => (i === -1 ? null : Number.isInteger(i) && i >= 0 && i < n ? r.strings[i] : undefined);
  if (r.clients.length % 2 !== 0) return undefined;
  /** Whether every string of a list's sums points into `strings` (a thread's never -1, but in `acrossThreads`). */
  const sound = (x: ReadonlyArray<number>, threadless: boolean): boolean => {
    if (x.length % ENTRY_WIDTH !== 0) return false;
    for (let k = 0; k < x.length; k += ENTRY_WIDTH) {
      if (threadless ? x[k] !== -1 : str(x[k]!) == null) return false;
      if (str(x[k + 1]!) === undefined || str(x[k + 2]!) === undefined || str(x[k + 3]!) === undefined) return false;
    }
    return true;
  };
  if (!sound(r.entries, false) || !sound(r.acrossThreads, true)) return undefined;
  const decode = (x: ReadonlyArray<number>): UsageBucket[] => {
    const out: UsageBucket[] = [];
    for (let k = 0; k < x.length; k += ENTRY_WIDTH) {
      const timed = x[k + 4] === 1;
      out.push({
        threadId: x[k] === -1 ? '' : str(x[k]!)!,
        model: str(x[k + 1]!)!,
        provider: str(x[k + 2]!)!,
        cwd: str(x[k + 3]!)!,
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
  const clients = new Map<string, string | null>();
  for (let k = 0; k < r.clients.length; k += 2) {
    const th = str(r.clients[k]!);
    const c = str(r.clients[k + 1]!);
    if (th === undefined || th === null || c === undefined) return undefined;
    clients.set(th, c);
  }
  let entries: UsageBucket[] | undefined;
  const sums: TokenSums = {
    // A report grouped by neither thread nor client reads only the sums across threads.
    get entries() {
      return (entries ??= decode(r.entries));
    },
    acrossThreads: decode(r.acrossThreads),
    duplicateRecords: r.duplicateRecords,
    copiedCounts: r.copiedCounts,
    skippedRecords: { badTimestamp: r.badTimestamp, tokensOutOfRange: r.tokensOutOfRange },
  };
  return { sums, clients };
};

/** Whether every folder and file of the record is as it was (see the soundness argument above). */
const homeAsRecorded = (r: TokenWarmRecord): boolean => {
  if (r.folderTimes.length !== 2 * r.folders.length || r.fileStats.length !== 4 * r.fileNames.length) return false;
  for (const dir of r.missing) if (folderTimes(dir) !== 'missing') return false;
  for (let i = 0; i < r.folders.length; i++) {
    const now = folderTimes(r.folders[i]!);
    if (typeof now !== 'object' || now.mtimeMs !== r.folderTimes[2 * i] || now.ctimeMs !== r.folderTimes[2 * i + 1]) return false;
  }
  const st = r.fileStats;
  for (let i = 0; i < r.fileNames.length; i++) {
    const dir = r.folders[st[4 * i]!];
    if (
      dir === undefined ||
      lstatShows(`${dir}${nodePath.sep}${r.fileNames[i]!}`, { size: st[4 * i + 1]!, mtimeMs: st[4 * i + 2]!, ctimeMs: st[4 * i + 3]! }) === undefined
    )
      return false;
  }
  return true;
};

/**
 * The home's token sums and its files' count when the index dir's record shows the index current
 * with the home (see above); undefined otherwise (the caller catches up and reports as before).
 */
export const tokenSumsIfWarm = async (codexHome: string, indexDir: string): Promise<(HomeTokenSums & { readonly files: number }) | undefined> => {
  const path = nodePath.join(indexDir, TOKEN_WARM_RECORD);
  if (!fs.existsSync(path)) return undefined;
  let text: string;
  try {
    text = await readTextNoFollow(indexDir, path);
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const decoded = TokenWarmRecordCodec.decode(json);
  if (E.isLeft(decoded)) return undefined;
  const r = decoded.right;
  if (r.version !== TOKEN_WARM_RECORD_VERSION || r.schemaVersion !== SCHEMA_VERSION || r.codexHome !== codexHome) return undefined;
  if (!homeAsRecorded(r)) return undefined;
  if ((await readWriteMark(lmdbDirOf(indexDir))) !== r.writeMark) return undefined;
  const sums = decodeSums(r);
  return sums === undefined ? undefined : { ...sums, files: r.fileNames.length };
};
