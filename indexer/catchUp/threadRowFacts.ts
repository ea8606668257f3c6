import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import type { IndexWrite } from '../../domain/index/rows.js';
import { BACKFILLED_PART_KEY } from '../../domain/index/homeStats.js';
import type { ThreadRowHome } from '../../projections/threadRows.js';
import type { CodexRowTimesOf } from '../../domain/thread/codexRowTimes.js';
import { readThreadNames } from '../../adapters/driven/jsonl/home/sessionIndex.js';
import { stateDbSignature } from '../../adapters/driven/fs/codexStateDb.js';
import { readConfiguredModelProvider } from '../../adapters/driven/fs/codexConfig.js';
import { readDueMarks } from './interruptedCatchUp.js';
import { ReadingMark, keepVouched, markVouchedRead } from './checkpointVouched.js';
import { readThreadRowHome, withoutStateDb } from './threadRowRefresh.js';
import {
  PackedCodexRows,
  codexRowsChanged,
  packCodexRows,
  unpackCodexRows,
} from '../../domain/thread/codexRowTimes.js';

/*
 * The facts beside the rollouts that thread rows derive from (the configured provider,
 * session_index.jsonl's names, Codex's state DB's names and rows), as the last full refresh of the
 * thread rows used them: their digests and the rows themselves, kept in the index's `meta`, and
 * those this process derived rows with (`appliedFacts`), and whether the home's facts now are
 * those, told from the stamps kept where it can (`asStamped`). What tells a catch-up which rows
 * the facts moved (catchUpThreadRows.ts).
 */

/** Where the digest of the home facts (names, provider) the last full thread-row refresh used is kept. */
export const NAMES_DIGEST_KEY = ['threadNamesDigest'] as const;
/** Where the digest of those facts but the names is kept, written with it: whether only names changed since. */
export const FACTS_DIGEST_KEY = ['threadFactsDigest'] as const;
/** Where the digest of Codex's state DB's part of them is kept, with the signature its files had when read (`DbPartStamp`). */
export const DB_PART_KEY = ['threadDbPartDigest'] as const;
/**
 * Where the provider and Codex's rows the last full refresh derived every thread row with are
 * kept (`AppliedRows`), and beside them the digest of the facts but the names they make
 * (`APPLIED_FACTS_KEY`): what a process with no `appliedFacts` of its own (a CLI run) tells the
 * threads whose row in Codex's DB changed since by. Codex starting one session adds a row, which
 * moves the digests: without them, every thread row was redone. Written with the digests when
 * those facts moved (the same digest: the same rows).
 */
const APPLIED_ROWS_KEY = ['threadCodexRowsApplied'] as const;
const APPLIED_FACTS_KEY = ['threadCodexRowsAppliedFacts'] as const;
const AppliedRows = t.type({ provider: t.string, codexRows: PackedCodexRows });

/**
 * Codex's state DB as the last full refresh read it: the signature of its files before the read
 * (adapters/driven/fs/codexStateDb.ts `stateDbSignature`) and the digest of what it gave the rows
 * (`dbPartDigest`). While the files keep that signature, a check of the facts takes the part from
 * here and does not read the DB again (a CLI run has no process cache of it; 100,000 rows took 0.9 s).
 */
export const DbPartStamp = t.type({ signature: t.string, part: t.string });

/**
 * A home without a state DB: the digest of the rows Codex's backfill would write from its files
 * (`dbPartDigest`), kept while no checkpoint moves (a checkpoint's write drops it with the home's
 * stats: domain/index/homeStats.ts `BACKFILLED_PART_KEY`), so a check of the facts reads no
 * checkpoint (it read every one: 0.68 s of a serve's start on 71,805 files, measured in the
 * commit that made this). A check reading the checkpoints keeps it under its own mark
 * (checkpointVouched.ts), so it never vouches for a checkpoint written meanwhile.
 */
export const BackfilledPart = t.union([t.type({ part: t.string }), ReadingMark]);

/** The backfill's part kept (`BackfilledPart`); undefined where none is, or a check is reading it. */
export const keptBackfilledPart = (store: IndexStore): Promise<E.Either<EngineError, string | undefined>> =>
  useCase(async () => {
    const kept = BackfilledPart.decode(await take(store.get('meta', BACKFILLED_PART_KEY)));
    return E.isRight(kept) && 'part' in kept.right ? kept.right.part : undefined;
  })();

const byKey = <V>(m: ReadonlyMap<string, V>): Array<[string, V]> =>
  [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Codex's rows, sorted by thread id (`byKey`), as thread rows take them (a live row as one word: its times move with every line Codex writes, and the lines' rule holds for it). */
const updateWithCodexRows = (h: Hash, rows: ReadonlyArray<[string, CodexRowTimesOf]>): void => {
  h.update('codex rows\u0000');
  for (const [id, row] of rows)
    h.update(`${id}\u0000${row === 'live' ? row : `${row.updatedMs}\u0000${row.recencyMs}`}\u0000`);
};

/**
 * A digest of what Codex's state DB gives the thread rows: its names (a paginated thread's name is
 * its row's: `ThreadRowHome.stateDbNames`) and its rows, or, for a home without one, the rows
 * Codex's backfill writes from the files.
 */
const dbPartDigest = (home: ThreadRowHome, rows: ReadonlyArray<[string, CodexRowTimesOf]>): string => {
  const h = createHash('sha256');
  h.update('codex names\u0000');
  for (const [id, name] of byKey(home.stateDbNames ?? new Map<string, string>())) h.update(`${id}\u0000${name}\u0000`);
  if (home.stateDbNames === null) h.update('no state DB\u0000');
  updateWithCodexRows(h, rows);
  return h.digest('hex');
};

/** A digest of all the facts: the configured provider, session_index.jsonl's names (thread id → name, order-free) and the DB's part. */
export const factsDigestOf = (provider: string, names: ReadonlyMap<string, string>, part: string): string => {
  const h = createHash('sha256');
  h.update(`provider\u0000${provider}\u0000`);
  for (const [id, name] of byKey(names)) h.update(`${id}\u0000${name}\u0000`);
  h.update(`state DB\u0000${part}\u0000`);
  return h.digest('hex');
};

/** What a full refresh compares and writes: the digest of all the facts, of all but the names, and the DB's part. */
export interface RowHomeDigests {
  readonly digest: string;
  readonly facts: string;
  readonly part: string;
}

export const rowHomeDigests = (home: ThreadRowHome): RowHomeDigests => {
  // Sorted once for both digests (100,000 rows on a large home).
  const rows = byKey(home.codexRows);
  const part = dbPartDigest(home, rows);
  const h = createHash('sha256');
  h.update(`provider\u0000${home.defaultModelProvider}\u0000`);
  updateWithCodexRows(h, rows);
  return { digest: factsDigestOf(home.defaultModelProvider, home.names, part), facts: h.digest('hex'), part };
};

/**
 * The writes of a full refresh's digests, and of the provider and Codex's rows it derived every
 * row with where their digest is not the one kept with them; the DB's part kept with its files'
 * signature where they had one.
 */
export const digestWrites = (
  store: IndexStore,
  home: ThreadRowHome,
  d: RowHomeDigests,
): Promise<E.Either<EngineError, IndexWrite[]>> =>
  useCase(async (): Promise<IndexWrite[]> => [
    { op: 'put', table: 'meta', key: [...NAMES_DIGEST_KEY], value: d.digest },
    { op: 'put', table: 'meta', key: [...FACTS_DIGEST_KEY], value: d.facts },
    ...((await take(store.get('meta', APPLIED_FACTS_KEY))) === d.facts
      ? []
      : ([
          {
            op: 'put',
            table: 'meta',
            key: [...APPLIED_ROWS_KEY],
            value: { provider: home.defaultModelProvider, codexRows: packCodexRows(home.codexRows) },
          },
          { op: 'put', table: 'meta', key: [...APPLIED_FACTS_KEY], value: d.facts },
        ] satisfies IndexWrite[])),
    dbPartStampWrite(home, d.part),
  ])();

/** The write of Codex's DB's part (`DbPartStamp`) with the signature its files had when read; none kept where they had none. */
export const dbPartStampWrite = (home: ThreadRowHome, part: string): IndexWrite =>
  home.stateDbSignature === undefined
    ? { op: 'del', table: 'meta', key: [...DB_PART_KEY] }
    : { op: 'put', table: 'meta', key: [...DB_PART_KEY], value: { signature: home.stateDbSignature, part } };

/**
 * Per index store, the facts beside the rollouts its thread rows were last derived with in this
 * process: the rows of Codex's DB, and the configured provider.
 */
export interface AppliedFacts {
  readonly codexRows: ReadonlyMap<string, CodexRowTimesOf>;
  readonly provider: string;
  /** The DB's names (`ThreadRowHome.stateDbNames`); null: derived with no DB. */
  readonly stateDbNames: ReadonlyMap<string, string> | null;
  /** session_index.jsonl's names (`ThreadRowHome.names`). */
  readonly names: ReadonlyMap<string, string>;
  /**
   * The names digest (`NAMES_DIGEST_KEY`) the index held for these facts; undefined: not known to
   * be stored. While the index still holds it, no other process derived rows from other names since.
   */
  readonly digest: string | undefined;
}

export const appliedFactsOf = (home: ThreadRowHome, digest: string | undefined): AppliedFacts => ({
  codexRows: home.codexRows,
  provider: home.defaultModelProvider,
  stateDbNames: home.stateDbNames,
  names: home.names,
  digest,
});
export const appliedFacts = new WeakMap<IndexStore, AppliedFacts>();

/**
 * The provider and Codex's rows every thread row was last derived with: this process's
 * (`appliedFacts`), else those the last full refresh kept (`APPLIED_ROWS_KEY`); undefined: not
 * known (an index from before they were kept, or a record that does not decode).
 */
const appliedRowsOf = (
  store: IndexStore,
): Promise<E.Either<EngineError, Pick<AppliedFacts, 'codexRows' | 'provider'> | undefined>> =>
  useCase(async () => {
    const known = appliedFacts.get(store);
    if (known !== undefined) return known;
    // Their digest must be the last full refresh's: digests written since without them (a build of
    // the engine from before they were kept) leave rows derived with other facts.
    const facts = await take(store.get('meta', APPLIED_FACTS_KEY));
    if (facts === undefined || facts !== (await take(store.get('meta', FACTS_DIGEST_KEY)))) return undefined;
    const kept = AppliedRows.decode(await take(store.get('meta', APPLIED_ROWS_KEY)));
    if (E.isLeft(kept)) return undefined;
    const codexRows = unpackCodexRows(kept.right.codexRows);
    return codexRows === undefined ? undefined : { provider: kept.right.provider, codexRows };
  })();

/**
 * The threads of the index whose row in Codex's DB changed since every thread row was derived
 * (`appliedRowsOf`), the provider being the same; undefined: not known, every row is to be redone.
 */
export const codexRowsMoved = (
  store: IndexStore,
  rowHome: ThreadRowHome,
): Promise<E.Either<EngineError, Set<string> | undefined>> =>
  useCase(async () => {
    const applied = await take(appliedRowsOf(store));
    if (applied === undefined || applied.provider !== rowHome.defaultModelProvider) return undefined;
    return take(heldThreads(store, codexRowsChanged(applied.codexRows, rowHome.codexRows)));
  })();

/** The threads of the index among `ids`. */
export const heldThreads = (store: IndexStore, ids: Iterable<string>): Promise<E.Either<EngineError, Set<string>>> =>
  useCase(async () => {
    const held = new Set<string>();
    for (const id of ids) if ((await take(store.get('threads', [id]))) !== undefined) held.add(id);
    return held;
  })();

/**
 * The home's facts (`readThreadRowHome`) and their digests; in a home without a DB, the backfill's
 * part they read from every checkpoint is kept for the checks after (`BackfilledPart`).
 */
export const readFactsKeepingPart = (
  store: IndexStore,
  home: string,
): Promise<E.Either<EngineError, { readonly rowHome: ThreadRowHome; readonly digests: RowHomeDigests }>> =>
  useCase(async () => {
    const reading = withoutStateDb(home) ? await take(markVouchedRead(store, BACKFILLED_PART_KEY)) : undefined;
    const rowHome = await take(readThreadRowHome(home, store));
    const digests = rowHomeDigests(rowHome);
    // Read without a DB (not from one Codex made meanwhile): the backfill's part.
    if (reading !== undefined && rowHome.stateDbNames === null)
      await take(keepVouched(store, BACKFILLED_PART_KEY, reading, { part: digests.part }));
    return { rowHome, digests };
  })();

/**
 * Whether no catch-up left a due mark and the facts are as the last full refresh's digest says,
 * the DB's part taken as kept (`stampedPart`); undefined where it cannot tell so (no stamp, a DB
 * written since, a checkpoint moved in a home without one): the part is to be read.
 */
export const asStamped = (store: IndexStore, home: string): Promise<E.Either<EngineError, boolean | undefined>> =>
  useCase(async () => {
    const part = await take(stampedPart(store, home));
    if (part === undefined) return undefined;
    if ((await take(readDueMarks(store))).length > 0) return false;
    const names = await take(readThreadNames(home));
    const provider = await take(readConfiguredModelProvider(home));
    return (await take(store.get('meta', NAMES_DIGEST_KEY))) === factsDigestOf(provider, names, part);
  })();

/**
 * The DB's part of the facts as kept: a DB's from its stamp while its files keep the stamp's
 * signature, a home without one's while no checkpoint moved (`BackfilledPart`); undefined: to be read.
 */
export const stampedPart = (store: IndexStore, home: string): Promise<E.Either<EngineError, string | undefined>> =>
  useCase(async () => {
    if (withoutStateDb(home)) return take(keptBackfilledPart(store));
    const stamp = DbPartStamp.decode(await take(store.get('meta', DB_PART_KEY)));
    const signature = stateDbSignature(home);
    return E.isLeft(stamp) || signature === undefined || stamp.right.signature !== signature
      ? undefined
      : stamp.right.part;
  })();

/** `threadRowsAsRefreshed` for the home's facts as read: no due mark, and their digest the last full refresh's. */
export const rowsAsRefreshedWith = (
  store: IndexStore,
  rowHome: ThreadRowHome,
  digests: RowHomeDigests = rowHomeDigests(rowHome),
): Promise<E.Either<EngineError, boolean>> =>
  useCase(async () => {
    if ((await take(readDueMarks(store))).length > 0) return false;
    return (await take(store.get('meta', NAMES_DIGEST_KEY))) === digests.digest;
  })();
