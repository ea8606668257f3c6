import * as fs from 'node:fs';
import * as nodePath from 'node:path';
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

/** Whether this user may use `path` as `mode` asks (`fs.constants.W_OK`, `X_OK`), as the OS says now. */
export const accessAllows = (path: string, mode: number): boolean => {
  try {
    fs.accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
};

/**
 * Which part of the way from `root` to `path` refuses this user a write, for the sentence a refusal
 * says: `root` when it may not be written at all, else the first folder that may not be passed, else
 * the nearest folder there is when it may not be added to, else the file, else the file's folder;
 * `undefined` when each allows it (an ACL, a race) or a link is on the way (nothing past it is
 * looked at). Called only after the write was refused: it changes nothing, and only names what it finds.
 */
export const refusingPartOf = (root: string, path: string): string | undefined => {
  if (!accessAllows(root, fs.constants.W_OK)) return root;
  const parts = nodePath.relative(root, path).split(nodePath.sep);
  let folder = root;
  for (const part of parts.slice(0, -1)) {
    if (!accessAllows(folder, fs.constants.X_OK)) return folder;
    const next = nodePath.join(folder, part);
    const entry = fs.lstatSync(next, { throwIfNoEntry: false });
    if (entry === undefined) return accessAllows(folder, fs.constants.W_OK) ? undefined : folder;
    // A link (swapped in since the write refused it): nothing beyond it is looked at, or named.
    if (!entry.isDirectory()) return undefined;
    folder = next;
  }
  if (!accessAllows(folder, fs.constants.X_OK)) return folder;
  const file = fs.lstatSync(path, { throwIfNoEntry: false });
  if (file !== undefined && !file.isFile()) return undefined;
  if (file !== undefined && !accessAllows(path, fs.constants.W_OK)) return path;
  // A new file, and a write to one there (its lock and marks are made beside it), adds to the folder.
  return accessAllows(folder, fs.constants.W_OK) ? undefined : folder;
};

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
