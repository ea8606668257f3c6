import * as nodePath from 'node:path';

/**
 * The LMDB environment folder inside an index dir. On its own, without `lmdb`: `layout.ts` names
 * it for every command, and `--help` must not load the native store.
 */
export const lmdbDirOf = (indexDir: string): string => nodePath.join(indexDir, 'index');

/** The files LMDB keeps in an environment's folder. */
export const LMDB_FILES = ['data.mdb', 'lock.mdb'] as const;

/** The file of the lock kept beside LMDB's in that folder (environmentLock.ts). */
export const ENVIRONMENT_LOCK = 'environment.lock';

/** What an environment's folder holds besides the engine's marker. */
export const ENVIRONMENT_FILES: ReadonlyArray<string> = [...LMDB_FILES, ENVIRONMENT_LOCK];

/**
 * The files holding the fcntl locks of a process (LMDB's, SQLite's): never opened but by their
 * owner, since closing any descriptor of one drops every lock the process holds on it.
 */
export const LOCK_FILES: ReadonlyArray<string> = ['lock.mdb', ENVIRONMENT_LOCK];
