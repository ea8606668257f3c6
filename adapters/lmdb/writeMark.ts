import * as fs from 'node:fs';
import type { RootDatabase } from 'lmdb';

/** The part of lmdb-js's environment handle read here (not in its typings). */
interface LmdbEnv {
  readonly info: () => { readonly lastTxnId: number };
}

/**
 * What identifies an environment's last write: its file (a rebuild swaps in another) and its last
 * write transaction (from the environment's info: the meta page, a few µs; its stats would also
 * walk the free list). Throws what the file system or LMDB threw.
 */
export const writeMarkOf = (dir: string, root: RootDatabase): string =>
  `${fs.statSync(`${dir}/data.mdb`).ino}:${(root as unknown as { env: LmdbEnv }).env.info().lastTxnId}`;

/**
 * The write mark of the environment in `dir`, read without opening the index (no table, no
 * migration, no lock: a read-only open of the environment); undefined when there is none to read
 * or LMDB cannot open it (the caller then opens the index as usual and hears why).
 */
export const readWriteMark = async (dir: string): Promise<string | undefined> => {
  if (!fs.existsSync(`${dir}/data.mdb`)) return undefined;
  const { open } = await import('lmdb');
  let root: RootDatabase | undefined;
  try {
    root = open({ path: dir, noSubdir: false, readOnly: true });
    return writeMarkOf(dir, root);
  } catch {
    return undefined;
  } finally {
    await root?.close();
  }
};
