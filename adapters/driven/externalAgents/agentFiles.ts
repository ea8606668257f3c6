import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument } from '../../../domain/errors.js';
import { errnoCode } from '../fs/fsError.js';
import { isInsideHome } from '../fs/insideHome.js';

/**
 * How another agent's files are opened: never through a link (`O_NOFOLLOW`), never waiting
 * (`O_NONBLOCK`: a FIFO named like a session would otherwise block the open, and the libuv thread
 * running it, until a writer comes), and only a regular file once opened (`fstat`).
 */
const READ_FLAGS = fsSync.constants.O_RDONLY | fsSync.constants.O_NOFOLLOW | fsSync.constants.O_NONBLOCK;

/** Why a path is not read: a link, or not a regular file (a FIFO, socket or device). */
const refusalOf = (path: string, err: unknown): unknown =>
  errnoCode(err) === 'ELOOP' ? invalidArgument('path', `${path} is a symbolic link: not followed`) : err;

const notRegular = (path: string): EngineError =>
  invalidArgument('path', `${path} is not a regular file (a FIFO, socket or device): not read`);

/** Open a regular file for reading, as above; throws an `InvalidArgument` for a link or a special file. */
export const openRegularFile = async (path: string): Promise<FileHandle> => {
  let file: FileHandle;
  try {
    file = await fs.open(path, READ_FLAGS);
  } catch (err) {
    throw refusalOf(path, err);
  }
  try {
    if (!(await file.stat()).isFile()) throw notRegular(path);
    return file;
  } catch (err) {
    await file.close();
    throw err;
  }
};

/** Whether a path, its links resolved, is inside a folder (its links resolved too). */
export const realPathInside = async (path: string, folder: string): Promise<{ real: string } | { refused: string }> => {
  const [real, root] = await Promise.all([
    fs.realpath(path).catch(() => undefined),
    fs.realpath(folder).catch(() => undefined),
  ]);
  if (real === undefined || root === undefined) return { refused: `${path} cannot be resolved: not read` };
  return isInsideHome(root, real) ? { real } : { refused: `${path} leads out of ${folder} (to ${real}): not followed` };
};
