import type { RootDatabase } from 'lmdb';
import { committedTxnOf } from './metaPages.js';

/** The part of lmdb-js's environment handle read here (not in its typings). */
interface LmdbEnv {
  readonly info: () => { readonly lastTxnId: number };
}

/**
 * What identifies an environment's last write: the file this process maps (a rebuild swaps in
 * another, which a reopen maps: `fileIno`, taken as it was opened) and its last write transaction
 * (from the environment's info: the meta page, a few µs; its stats would also walk the free list).
 * No system call: a page asks twice. Throws what LMDB threw.
 */
export const writeMarkOf = (fileIno: number, root: RootDatabase): string =>
  `${fileIno}:${(root as unknown as { env: LmdbEnv }).env.info().lastTxnId}`;

/**
 * The write mark of the environment in `dir` (as `writeMarkOf` gives it), read from its meta pages
 * without loading LMDB (no table, no migration, no lock: a warm token report, tokenWarmRecord.ts,
 * spent a fifth of its time loading lmdb-js for this); undefined when there is none to read.
 */
export const readWriteMark = (dir: string): string | undefined => {
  const c = committedTxnOf(dir);
  return c === undefined ? undefined : `${c.ino}:${c.txnId}`;
};
