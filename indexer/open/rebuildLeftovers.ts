import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { whereabouts } from '../../adapters/driven/system/processIdentity.js';
import { refusedIndexFolder, removeIndexFolder } from '../../adapters/driven/lmdb/indexFolder.js';

/**
 * A rebuild builds beside the index (`<index>.rebuild-<pid>` from `index --rebuild`,
 * `<index>-rebuild-<pid>` from a migration's rebuild) and moves the old one aside
 * (`….old-<pid>`, `…-old-<pid>`) for the swap. A rebuild killed meanwhile left them for good
 * (hundreds of MB each); the next rebuild or `index` removes those whose process is gone (its pid
 * and, for a reused pid, a process started after the folder was) and that are the engine's own
 * (lmdb/indexFolder.ts: a folder of the user's named alike is never touched). Returns the folders removed.
 */
export const removeDeadRebuilds = async (lmdbDir: string): Promise<string[]> => {
  const parent = nodePath.dirname(lmdbDir);
  const base = nodePath.basename(lmdbDir);
  const pattern = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[.-](?:rebuild|old)-(\\d+)$`);
  const names = await fs.readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (m === null) continue;
    const path = nodePath.join(parent, name);
    const mtimeMs = await fs.stat(path).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    if (mtimeMs === undefined || whereabouts({ pid: Number(m[1]), host: os.hostname() }, mtimeMs) !== 'gone') continue;
    // Only the engine's own environments: a folder of the user's that happens to match is left be.
    if (refusedIndexFolder(path) !== undefined) continue;
    if (await removeIndexFolder(path)) removed.push(path);
  }
  return removed;
};
