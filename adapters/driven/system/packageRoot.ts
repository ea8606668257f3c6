import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { parseJson } from '../../../domain/jsonNesting.js';

/**
 * The installed package's folder: the nearest one above this module that holds a package.json.
 * The module runs from tsc's output (`dist/adapters/driven/system/`) or from a chunk of the CLI bundle
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

const PackageJson = t.type({ version: t.string });
let version: string | undefined;

/** The installed package's version, from its package.json: what `--version` and `initialize`'s user agent say. */
export const engineVersion = (): string => {
  if (version !== undefined) return version;
  const decoded = PackageJson.decode(parseJson(fs.readFileSync(nodePath.join(packageRoot, 'package.json'), 'utf8')));
  if (E.isLeft(decoded)) throw new Error(`${nodePath.join(packageRoot, 'package.json')} has no string "version"`);
  version = decoded.right.version;
  return version;
};
