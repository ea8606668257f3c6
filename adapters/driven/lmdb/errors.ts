import * as os from 'node:os';
import type { EngineError } from '../../../domain/errors.js';
import { ioError, isEngineError } from '../../../domain/errors.js';

const errnoName = (n: number): string | undefined =>
  n > 0 ? Object.entries(os.constants.errno).find(([, v]) => v === n)?.[0] : undefined;

/**
 * The one place where an LMDB (or its native binding's) failure becomes an EngineError: an Io
 * error carrying the index path, the operation and LMDB's code (MDB_MAP_FULL, EACCES, …).
 */
export const lmdbError =
  (path: string, op: string) =>
  (err: unknown): EngineError => {
    if (isEngineError(err)) return err;
    const e = err as { code?: unknown; message?: unknown };
    const message = typeof e?.message === 'string' ? e.message : String(err);
    const fromMessage = /MDB_[A-Z_]+/.exec(message)?.[0];
    // A positive number is an errno (13: EACCES) and is named like the file system's codes; LMDB's own are negative.
    const code =
      typeof e?.code === 'string'
        ? e.code
        : typeof e?.code === 'number'
          ? (errnoName(e.code) ?? `LMDB_${e.code}`)
          : (fromMessage ?? 'LMDB');
    return ioError(path, `lmdb ${op}`, code, message);
  };
