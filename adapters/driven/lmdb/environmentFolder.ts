import * as nodePath from 'node:path';

/**
 * The LMDB environment folder inside an index dir. On its own, without `lmdb`: `layout.ts` names
 * it for every command, and `--help` must not load the native store.
 */
export const lmdbDirOf = (indexDir: string): string => nodePath.join(indexDir, 'index');

/** The file of the lock kept beside LMDB's in that folder (environmentLock.ts). */
export const ENVIRONMENT_LOCK = 'environment.lock';
