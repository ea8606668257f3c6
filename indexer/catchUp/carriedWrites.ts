import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { IndexReader, IndexWrite } from '../../domain/index/rows.js';

/**
 * A store whose first commit also makes `carried` (ahead of its own batch), for writes that must be
 * committed no later than the rows after them, and need not be any sooner: a catch-up's due mark
 * (projections/threadRowsDue.ts) goes in with its first rows instead of a commit of its own. Each
 * LMDB commit syncs on the committing thread (lmdb-js's overlapping sync still runs
 * `mdb_env_sync0` inside `mdb_txn_commit`), and on a disk another process fills those syncs are
 * most of a write's answer time (measured in the commit that made it).
 * Whoever commits around this store (worker threads' own transactions) calls `flush` first.
 */
export interface CarryingStore {
  readonly store: IndexStore;
  /** Whether `carried` is committed. */
  readonly committed: () => boolean;
  /** Commit what is still carried, alone. */
  readonly flush: () => Promise<E.Either<EngineError, void>>;
}

export const carrying = (store: IndexStore, carried: ReadonlyArray<IndexWrite>): CarryingStore => {
  let pending = carried;
  /** After a transaction that made `writes`: they are committed once it is (and nothing replaced them meanwhile). */
  const settled = <R extends E.Either<EngineError, unknown>>(writes: ReadonlyArray<IndexWrite>, done: R): R => {
    if (E.isRight(done) && pending === writes) pending = [];
    return done;
  };
  const { commitAsBuilt } = store;
  const carryingStore: IndexStore = {
    ...store,
    commit: (build) => async () => {
      const writes = pending;
      if (writes.length === 0) return store.commit(build)();
      return settled(writes, await store.commit((reader) => [...writes, ...build(reader)])());
    },
    ...(commitAsBuilt === undefined
      ? {}
      : {
          commitAsBuilt: <A>(
            build: (reader: IndexReader, write: (w: IndexWrite) => void) => A,
          ): E.Either<EngineError, A> => {
            const writes = pending;
            return settled(
              writes,
              commitAsBuilt((reader, write) => {
                for (const w of writes) write(w);
                return build(reader, write);
              }),
            );
          },
        }),
  };
  return {
    store: carryingStore,
    committed: () => pending.length === 0,
    flush: async () =>
      pending.length === 0 ? E.right(undefined) : E.map(() => undefined)(await carryingStore.commit(() => [])()),
  };
};
