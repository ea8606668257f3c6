import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import { clearThreadRowsDue, markThreadRowsDue, threadRowsDueKey } from '../../projections/threadRowsDue.js';
import type { ThreadRowHome } from '../../projections/threadRows.js';
import { rowNameOf, threadNamesOf, threadsRenamed } from '../../projections/threadRowHome.js';
import { thisProcess } from '../../adapters/driven/system/processIdentity.js';
import type { CatchUpOptions } from './catchUpOptions.js';
import type { IndexWrite } from '../../domain/index/rows.js';
import { sessionIndexNameOf } from '../../domain/index/rows.js';
import { ownerGone, readDueMarks } from './interruptedCatchUp.js';
import type { CatchUpPlan } from './plan.js';
import { readThreadRowHome, refreshThreads, threadsChanged, withoutStateDb } from './threadRowRefresh.js';
import type { ChangedFiles } from './threadRowRefresh.js';
import { readThreadNames } from '../../adapters/driven/jsonl/home/sessionIndex.js';
import { readCodexRows, stateDbSignature } from '../../adapters/driven/fs/codexStateDb.js';
import { codexRowsChanged } from '../../domain/thread/codexRowTimes.js';
import {
  FACTS_DIGEST_KEY,
  NAMES_DIGEST_KEY,
  appliedFacts,
  appliedFactsOf,
  asStamped,
  codexRowsMoved,
  dbPartStampWrite,
  digestWrites,
  heldThreads,
  readFactsKeepingPart,
  rowHomeDigests,
  rowsAsRefreshedWith,
} from './threadRowFacts.js';
import type { RowHomeDigests } from './threadRowFacts.js';

/*
 * A catch-up's thread rows: marked due before the first row commit of a changed file, redone from
 * the rows committed, the names and the configured provider after the last, the mark then cleared
 * (threadRowsDue.ts: a process killed between the two leaves the mark, and the next catch-up redoes
 * every row).
 */

/**
 * The threads whose row names another name than the home now gives them (session_index.jsonl, or
 * for a paginated thread its state-DB row), or holds another session_index.jsonl name: a thread
 * row takes only its own thread's name (projections/threadRows.ts `refreshThreadRows`), so when
 * only the names changed since the last full refresh (a `thread/name/set`, Codex's or ours), these
 * are the rows to redo, not every one (every row of 91,177 threads took 6 s, at each rename). Where
 * this process derived the rows and the index still holds the digest it derived them at
 * (`AppliedFacts.digest`), the threads whose names moved since (`threadsRenamed`) that the index
 * holds; else every row read and compared (a scan of every thread row: 0.5 s at each rename on a
 * home of 68,091 threads, measured in the commit that made this).
 */
const renamedThreads = (
  store: IndexStore,
  home: ThreadRowHome,
  /** The names digest the index holds (`NAMES_DIGEST_KEY`), as the caller read it. */
  storedDigest: unknown,
): Promise<E.Either<EngineError, Set<string>>> =>
  useCase(async () => {
    const applied = appliedFacts.get(store);
    if (applied?.digest !== undefined && storedDigest === applied.digest)
      return take(heldThreads(store, threadsRenamed(applied, home)));
    const renamed = new Set<string>();
    await take(
      store.scan('threads', [], ({ key, value }) => {
        const id = key[0] as string;
        const names = threadNamesOf(home, id);
        if (rowNameOf(value.historyMode, names) !== value.name || names.sessionIndex !== sessionIndexNameOf(value))
          renamed.add(id);
      }),
    );
    return renamed;
  })();

/**
 * Whether the home's facts beside the rollouts (names, provider) are those the last full
 * thread-row refresh used, and no catch-up left (or is under way with) a due mark: then a
 * catch-up whose files are all unchanged writes no thread row.
 */
export const threadRowsAsRefreshed = (store: IndexStore, home: string): Promise<E.Either<EngineError, boolean>> =>
  useCase(async () => {
    // Each checks the due marks itself.
    const stamped = await take(asStamped(store, home));
    if (stamped !== undefined) return stamped;
    const { rowHome, digests } = await take(readFactsKeepingPart(store, home));
    if (!(await take(rowsAsRefreshedWith(store, rowHome, digests)))) return false;
    // The DB's files moved and what it gives the rows did not (a reader made its -wal and -shm,
    // Codex archived a thread: columns no row takes): stamped again with their signature now, or
    // every later check reads the DB again (0.7 s and 80 MB a CLI run on 100,000 rows).
    if (rowHome.stateDbSignature !== undefined)
      await take(store.commit(() => [dbPartStampWrite(rowHome, digests.part)]));
    return true;
  })();

/** Per index store, the signature of Codex's DB's files at which this process found the rows as its stamp says (`followCodexRows`). */
const stampedAt = new WeakMap<IndexStore, string>();

/**
 * Codex's own reads write its DB: a `thread/list` with a search term reconciles each hit from its
 * file (codex-rs `rollout/src/recorder.rs` `list_threads_with_db_fallback` → `reconcile_rollout`),
 * its upsert re-dating the row through the process's high-water mark (`state/src/runtime/threads.rs`
 * `allocate_thread_timestamp`: a row within the second below it moves 1 ms past it). No rollout
 * changes, so no catch-up sees it: the rows Codex re-dated since the thread rows were derived are
 * derived again, from a stat of the DB's files when nothing changed (readCodexRows keeps its last
 * reading by them), and so are the threads whose DB name changed, or all the named ones when
 * Codex made its DB since (stateDbStamp.int). A home without a DB has no row Codex writes but by its files.
 */
export const followCodexRows = (
  store: IndexStore,
  home: string,
  /** A one-shot run (no home watch): keeps nothing of the DB's stamp for a next call (`stampedAt`). */
  oneShot = false,
): Promise<E.Either<EngineError, void>> =>
  useCase(async () => {
    if (withoutStateDb(home)) return;
    // No thread-row refresh in this process yet: while the DB is as the last full refresh stamped it
    // (and the names too), the rows are that refresh's; the DB is read once it moves. Reading it
    // first made a serve's first thread/list wait (0.67 s of 1.5 s on 91,210 rows, measured in the
    // commit that made this), and a one-shot run's (1.3 s and 40 MB of a no-op `index` then). The
    // cost moves to the first change: a rename before the DB moved otherwise compares every thread
    // row (`renamedThreads`: no names derived in this process), once.
    if (appliedFacts.get(store) === undefined) {
      const signature = stateDbSignature(home);
      if (signature !== undefined && stampedAt.get(store) === signature) return;
      if ((await take(asStamped(store, home))) === true) {
        if (!oneShot && signature !== undefined) stampedAt.set(store, signature);
        return;
      }
    }
    // A DB we do not read (a link out of the home): no row of it to follow, as readThreadRowHome takes it.
    const read = await readCodexRows(home);
    if (E.isLeft(read)) return;
    const { times: rows, names } = read.right;
    const before = appliedFacts.get(store);
    if (before?.codexRows === rows && before.stateDbNames === names) return;
    if (before === undefined) {
      // The last full refresh's digest says whether the rows are those; if not, the rows Codex's DB
      // moved since that refresh and the renamed ones are redone (`threadsFactsMoved`), as a follow of
      // the names does, and every row only where those are not known (or a catch-up left a due mark).
      const rowHome = await take(readThreadRowHome(home, store));
      const digests = rowHomeDigests(rowHome);
      const moved = await take(redoFactsMoved(store, rowHome, digests));
      if (moved === 'notOnlyNames') await take(refreshThreads(store, rowHome, undefined));
      // Every row redone leaves the digest as it was: not these facts'.
      appliedFacts.set(store, appliedFactsOf(rowHome, moved === 'notOnlyNames' ? undefined : digests.digest));
      return;
    }
    // The rows Codex moved, and the names its rows changed: a paginated thread's name is its row's. A DB
    // Codex made since (its first start: its backfill's rows hold the times the index derived, and no
    // name) moves every named paginated thread's name off session_index.jsonl's (its names read
    // then; otherwise this follows the DB alone, session_index.jsonl's changes are followThreadNames').
    const renamed = threadsRenamed(before, {
      names: before.stateDbNames === null ? await take(readThreadNames(home)) : before.names,
      stateDbNames: names,
    });
    const held = await take(heldThreads(store, [...codexRowsChanged(before.codexRows, rows), ...renamed]));
    if (held.size > 0) await take(refreshThreads(store, await take(readThreadRowHome(home, store)), held));
    // The rows redone took session_index.jsonl's names of now, the others keep `before.names`: a
    // later diff from those names still finds every row whose name moved (threadsRenamed).
    appliedFacts.set(store, { ...before, codexRows: rows, stateDbNames: names });
  })();

/**
 * `session_index.jsonl` changed (a `thread/name/set`, Codex's or ours) and no rollout is known to
 * have: the threads whose row names another name than it now gives are redone, with those whose
 * row in Codex's DB changed since (a rename writes that row too: codex-rs app-server
 * `thread_processor.rs` `thread_set_name_response_inner` → `update_thread_metadata`, and its times
 * move with it), and the digests written with them, as a whole-home catch-up would (`refreshCaughtUpRows`),
 * without probing every file of the home (or the rows of a session Codex began: its file is the
 * caller's to catch up). The provider must be the one the rows were derived with, and Codex's rows
 * those or known (`codexRowsMoved`). `notOnlyNames`: they are not, or a catch-up left (or holds) a
 * due mark; a whole-home catch-up is the one to redo the rows.
 */
export const followThreadNames = (
  store: IndexStore,
  home: string,
): Promise<E.Either<EngineError, 'followed' | 'notOnlyNames'>> =>
  useCase(async () => {
    if ((await take(readDueMarks(store))).length > 0) return 'notOnlyNames' as const;
    const rowHome = await take(readThreadRowHome(home, store));
    const digests = rowHomeDigests(rowHome);
    const moved = await take(redoFactsMoved(store, rowHome, digests));
    if (moved === 'notOnlyNames') return moved;
    // Every row now derives from these facts.
    if (moved === 'redone') appliedFacts.set(store, appliedFactsOf(rowHome, digests.digest));
    return 'followed' as const;
  })();

/**
 * Against the last full refresh: `asRefreshed` (no due mark, the same digest), `redone` (the rows
 * the facts moved since, `threadsFactsMoved`, redone with the digests written), or `notOnlyNames`
 * (a due mark, or those rows not known: every row is to be redone).
 */
const redoFactsMoved = (
  store: IndexStore,
  rowHome: ThreadRowHome,
  digests: RowHomeDigests,
): Promise<E.Either<EngineError, 'asRefreshed' | 'redone' | 'notOnlyNames'>> =>
  useCase(async () => {
    if ((await take(readDueMarks(store))).length > 0) return 'notOnlyNames' as const;
    if ((await take(store.get('meta', NAMES_DIGEST_KEY))) === digests.digest) return 'asRefreshed' as const;
    const redo = await take(threadsFactsMoved(store, rowHome, digests));
    if (redo === undefined) return 'notOnlyNames' as const;
    // With no thread to redo, `refreshThreads` still commits the digests (its `closing`).
    await take(refreshThreads(store, rowHome, redo, undefined, await take(digestWrites(store, rowHome, digests))));
    return 'redone' as const;
  })();

/**
 * A read of one thread (the CLI's `read`, `turns`, `items`: no home watch) answers the name
 * session_index.jsonl gives it now, as Codex's read does after a rename: when its row names
 * another, that row alone is derived again (a list redoes the others).
 */
export const followThreadName = (
  store: IndexStore,
  home: string,
  threadId: string,
): Promise<E.Either<EngineError, void>> =>
  useCase(async () => {
    const row = await take(store.get('threads', [threadId]));
    if (row === undefined) return;
    const names = await take(readThreadNames(home));
    if ((names.get(threadId) ?? null) === sessionIndexNameOf(row)) return;
    await take(refreshThreads(store, await take(readThreadRowHome(home, store)), new Set([threadId])));
  })();

export interface DueMarks {
  /** This catch-up's own mark, if it changes rows. */
  readonly own: readonly [string] | undefined;
  /** Marks of catch-ups whose process is gone. */
  readonly interrupted: ReadonlyArray<readonly [string]>;
  /** The write of `own`: committed with the catch-up's first rows (carriedWrites.ts), not alone. */
  readonly marking: ReadonlyArray<IndexWrite>;
}

export const markDue = (store: IndexStore, plan: CatchUpPlan): Promise<E.Either<EngineError, DueMarks>> =>
  useCase(async (): Promise<DueMarks> => {
    const interrupted = (await take(readDueMarks(store))).filter((m) => ownerGone(m.owner)).map((m) => m.key);
    // Unchanged files change no row (a rename changes thread rows only, each derived whole): no mark, no write.
    if (
      plan.actions.every((a) => a.action.kind === 'unchanged') &&
      plan.gone.length === 0 &&
      plan.orphaned.length === 0
    )
      return { own: undefined, interrupted, marking: [] };
    const id = randomUUID();
    return { own: threadRowsDueKey(id), interrupted, marking: [markThreadRowsDue(id, thisProcess())] };
  })();

/**
 * The threads whose rows the facts beside the rollouts moved since the last full refresh: those
 * whose row in Codex's DB moved (`codexRowsMoved`; none while the facts but the names are the
 * refresh's), and the renamed ones where the names moved too (`renamedThreads`); undefined: not
 * known, every row is to be redone.
 */
const threadsFactsMoved = (
  store: IndexStore,
  rowHome: ThreadRowHome,
  digests: RowHomeDigests,
): Promise<E.Either<EngineError, Set<string> | undefined>> =>
  useCase(async () => {
    const moved =
      (await take(store.get('meta', FACTS_DIGEST_KEY))) === digests.facts
        ? new Set<string>()
        : await take(codexRowsMoved(store, rowHome));
    if (moved === undefined) return undefined;
    const stored = await take(store.get('meta', NAMES_DIGEST_KEY));
    if (stored !== digests.digest) for (const id of await take(renamedThreads(store, rowHome, stored))) moved.add(id);
    return moved;
  })();

/**
 * The threads a whole home's catch-up changed (`threadsChanged`), with those the facts beside the
 * rollouts moved (`threadsFactsMoved`); undefined: every row is to be redone.
 */
const changedFilesThreads = (
  store: IndexStore,
  rowHome: ThreadRowHome,
  digests: RowHomeDigests,
  changed: ChangedFiles,
): Promise<E.Either<EngineError, Set<string> | undefined>> =>
  useCase(async () => {
    const moved = await take(threadsFactsMoved(store, rowHome, digests));
    return moved === undefined ? undefined : new Set([...(await take(threadsChanged(store, changed))), ...moved]);
  })();

/**
 * Redo the thread rows a catch-up's files touched (every row when it was not given files, or an
 * interrupted catch-up left its mark), unless no file changed and the home facts are as at the
 * last full refresh; then clear the due marks, in the last commit of rows (so a small catch-up
 * commits twice: its file rows with its mark, its thread rows with the clear). A whole home's
 * catch-up redoes only the threads it touched where it can (`changedFilesThreads`): a CLI run
 * after Codex wrote one session, or after an archive, redid every thread row of the home.
 */
export const refreshCaughtUpRows = async (
  store: IndexStore,
  home: string,
  given: ChangedFiles | undefined,
  options: Pick<CatchUpOptions, 'files' | 'threadRows' | 'everyChange' | 'oneShot'>,
  due: DueMarks,
  ownMarked: boolean,
  changed?: ChangedFiles,
): Promise<E.Either<EngineError, void>> =>
  useCase(async () => {
    // Given files that are every change and changed none (unchanged ones a stat cannot settle, given
    // at every check: homeAsIndexed.ts, which follows the facts after): no row to redo, no facts to read.
    if (
      options.everyChange === true &&
      options.threadRows !== 'all' &&
      due.own === undefined &&
      due.interrupted.length === 0
    )
      return;
    // Given only with given files (catchUp.ts), and not when they are every change.
    const touched = given === undefined ? undefined : await take(threadsChanged(store, given));
    const full = due.interrupted.length > 0 || touched === undefined;
    // No mark of its own: every file was unchanged and none went.
    const noFileChanged = full && options.threadRows !== 'all' && due.own === undefined && due.interrupted.length === 0;
    // A one-shot run keeps no rows of Codex's DB: the stamp answers as reading the DB would (its
    // 91,210 rows were 1.3 s and 40 MB of a no-op `index`: measured in the commit that made this).
    if (noFileChanged && options.oneShot === true && (await take(asStamped(store, home))) === true) return;
    // Codex's names and configured provider only matter to thread rows: a token catch-up (catchUpHome's own branch)
    // never reads session_index.jsonl or config.toml.
    // A thread row derives from its files' rows, the names, the provider and the thread-state log
    // (whose fold writes the rows itself): with no file changed and those as at the last full refresh,
    // every row is as it is (redoing them made a serve's first thread/list on a large home wait seconds).
    // Compared and written by a full refresh only (a catch-up of a few files refreshes their threads whatever it is).
    // With no file changed (a no-op `index`), a home without a DB keeps the backfill's part it reads
    // for the next process's check; a catch-up that wrote checkpoints leaves that to the check (two
    // more commits, each synced).
    const read = noFileChanged
      ? await take(readFactsKeepingPart(store, home))
      : { rowHome: await take(readThreadRowHome(home, store)), digests: undefined };
    const rowHome = read.rowHome;
    const digests = full ? (read.digests ?? rowHomeDigests(rowHome)) : undefined;
    const known = noFileChanged ? await store.get('meta', NAMES_DIGEST_KEY)() : undefined;
    // The own mark only if it was committed (with the first rows: a catch-up that committed none left none).
    const clearing = [...(due.own !== undefined && ownMarked ? [due.own] : []), ...due.interrupted].map(
      clearThreadRowsDue,
    );
    // Skipped only where there is no mark to clear (`noFileChanged`: none of its own, none interrupted).
    if (!(known !== undefined && E.isRight(known) && known.right === digests?.digest)) {
      const facts = digests?.facts;
      // Nothing changed since the last full refresh but names: only the renamed threads' rows.
      const knownFacts = noFileChanged && known !== undefined ? await store.get('meta', FACTS_DIGEST_KEY)() : undefined;
      const renamed =
        knownFacts !== undefined && E.isRight(knownFacts) && knownFacts.right === facts
          ? await take(
              renamedThreads(store, rowHome, known !== undefined && E.isRight(known) ? known.right : undefined),
            )
          : undefined;
      // A whole home's catch-up that may redo only what it touched (catchUp.ts sets `changed`).
      const some =
        renamed === undefined && digests !== undefined && changed !== undefined
          ? await take(changedFilesThreads(store, rowHome, digests, changed))
          : undefined;
      // An interrupted catch-up's mark: every thread row is redone.
      await take(
        refreshThreads(
          store,
          rowHome,
          renamed ?? some ?? (full ? undefined : touched),
          some !== undefined ? changed!.files.map((f) => f.path) : options.files?.map((f) => f.path),
          [...(digests !== undefined ? await take(digestWrites(store, rowHome, digests)) : []), ...clearing],
        ),
      );
    }
    // Every row now derives from these (a refresh of some threads leaves the others as they were).
    if (full) appliedFacts.set(store, appliedFactsOf(rowHome, digests!.digest));
  })();
