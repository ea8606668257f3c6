import * as fs from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { invalidArgument, notFound } from '../../domain/errors.js';
import { errnoCode, toEngineError } from '../../adapters/driven/fs/fsError.js';

/**
 * Which CODEX_HOME an index describes. The index stores absolute paths, so it is only valid for
 * the home it was built from: a copied or moved home (its `.rollout-engine/` comes along) must be
 * re-rooted before anything is read or written through those paths (indexer/open/openIndex.ts).
 */
export interface HomeIdentity {
  /** The home as given, resolved: every path the index stores begins with it. */
  readonly root: string;
  /** Its real path (links resolved): the same name re-pointed at another folder is another home. */
  readonly realPath: string;
}

/**
 * The identity of an existing home. A home that is not there (a misspelled `--codex-home`) is
 * NotFound and one that is not a folder InvalidArgument, before anything is created: a home is
 * never made up. A home without `sessions/` is fine (Codex creates it lazily).
 */
export const homeIdentityOf =
  (root: string): TE.TaskEither<EngineError, HomeIdentity> =>
  async () => {
    try {
      const realPath = await fs.realpath(root);
      if (!(await fs.stat(realPath)).isDirectory())
        return E.left(invalidArgument('CODEX_HOME', `not a directory: ${root}`));
      return E.right({ root, realPath });
    } catch (err) {
      const code = errnoCode(err);
      // ENOTDIR: a part of the path is a file, so there is no such folder either.
      if (code === 'ENOENT' || code === 'ENOTDIR') return E.left(notFound('CODEX_HOME', root));
      return E.left(toEngineError(root, 'open CODEX_HOME')(err));
    }
  };

/** Whether two identities name the same home (both the paths the index is rooted at and the folder they reach). */
export const sameHome = (a: HomeIdentity, b: HomeIdentity): boolean => a.root === b.root && a.realPath === b.realPath;
