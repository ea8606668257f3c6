import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';

let nextTemp = 0;

/** Test seam: runs between the complete temp file and the rename (a crash there must be harmless). */
export interface AtomicWriteHooks {
  readonly beforeRename?: (tempPath: string) => Promise<void>;
}

/**
 * Replace `path` with `data` so that readers (and a crash at any point) see the old file or the
 * new one, never a part: write a temp file beside it (`.<name>.<pid>.<n>.tmp`, same directory so
 * the rename cannot cross file systems), fsync it, rename over the target, fsync the directory.
 * The file gets `mode` whatever the umask (and whatever mode an older file had). A failed write
 * removes its temp file; one left by a killed process is never read (the name is not the target).
 */
export const writeFileAtomic = async (path: string, data: string, mode: number, hooks: AtomicWriteHooks = {}): Promise<void> => {
  const dir = nodePath.dirname(path);
  const temp = nodePath.join(dir, `.${nodePath.basename(path)}.${process.pid}.${nextTemp++}.tmp`);
  let renamed = false;
  try {
    const fh = await fs.open(temp, 'wx', mode);
    try {
      await fh.chmod(mode);
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await hooks.beforeRename?.(temp);
    await fs.rename(temp, path);
    renamed = true;
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } finally {
    if (!renamed) await fs.rm(temp, { force: true });
  }
};
