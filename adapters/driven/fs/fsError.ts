import type { EngineError } from '../../../domain/errors.js';
import { ioError, isEngineError, notFound } from '../../../domain/errors.js';

/**
 * The one place where an fs/OS failure of an adapter becomes an EngineError.
 * ENOENT is a NotFound (callers that treat a missing file as `noStream` check for it first);
 * everything else is an Io error carrying the errno code, the operation and the path.
 */
export const toEngineError =
  (path: string, op: string) =>
  (err: unknown): EngineError => {
    if (isEngineError(err)) return err;
    const code = errnoCode(err);
    if (code === 'ENOENT') return notFound('file', path);
    const message = err instanceof Error ? err.message : String(err);
    // A refused link names the path it found (a lock, a mark, a folder on the way), not the file the operation was for.
    return ioError(err instanceof LinkRefused ? err.path : path, op, code ?? 'UNKNOWN', message);
  };

/** The errno code of a Node fs error, if it is one. */
export const errnoCode = (err: unknown): string | undefined =>
  err !== null && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;

/** Codes of an OS refusal for want of permission (a read-only file system included). */
const PERMISSION_DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);

/** Whether an OS error's code is a refusal of this user's access. */
export const deniesAccess = (err: unknown): boolean => PERMISSION_DENIED.has(errnoCode(err) ?? '');

/** Whether an error is the OS refusing this user access: the user's to fix, so worth a clear sentence. */
export const isPermissionDenied = (e: EngineError): e is Extract<EngineError, { _tag: 'Io' }> =>
  e._tag === 'Io' && PERMISSION_DENIED.has(e.code);

/** The error every refusal of a link or a non-regular file throws (`noFollow.ts`): an fs-like error with its own code, mapped by `toEngineError` into an Io error. */
export class LinkRefused extends Error {
  readonly code = 'ELOOP';
  constructor(
    readonly path: string,
    readonly what: string,
  ) {
    super(`${path} is ${what}: refused (the engine opens its own files only as regular files, never through a link)`);
  }
}
