import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installed package's folder: the nearest one above this module that holds a package.json.
 * The module runs from tsc's output (`dist/adapters/system/`) or from a chunk of the CLI bundle
 * (`dist/cli/`), at different depths, so the package's own files (package.json, `dist/viewer/`)
 * are found from here rather than by a path relative to the module.
 */
export const packageRoot: string = (() => {
  const start = nodePath.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ;) {
    if (fs.existsSync(nodePath.join(dir, 'package.json'))) return dir;
    const up = nodePath.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
})();
