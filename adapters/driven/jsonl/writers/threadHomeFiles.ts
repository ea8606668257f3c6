import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../../domain/errors.js';
import { invalidArgument, notFound, rejected } from '../../../../domain/errors.js';
import type { ThreadHomeFiles } from '../../../../replay/ports.js';
import type { HeldLock } from '../../fs/lockFile.js';
import { acquireLock, lockPathFor, releaseLock } from '../../fs/lockFile.js';
import { LinkRefused, toEngineError } from '../../fs/fsError.js';
import { writesInsideHome } from '../../fs/insideHome.js';
import { holdPoint } from '../../system/holdPoint.js';
import { holdRolloutFolder } from './rolloutFolder.js';
import { dayFolderOf } from '../home/rolloutFileName.js';
import { appendThreadName, forgetThreadNames } from './sessionIndexWriter.js';
import { carrySupersededMark } from './homeFacts.js';

/**
 * Where rollout files live — archive, unarchive and delete, as Codex performs them, each move one
 * `rename` with both day folders held by handle — and the `ThreadHomeFiles` port thread management
 * writes the home through (names through `sessionIndexWriter.ts`, moves under the rollouts' writer
 * locks). One of the home's fact writers (`homeFacts.ts` holds the rules they share).
 */

const conflictAt = (path: string): EngineError => rejected(`a rollout file is already at ${path}`);

/**
 * Each move is one `rename` (atomic on one file system, as Codex moves them), then, when `touch`,
 * its modification time set to now; a target that exists is refused, not replaced. `replayed` (a node's copy applying a move again after a kill): a
 * source already gone was moved.
 */
/** Test seam: called once a move's folder (of `path`, either end) is held, before anything moves. */
export type MoveFolderHeld = (path: string) => Promise<void>;

const moveAll = (
  home: string,
  targets: ReadonlyArray<readonly [string, string]>,
  replayed = false,
  touch = false,
  folderHeld?: MoveFolderHeld,
): TE.TaskEither<EngineError, string[]> =>
  TE.tryCatch(
    async () => {
      const out: string[] = [];
      const movedTo = new Map(targets.map(([from, to]) => [nodePath.resolve(from), nodePath.resolve(to)]));
      for (const [from, to] of targets) {
        await holdPoint('rollout.move.before');
        if (replayed && !(await exists(from))) continue;
        // Neither end through a day folder linking out of the home (a file would be moved out, or in).
        for (const p of [from, to])
          if (!writesInsideHome(home, p))
            throw invalidArgument('path', `${p} is reached through a link out of CODEX_HOME ${home}: refused`);
        // Both folders held by handle from that check to the rename, as the writer holds its own: a
        // day folder swapped for a link meanwhile is refused (LinkRefused), never moved through.
        const source = await holdRolloutFolder(home, from, false, folderHeld);
        try {
          const target = await holdRolloutFolder(home, to, true, folderHeld);
          try {
            const [fromAt, toAt] = [
              source?.at(nodePath.basename(from)) ?? from,
              target?.at(nodePath.basename(to)) ?? to,
            ];
            if (await exists(toAt)) throw conflictAt(to);
            await fs.rename(fromAt, toAt);
            // Held folders moved away meanwhile (out of the home, a link left in their place): the move is taken back and refused.
            if (!((await source?.stillAt()) ?? true) || !((await target?.stillAt()) ?? true)) {
              await fs.rename(toAt, fromAt).catch(() => undefined);
              throw new LinkRefused(
                nodePath.dirname(to),
                'a day folder of this move is no longer the folder it was when held (moved, or replaced by a link): the move is taken back',
              );
            }
            // A superseded file stays refused to writers where it now lies (`supersededMark.ts`).
            await carrySupersededMark(from, fromAt, to, toAt, movedTo);
            // Codex's unarchive touches the file it restores: the thread comes back as just updated.
            if (touch) {
              const now = new Date();
              await fs.utimes(toAt, now, now);
            }
          } catch (err) {
            throw target?.named(err) ?? err;
          } finally {
            await target?.close();
          }
        } catch (err) {
          throw source?.named(err) ?? err;
        } finally {
          await source?.close();
        }
        out.push(to);
      }
      await holdPoint('rollout.move.done');
      return out;
    },
    (err) => toEngineError(targets[0]?.[0] ?? '', 'move rollout')(err),
  );

/** A node's copy moves its file where the store says it now lives (archived, unarchived); applied again after a kill, it is done. */
export const moveRolloutFile = (home: string, from: string, to: string): TE.TaskEither<EngineError, string[]> =>
  moveAll(home, [[from, to]], true);

/** Deleted files (thread/delete): gone, whether they were there or not. */
export const removeRolloutFiles = (paths: ReadonlyArray<string>): TE.TaskEither<EngineError, void> =>
  TE.tryCatch(
    async () => {
      for (const p of paths) await fs.rm(p, { force: true });
    },
    (err) => toEngineError(paths[0] ?? '', 'delete rollout')(err),
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
      await holdPoint('writerLocks.acquiring');
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
export const threadHomeFiles = (home: string, folderHeld?: MoveFolderHeld): ThreadHomeFiles => ({
  appendThreadName: (threadId, name, at) => appendThreadName(home, threadId, name, at),
  forgetThreadNames: (threadId) => forgetThreadNames(home, threadId),
  archive: (paths) =>
    moveAll(
      home,
      paths.map((p) => [p, nodePath.join(home, 'archived_sessions', nodePath.basename(p))] as const),
      false,
      false,
      folderHeld,
    ),
  unarchive: (paths) => {
    const targets: Array<readonly [string, string]> = [];
    for (const p of paths) {
      const day = dayFolderOf(home, p);
      if (day === undefined) return TE.left(invalidArgument('path', `not a rollout file name: ${p}`));
      targets.push([p, nodePath.join(day, nodePath.basename(p))]);
    }
    return moveAll(home, targets, false, true, folderHeld);
  },
  remove: removeRolloutFiles,
  underWriterLocks,
});
