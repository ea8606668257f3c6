// A rollout's day folder held by handle from the check that it lies inside the home to the write
// or move that uses it: a folder swapped for a link meanwhile never takes a file out of the home.
import * as nodePath from 'node:path';
import { isInsideHome } from '../../fs/insideHome.js';
import type { HeldFolder } from '../../fs/heldFolder.js';
import { holdFolder } from '../../fs/heldFolder.js';

/** The mode of the day folders the engine makes: they hold conversation text, so never group- or world-readable, whatever the umask. */
export const ROLLOUT_DIR_MODE = 0o700;

/** The home's rollout folder `path` lies below (lexically, as the engine forms its paths), if any. */
const rolloutRootOf = (home: string | undefined, path: string): string | undefined =>
  home === undefined
    ? undefined
    : ['sessions', 'archived_sessions'].map((sub) => nodePath.join(home, sub)).find((root) => isInsideHome(root, path));

/**
 * The folder of the rollout `path` held by handle (`holdFolder`), made when `create` (a missing one
 * without it is ENOENT); undefined for a file outside the home's rollout folders (written by name).
 * `folderHeld`: a test's seam, called once the folder is held and before anything is made in it.
 */
export const holdRolloutFolder = async (
  home: string | undefined,
  path: string,
  create: boolean,
  folderHeld?: (path: string) => Promise<void>,
): Promise<HeldFolder | undefined> => {
  const root = rolloutRootOf(home, path);
  if (root === undefined) return undefined;
  const folder = await holdFolder(root, nodePath.dirname(path), { create, mode: ROLLOUT_DIR_MODE });
  try {
    await folderHeld?.(path);
  } catch (err) {
    await folder.close();
    throw err;
  }
  return folder;
};
