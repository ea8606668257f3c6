import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument } from '../../../domain/errors.js';

/**
 * Whether `path` lies inside the CODEX_HOME `home` (both absolute, as the engine forms them: the
 * home resolved, its files joined onto it). Lexical, so it costs no system call: the index records
 * the home its paths are rooted at and is rebuilt for any other (indexer/open/openIndex.ts), so
 * this is the second line of defence — nothing is read or written outside the home given.
 */
export const isInsideHome = (home: string, path: string): boolean => {
  const rel = nodePath.relative(home, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${nodePath.sep}`) && !nodePath.isAbsolute(rel);
};

/** The refusal of a path outside the home: it can only come from an index of another home. */
export const outsideHome = (home: string, path: string): EngineError =>
  invalidArgument(
    'path',
    `${path} is outside CODEX_HOME ${home}: refused (an index of another home? rebuild it: rollout-engine index --rebuild)`,
  );

/** `path` with its links resolved as far as it exists (the index may not exist yet), and the real path of that existing part. */
export const resolvedAsFarAsItExists = (path: string): { readonly target: string; readonly existing: string } => {
  let at = path;
  for (;;) {
    try {
      const existing = fs.realpathSync(at);
      return { target: nodePath.join(existing, nodePath.relative(at, path)), existing };
    } catch {
      const up = nodePath.dirname(at);
      if (up === at) return { target: path, existing: at };
      at = up;
    }
  }
};

/** Whether `path` is `root` or below it (both real or both lexical). */
export const within = (root: string, path: string): boolean => path === root || path.startsWith(root + nodePath.sep);

/**
 * `path` as the home names it: relative to `home`, `/`-separated (the watermarks of Codex's
 * backfill, the event store's file names). A path the engine joined onto the home is sliced, not
 * walked by `path.relative` (every checkpoint's, at each catch-up of a home without a state DB).
 */
export const homeRelativePath = (home: string, path: string): string => {
  const inside = within(home, path) ? path.slice(home.length + 1) : nodePath.relative(home, path);
  return nodePath.sep === '/' ? inside : inside.split(nodePath.sep).join('/');
};

/**
 * Whether the folder `path` is written into is, links resolved, inside the home's rollout folders
 * (`sessions/`, `archived_sessions/`, wherever those lead): a day folder that is a link out of the
 * home is refused before a file is created in it. (The file itself is opened with O_NOFOLLOW.)
 */
export const writesInsideHome = (home: string, path: string): boolean => {
  const target = resolvedAsFarAsItExists(nodePath.dirname(path)).target;
  return ['sessions', 'archived_sessions'].some((sub) =>
    within(resolvedAsFarAsItExists(nodePath.join(home, sub)).target, target),
  );
};
