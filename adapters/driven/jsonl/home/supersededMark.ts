import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { readTextBelowSync } from '../../fs/heldRead.js';
import { errnoCode } from '../../fs/fsError.js';

/**
 * `<file>.superseded`: a rollout file that a revision replaced as its thread's current file. A
 * revision does not touch the file it cuts (Codex's revision files only name the cut), so without
 * this mark an append that checked the file's end would still succeed after a revision was cut
 * there — and its acknowledged line would sit above the cut, outside the history. Written and read
 * only under the file's lock: the revision writer marks the file (naming the revision) before it
 * creates the revision; a writer that takes the lock and finds the mark with its revision present
 * gets Conflict; a mark whose revision is absent was left by a writer killed in between (it no
 * longer holds the lock) and is removed. Marks are written by `homeFacts.ts`, as every home fact.
 */
export const supersededMarkOf = (file: string): string => `${file}.superseded`;

/**
 * Under the file's lock: the revision that replaced `file`, if one did (an abandoned mark is
 * removed). `folder`: the file's folder as the writer holds it (named through its handle); the
 * revision the mark names is found from the file's own folder, where it may lie in another day's.
 */
export const supersededBy = async (file: string, folder = nodePath.dirname(file)): Promise<string | undefined> => {
  const mark = supersededMarkOf(nodePath.join(folder, nodePath.basename(file)));
  let named: string;
  try {
    // The rollout's folder is checked by the writer (inside the home); the mark is never read through a link.
    // Looked for at once (almost always absent): each append looks, and under load a trip through the thread pool waits a turn.
    named = readTextBelowSync(nodePath.dirname(mark), mark).trim();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  const revision = named === '' || named.includes('\n') ? undefined : nodePath.resolve(nodePath.dirname(file), named);
  if (
    revision !== undefined &&
    (await fs.stat(revision).then(
      () => true,
      (err: unknown) => (errnoCode(err) === 'ENOENT' ? false : Promise.reject(err)),
    ))
  )
    return revision;
  await fs.unlink(mark).catch((err: unknown) => (errnoCode(err) === 'ENOENT' ? undefined : Promise.reject(err)));
  return undefined;
};
