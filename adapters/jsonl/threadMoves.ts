import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as E from 'fp-ts/lib/Either.js';
import { invalidArgument, notFound, rejected } from '../../domain/errors.js';
import type { EngineError } from '../../domain/errors.js';
import type { ThreadHomeFiles } from '../../replay/ports.js';
import { parseRolloutFileName } from './rolloutFileName.js';
import { appendThreadName, forgetThreadNames } from './sessionIndex.js';
import type { HeldLock } from '../fs/lockFile.js';
import { acquireLock, lockPathFor, releaseLock } from '../fs/lockFile.js';
import { toEngineError } from '../fs/fsError.js';
import { writesInsideHome } from '../fs/insideHome.js';

/** A rollout name's day folder under `sessions/`: `YYYY/MM/DD` from the time in its name (Codex's unarchive puts it back there). */
const dayFolderOf = (home: string, path: string): string | undefined => {
  const name = parseRolloutFileName(nodePath.basename(path));
  if (name === undefined) return undefined;
  const [y, m, d] = name.fileTimestamp.slice(0, 10).split('-');
  return nodePath.join(home, 'sessions', y!, m!, d!);
};

const conflictAt = (path: string): EngineError => rejected(`a rollout file is already at ${path}`);

/** Each move is one `rename` (atomic on one file system, as Codex moves them); a target that exists is refused, not replaced. */
const moveAll = (home: string, targets: ReadonlyArray<readonly [string, string]>): TE.TaskEither<EngineError, string[]> =>
  TE.tryCatch(
    async () => {
      const out: string[] = [];
      for (const [from, to] of targets) {
        // Neither end through a day folder linking out of the home (a file would be moved out, or in).
        for (const p of [from, to]) if (!writesInsideHome(home, p)) throw invalidArgument('path', `${p} is reached through a link out of CODEX_HOME ${home}: refused`);
        await fs.mkdir(nodePath.dirname(to), { recursive: true, mode: 0o700 });
        if (
          await fs.lstat(to).then(
            () => true,
            () => false,
          )
        )
          throw conflictAt(to);
        await fs.rename(from, to);
        out.push(to);
      }
      return out;
    },
    (err) => toEngineError(targets[0]?.[0] ?? '', 'move rollout')(err),
  );

const exists = (path: string): Promise<boolean> =>
  fs.lstat(path).then(
    () => true,
    () => false,
  );

/**
 * `work` under the writer locks of `paths` (`<file>.lock`, as appends and revisions take them),
 * taken in one order in every process so two holders of several never wait on each other.
 */
const underWriterLocks =
  <A>(paths: ReadonlyArray<string>, work: TE.TaskEither<EngineError, A>): TE.TaskEither<EngineError, A> =>
  async () => {
    const held: HeldLock[] = [];
    const sorted = [...new Set(paths)].sort();
    try {
      for (const path of sorted) {
        // A missing file's folder may be gone too: no lock is made for it.
        if (!(await exists(path))) return E.left(notFound('rollout file', path));
        held.push(await acquireLock(lockPathFor(path)));
        if (!(await exists(path))) return E.left(notFound('rollout file', path));
      }
      return await work();
    } catch (err) {
      return E.left(toEngineError(sorted[0] ?? '', 'lock rollout')(err));
    } finally {
      for (const lock of held.reverse()) await releaseLock(lock).catch(() => false);
    }
  };

/** Thread management's file operations on a CODEX_HOME, as Codex performs them. */
export const threadHomeFiles = (home: string): ThreadHomeFiles => ({
  appendThreadName: (threadId, name, at) => appendThreadName(home, threadId, name, at),
  forgetThreadNames: (threadId) => forgetThreadNames(home, threadId),
  archive: (paths) =>
    moveAll(
      home,
      paths.map((p) => [p, nodePath.join(home, 'archived_sessions', nodePath.basename(p))] as const),
    ),
  unarchive: (paths) => {
    const targets: Array<readonly [string, string]> = [];
    for (const p of paths) {
      const day = dayFolderOf(home, p);
      if (day === undefined) return TE.left(invalidArgument('path', `not a rollout file name: ${p}`));
      targets.push([p, nodePath.join(day, nodePath.basename(p))]);
    }
    return moveAll(home, targets);
  },
  remove: (paths) =>
    TE.tryCatch(
      async () => {
        for (const p of paths) await fs.rm(p, { force: true });
      },
      (err) => toEngineError(paths[0] ?? '', 'delete rollout')(err),
    ),
  underWriterLocks,
});
