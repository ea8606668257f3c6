// Thread rows after a catch-up: which threads it touched, the checkpoints their rows derive from,
// and the refresh that derives them a chunk of threads per transaction (catchUp.ts runs it; verify
// derives rows from the same files).
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import type { FileCheckpoint, IndexReader, IndexWrite } from '../../domain/index/rows.js';
import { holdsRows } from '../../domain/index/rows.js';
import type { IndexedFile, ThreadRowHome } from '../../projections/threadRows.js';
import { readConfiguredModelProvider } from '../../adapters/driven/fs/codexConfig.js';
import { readThreadNames } from '../../adapters/driven/jsonl/home/sessionIndex.js';
import { readCodexRows, stateDbSeen } from '../../adapters/driven/fs/codexStateDb.js';
import { homeRelativePath } from '../../adapters/driven/fs/insideHome.js';
import type { BackfilledFile } from '../../domain/thread/backfillTimes.js';
import type { CodexRowTimes } from '../../domain/thread/codexRowTimes.js';
import { backfilledRowTimes } from '../../domain/thread/backfillTimes.js';
import { keyText } from '../../domain/index/keyText.js';
import { detachedString, detachedUnlessSame } from '../../domain/index/detachedString.js';

/**
 * Catching up given files can only change the rows of their threads, and of the threads that
 * continue them (forks and revisions based on one of them, and on those: a fork indexed on its
 * own, by name, before its base was, has its row derived again once the base is). Found through
 * `rolloutForks`: a few lookups per file, not a scan of every rollout row.
 */
export const touchedThreads = (
  store: IndexStore,
  files: ReadonlyArray<ChangedFile>,
  /** Rollouts whose rows went (their files gone): the threads read through them are touched too. */
  gone: ReadonlyArray<string> = [],
): Promise<E.Either<EngineError, ReadonlySet<string>>> =>
  useCase(async (): Promise<ReadonlySet<string>> => {
    const touched = new Set(files.flatMap((f) => (f.threadId === undefined ? [] : [f.threadId])));
    const grown = new Set([...files.flatMap((f) => (f.rolloutId === undefined ? [] : [f.rolloutId])), ...gone]);
    const toFollow = [...grown];
    for (let base = toFollow.pop(); base !== undefined; base = toFollow.pop()) {
      const forks = await take(store.range('rolloutForks', [keyText(base)]));
      for (const { key } of forks) {
        const rolloutId = key[1];
        if (grown.has(rolloutId)) continue;
        grown.add(rolloutId);
        toFollow.push(rolloutId);
        const row = await take(store.get('rollouts', [rolloutId]));
        if (row !== undefined) touched.add(row.threadId);
      }
    }
    return touched;
  })();

/**
 * A file a catch-up indexed, as its thread rows need it: its path, and the thread and rollout it
 * holds (neither when it could not be read). Not its probe: a whole home's catch-up holds one of
 * these a file through its thread-row refresh, where the probes and the plan are let go.
 */
export interface ChangedFile {
  readonly path: string;
  readonly threadId?: string;
  readonly rolloutId?: string;
}

/** What a whole home's catch-up changed: the files it indexed; of the files gone, the threads they named and the rollouts whose rows went with them. */
export interface ChangedFiles {
  readonly files: ReadonlyArray<ChangedFile>;
  readonly goneThreads: ReadonlyArray<string>;
  readonly goneRollouts: ReadonlyArray<string>;
}

/** The threads whose rows what a whole home's catch-up changed can move (`touchedThreads`, and those of the files gone). */
export const threadsChanged = (
  store: IndexStore,
  changed: ChangedFiles,
): Promise<E.Either<EngineError, ReadonlySet<string>>> =>
  useCase(async () => {
    const touched = new Set(await take(touchedThreads(store, changed.files, changed.goneRollouts)));
    for (const id of changed.goneThreads) touched.add(id);
    return touched;
  })();

/**
 * The files a thread-row refresh derives from (those holding rows, `indexedFileOf`): every file's,
 * each checkpoint taken as it is scanned (a large home's are not all held at once), or for `only`
 * these threads just their files (the one their row names, those linked to them, and the given
 * files): a catch-up of a few files then costs a few lookups, not a scan of every checkpoint.
 */
const indexedFilesFor = (
  store: IndexStore,
  only: ReadonlySet<string> | undefined,
  given: ReadonlyArray<string>,
): TE.TaskEither<EngineError, IndexedFile[]> =>
  useCase(async () => {
    const out: IndexedFile[] = [];
    if (only === undefined) {
      await take(
        store.scan('files', [], ({ value }) => {
          if (holdsRows(value)) out.push(indexedFileOf(value));
        }),
      );
      return out;
    }
    const paths = new Set(given);
    for (const threadId of only) {
      const row = await take(store.get('threads', [threadId]));
      if (row !== undefined) paths.add(row.path);
      // Every file of the thread (its links): the one its row names may be gone, an older one current again.
      for (const { key } of await take(store.range('threadFiles', [threadId]))) paths.add(key[1]);
    }
    for (const path of paths) {
      const cp = await take(store.get('files', [path]));
      if (cp !== undefined && holdsRows(cp)) out.push(indexedFileOf(cp));
    }
    return out;
  });

/**
 * The files of a refresh, read before its transaction, plus the file each thread row names inside
 * it: another catch-up (a request's own beside the backfill, another process) may have committed a
 * newer current file (a revision, a move) since, and a row derived without it would move the
 * thread back to its old file for good.
 */
const withCommittedCurrent = (
  reader: IndexReader,
  files: ReadonlyArray<IndexedFile>,
  threads: ReadonlySet<string>,
): IndexedFile[] => {
  const out = [...files];
  const paths = new Set(files.map((f) => f.path));
  for (const id of threads) {
    const row = reader.get('threads', [id]);
    if (row === undefined || paths.has(row.path)) continue;
    const cp = reader.get('files', [row.path]);
    if (cp !== undefined) out.push(...indexedFilesOf([cp]));
  }
  return out;
};

/**
 * Threads per thread-row transaction. A row reads its rollout rows, scattered over the map, and
 * the kernel maps the pages around each one too: refreshing every thread at once would make the
 * whole index resident. Between chunks the store is remapped (when it can be), which bounds that.
 */
const THREADS_PER_COMMIT = 256;

/**
 * A file that holds rows (a rollout id's winner, readable), as thread rows are derived from it. A
 * whole home's are held through the refresh: their strings are copies of their own
 * (`detachedString`), not cuts of the checkpoint row's text, which V8 kept whole for each (about
 * 450 bytes a file: 68 of the 138 MB live in a heap snapshot of a cold index of 100,000 files).
 * A rollout id equal to its thread id is the same string.
 */
const indexedFileOf = (c: FileCheckpoint & { readonly rolloutId: string; readonly threadId: string }): IndexedFile => {
  const threadId = detachedString(c.threadId);
  return {
    path: detachedString(c.path),
    archived: c.archived,
    fileTimestamp: detachedString(c.fileTimestamp),
    threadId,
    rolloutId: detachedUnlessSame(c.rolloutId, threadId),
    mtimeMs: c.mtimeMs,
    ...(c.revisionId === null ? {} : { revisionId: detachedString(c.revisionId) }),
  };
};

/** The files that hold rows (a rollout id's winner, readable), as thread rows are derived from them. */
export const indexedFilesOf = (cps: ReadonlyArray<FileCheckpoint>): IndexedFile[] =>
  cps.filter(holdsRows).map(indexedFileOf);

/**
 * Thread rows from the current file of every thread, or of `only` these. Each row is derived on
 * its own from the committed index, so rows are committed a chunk of threads at a time; then,
 * for a full refresh, rows of threads left without files go.
 */
export const refreshThreads = async (
  store: IndexStore,
  home: ThreadRowHome,
  only: ReadonlySet<string> | undefined,
  given: ReadonlyArray<string> = [],
  /** Writes to commit with the last rows (a catch-up's digest and cleared marks). */
  closing: ReadonlyArray<IndexWrite> = [],
): Promise<E.Either<EngineError, void>> =>
  useCase(async () => {
    const indexed = await take(indexedFilesFor(store, only, given));
    const { dropThreadRowsWithout, refreshThreadRows } = await import('../../projections/threadRows.js');
    const filesOf = new Map<string, IndexedFile[]>();
    for (const f of indexed) {
      const group = filesOf.get(f.threadId);
      if (group) group.push(f);
      else filesOf.set(f.threadId, [f]);
    }
    const live = new Set(filesOf.keys());
    const threads = [...(only ?? live)].sort();
    // A full refresh drops the rows of threads left without files. They are found by a scan that
    // unmaps between its pieces, not by a walk of every key in the last write transaction, which
    // left the whole table mapped (the end of a cold index's peak on a large home).
    const unfiled: string[] = [];
    if (only === undefined)
      await take(
        store.scan('threads', [], ({ key }) => {
          if (!live.has(key[0])) unfiled.push(key[0]);
        }),
      );
    // The last commit also drops the rows of threads left without files (every row redone) and makes `closing`.
    const last = (reader: IndexReader): IndexWrite[] => [
      ...(only === undefined ? dropThreadRowsWithout(reader, live, unfiled) : []),
      ...closing,
    ];
    for (let i = 0; i < threads.length; i += THREADS_PER_COMMIT) {
      const chunk = new Set(threads.slice(i, i + THREADS_PER_COMMIT));
      const files = [...chunk].flatMap((id) => filesOf.get(id) ?? []);
      const isLast = i + THREADS_PER_COMMIT >= threads.length;
      await take(
        store.commit((reader) => [
          ...refreshThreadRows(reader, withCommittedCurrent(reader, files, chunk), home, chunk),
          ...(isLast ? last(reader) : []),
        ]),
      );
      if (threads.length > THREADS_PER_COMMIT && store.remap) await take(store.remap());
    }
    if (threads.length === 0 && (only === undefined || closing.length > 0)) await take(store.commit(last));
  })();

/**
 * One thread's row derived again from the committed rows of its files (`paths`: its history's,
 * all as their checkpoints say), in one transaction, as the thread-row refresh at a catch-up's end
 * derives it. For a read of a thread whose files a catch-up running in this process has committed
 * but whose thread rows it has not yet written (lazyCatchUp.ts `behindIn`): the read answers the
 * row its files give, without waiting for the catch-up (which may be waiting for the read).
 */
export const rederiveThreadRow = (
  store: IndexStore,
  home: string,
  threadId: string,
  paths: ReadonlyArray<string>,
): Promise<E.Either<EngineError, void>> =>
  useCase(async () => {
    const facts = await take(readThreadRowHome(home, store));
    await take(refreshThreads(store, facts, new Set([threadId]), paths));
  })();

/**
 * The files Codex's backfill takes, as the index saw them: every file whose session_meta it read
 * (a duplicate of a rollout id too: Codex upserts each file), not one it cannot open (an unreadable
 * first line, a pre-envelope rollout Codex 0.169.0 no longer reads). Its thread id keys the rows a
 * process keeps for the home (catchUpThreadRows.ts `appliedFacts`): a copy, not a cut of the row's text.
 */
const backfilledFileOf = (codexHome: string, cp: FileCheckpoint): BackfilledFile | undefined =>
  cp.threadId === null || cp.error !== null || cp.upcastFrom !== null
    ? undefined
    : {
        relativePath: homeRelativePath(codexHome, cp.path),
        threadId: detachedString(cp.threadId),
        mtimeMs: cp.mtimeMs,
      };

/** Whether the home has no state DB of Codex's (a link there is one we do not read, not none). */
export const withoutStateDb = (codexHome: string): boolean => {
  try {
    return stateDbSeen(codexHome) === undefined;
  } catch {
    return false;
  }
};

/** The rows Codex's first start's backfill writes for these files of the home (the home having no state DB). */
export const backfilledRowsOf = (
  codexHome: string,
  cps: ReadonlyArray<FileCheckpoint>,
): ReadonlyMap<string, CodexRowTimes> => backfilledRowTimes(cps.flatMap((cp) => backfilledFileOf(codexHome, cp) ?? []));

/**
 * What the home says of its threads beside their rollouts (Codex's names, its configured provider,
 * its state DB's row times). A home without a state DB takes the rows Codex's first start will
 * backfill from its files (domain/thread/backfillTimes.ts), from the files as `store` indexed them.
 */
export const readThreadRowHome = (home: string, store?: IndexStore): Promise<E.Either<EngineError, ThreadRowHome>> =>
  useCase(async (): Promise<ThreadRowHome> => {
    const names = await take(readThreadNames(home));
    const defaultModelProvider = await take(readConfiguredModelProvider(home));
    const noDb = withoutStateDb(home);
    if (store !== undefined && noDb) {
      // Each checkpoint as it is read, only what the backfill takes of it kept (not every checkpoint at once).
      const files: BackfilledFile[] = [];
      await take(
        store.scan('files', [], ({ value }) => {
          const f = backfilledFileOf(home, value);
          if (f !== undefined) files.push(f);
        }),
      );
      // No DB: names are session_index.jsonl's until Codex makes one (`ThreadRowHome.stateDbNames`).
      return { names, defaultModelProvider, codexRows: backfilledRowTimes(files), stateDbNames: null };
    }
    // A state DB that cannot be read (linked out of the home, locked past its timeout, not a DB) holds
    // no row we know of: the threads are dated as Codex dates a thread it has no row for (its file's
    // mtime), and the index is built anyway (a mutation that must write that DB refuses it itself).
    const codex = await readCodexRows(home);
    const signature = E.isLeft(codex) ? null : codex.right.signature;
    return {
      names,
      defaultModelProvider,
      codexRows: E.isLeft(codex) ? new Map() : codex.right.times,
      stateDbNames: noDb ? null : E.isLeft(codex) ? new Map() : codex.right.names,
      ...(noDb || signature === null ? {} : { stateDbSignature: signature }),
    };
  })();
