import * as fs from 'node:fs/promises';
import * as fsSync from 'node:fs';
import type { Dirent } from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../../domain/errors.js';
import { invalidArgument } from '../../../../domain/errors.js';
import { isInsideHome, outsideHome } from '../../fs/insideHome.js';
import type { RolloutFile } from '../../../../domain/rollout/rolloutFile.js';
import { parseRolloutFileName } from './rolloutFileName.js';
import { errnoCode, toEngineError } from '../../fs/fsError.js';
import type { ListedFolder } from '../../../../domain/index/homeStats.js';

// Declared in domain (what a rollout file is); its importers here read it as the listing's type.
export type { RolloutFile } from '../../../../domain/rollout/rolloutFile.js';

/**
 * Every rollout file of a CODEX_HOME: `sessions/**` (any depth; Codex uses YYYY/MM/DD) then the
 * flat `archived_sessions/`. Order is deterministic: active before archived, then by path (byte
 * order), which within `sessions/` is chronological. Missing folders are simply empty. Directory
 * reads of one level run concurrently (libuv pool), so 10k+ files take one readdir per folder.
 */
export const discoverRolloutFiles = (home: string): TE.TaskEither<EngineError, ReadonlyArray<RolloutFile>> =>
  TE.map((listing: RolloutHomeListing) => listing.files)(listRolloutHome(home, false));

/**
 * A home's rollout files as `discoverRolloutFiles` finds them, and (`withFolders`) each folder
 * listed, with its mtime when listed (taken before its entries: an entry added after leaves a
 * later mtime), null where it was too recent to vouch for a later look (`racyMsOf`), and the
 * roots that were not there: what a whole-home catch-up records for the next start
 * (domain/index/homeStats.ts).
 */
export interface RolloutHomeListing {
  readonly files: ReadonlyArray<RolloutFile>;
  readonly folders: ReadonlyArray<ListedFolder>;
  readonly absent: ReadonlyArray<string>;
}

export const listRolloutHome = (
  home: string,
  withFolders: boolean,
  /** The wall clock a folder's times are compared with to call them settled (a test's stands for time passed). */
  nowMs: () => number = Date.now,
): TE.TaskEither<EngineError, RolloutHomeListing> =>
  TE.tryCatch(
    async () => {
      const folders: Array<Omit<ListedFolder, 'files'>> | undefined = withFolders ? [] : undefined;
      const absent: string[] = [];
      const roots = [nodePath.join(home, 'sessions'), nodePath.join(home, 'archived_sessions')] as const;
      const [active, archived] = await Promise.all([
        walk(roots[0], true, nowMs, folders, absent),
        walk(roots[1], false, nowMs, folders, absent),
      ]);
      const toFiles = (entries: Entry[], isArchived: boolean): RolloutFile[] =>
        entries
          .sort((a, b) => byteOrder(a.path, b.path))
          .flatMap(({ path: p, refused }): RolloutFile[] => {
            const name = parseRolloutFileName(nodePath.basename(p));
            // A linked folder has no rollout name: reported under the name it has.
            if (name === undefined)
              return refused === undefined
                ? []
                : [{ path: p, archived: isArchived, fileTimestamp: '', threadId: '', refused }];
            const { fileTimestamp, threadId, revisionId } = name;
            // One literal a shape, not a spread: a home lists a file each, held through its catch-up,
            // and on Node 20 each spread copy got a hidden class of its own (8,823 revision files
            // of 100,000: 3.3 MB; domain/tokens/reportGroups.ts `accOf`).
            const named: RolloutFile =
              revisionId === undefined
                ? { path: p, archived: isArchived, fileTimestamp, threadId, root: home }
                : { path: p, archived: isArchived, fileTimestamp, threadId, root: home, revisionId };
            return [refused === undefined ? named : { ...named, refused }];
          });
      const files = [...toFiles(active, false), ...toFiles(archived, true)];
      if (folders === undefined) return { files, folders: [], absent: [] };
      const inFolder = new Map<string, string[]>(folders.map((f) => [f.path, []]));
      for (const f of files) inFolder.get(nodePath.dirname(f.path))?.push(f.path);
      return {
        files,
        folders: folders.map((f) => ({ ...f, files: inFolder.get(f.path) ?? [] })),
        absent: withFolders ? absent : [],
      };
    },
    (err) => toEngineError(home, 'discover')(err),
  );

/** An entry of a rollout folder: a candidate file, or one refused with the reason. */
interface Entry {
  readonly path: string;
  readonly refused?: string;
}

/**
 * Candidate entries (`rollout-*.jsonl`) below `dir`; a missing `dir` yields none. Only regular
 * files and real folders are followed: a link (to a file or a folder, inside the home or out, a
 * loop, a dangling one) or a FIFO, socket or device named like a rollout is returned refused, so
 * it is reported and skipped — one bad entry never takes the home down, and nothing is read or
 * written through a link that may lead out of the home.
 */
const walk = async (
  dir: string,
  recurse: boolean,
  nowMs: () => number,
  folders?: Array<Omit<ListedFolder, 'files'>>,
  absent?: string[],
): Promise<Entry[]> => {
  let entries: Dirent[];
  try {
    // Its times before its entries: an entry added after the listing leaves times it was not listed with.
    if (folders !== undefined) {
      const st = await fs.stat(dir);
      folders.push({ path: dir, mtimeMs: settledMtimeOf(st, nowMs()), ctimeMs: st.ctimeMs });
    }
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') {
      // A root that is not there (a folder below that went meanwhile is its parent's change).
      if (folders?.[folders.length - 1]?.path === dir) folders.pop();
      absent?.push(dir);
      return [];
    }
    const unreadable = unreadableFolder(err);
    if (unreadable !== undefined) {
      // Not vouched for (its listing was not seen): the next catch-up lists it again.
      const at = folders?.findIndex((f) => f.path === dir) ?? -1;
      if (at >= 0) folders?.splice(at, 1);
      return [{ path: dir, refused: unreadable }];
    }
    throw err;
  }
  const files: Entry[] = [];
  const subdirs: Promise<Entry[]>[] = [];
  const links: Promise<Entry | undefined>[] = [];
  for (const e of entries) {
    const full = nodePath.join(dir, e.name);
    const rolloutNamed = isRolloutNamed(e.name);
    if (e.isDirectory()) {
      if (recurse) subdirs.push(walk(full, true, nowMs, folders));
    } else if (e.isSymbolicLink()) {
      links.push(refusedLink(full, rolloutNamed, recurse));
    } else if (rolloutNamed) {
      files.push(
        e.isFile()
          ? { path: full }
          : { path: full, refused: 'not a regular file (a FIFO, socket or device): not read' },
      );
    }
  }
  for (const l of await Promise.all(links)) if (l !== undefined) files.push(l);
  for (const sub of await Promise.all(subdirs)) for (const f of sub) files.push(f);
  return files;
};

/**
 * The reason a folder that cannot be listed (its mode, another user's: EACCES or EPERM; EIO) is
 * refused, reported and skipped like an unreadable file; undefined for an error that is not the
 * folder's own. One day folder the engine may not read never takes the home down.
 */
export const unreadableFolder = (err: unknown): string | undefined => {
  const code = errnoCode(err);
  return code === 'EACCES' || code === 'EPERM' || code === 'EIO'
    ? `a folder that cannot be listed (${code}): skipped, its rollouts not read`
    : undefined;
};

const isRolloutNamed = (name: string): boolean => name.startsWith('rollout-') && name.endsWith('.jsonl');

/** A folder's mtime, or null when it changed too close to `nowMs` for a later look to trust that an equal mtime means equal entries (`racyMsOf`). */
export const settledMtimeOf = (st: fsSync.Stats, nowMs: number): number | null =>
  nowMs - Math.max(st.mtimeMs, st.ctimeMs) > racyMsOf(st) ? st.mtimeMs : null;

/**
 * One rollout folder as `listRolloutHome` lists it, now and synchronously: its regular rollout
 * files (named as rollouts) and, when `recurse`, its folders; `absent` when it is not there;
 * undefined when it holds what only the whole-home walk settles (a link, a FIFO, a socket or a
 * device named like a rollout).
 */
export const rolloutFolderNow = (
  dir: string,
  recurse: boolean,
): { readonly files: ReadonlyArray<string>; readonly folders: ReadonlyArray<string> } | 'absent' | undefined => {
  let entries: Dirent[];
  try {
    entries = fsSync.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return 'absent';
    return undefined;
  }
  const files: string[] = [];
  const folders: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) {
      if (recurse) folders.push(nodePath.join(dir, e.name));
    } else if (e.isSymbolicLink()) return undefined;
    else if (isRolloutNamed(e.name)) {
      if (!e.isFile()) return undefined;
      if (parseRolloutFileName(e.name) !== undefined) files.push(nodePath.join(dir, e.name));
    }
  }
  return { files, folders };
};

/** A link met in a rollout folder, as it is refused: named like a rollout, or leading to a folder (a day folder would be) — other links are not ours. */
const refusedLink = async (path: string, rolloutNamed: boolean, recurse: boolean): Promise<Entry | undefined> => {
  let target: fsSync.Stats | undefined;
  let broken: string | undefined;
  try {
    target = await fs.stat(path);
  } catch (err) {
    broken =
      errnoCode(err) === 'ELOOP'
        ? 'a symbolic link loop'
        : `a symbolic link that leads nowhere (${errnoCode(err) ?? 'error'})`;
  }
  if (target?.isDirectory() === true)
    return recurse || rolloutNamed ? { path, refused: 'a symbolic link to a folder: not followed' } : undefined;
  if (!rolloutNamed) return undefined;
  return {
    path,
    refused: `${broken ?? 'a symbolic link'}: not followed (rollouts are read and written only as regular files of CODEX_HOME)`,
  };
};

/** Code-unit order, locale-independent (paths here are ASCII). */
export const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * How long after a folder changed its times vouch for its entries: a file system's timestamps are
 * coarse (a clock tick), so a file created in the same tick as a listing would leave the times as
 * they were. `RACY_MS` where the times are whole seconds (a file system that keeps no finer ones),
 * `FINE_RACY_MS` where they carry fractions (Linux file systems stamp from the kernel's coarse
 * clock: a few ms) — a folder whose writer's lock comes and goes every 100 ms is then still listed
 * once per change, not per ask.
 */
const RACY_MS = 2000;
const FINE_RACY_MS = 50;
export const racyMsOf = (st: fsSync.Stats): number =>
  st.mtimeMs % 1000 !== 0 || st.ctimeMs % 1000 !== 0 ? FINE_RACY_MS : RACY_MS;

/** The rollout files at `paths` of `home`, as discovery would name them. */
export const rolloutFilesAt = (home: string, paths: ReadonlyArray<string>): E.Either<EngineError, RolloutFile[]> => {
  const files: RolloutFile[] = [];
  for (const path of paths) {
    if (!isInsideHome(home, path)) return E.left(outsideHome(home, path));
    const name = parseRolloutFileName(nodePath.basename(path));
    if (name === undefined) return E.left(invalidArgument('path', `not a rollout file name: ${path}`));
    const archived = nodePath.basename(nodePath.dirname(path)) === 'archived_sessions';
    const base = { path, archived, fileTimestamp: name.fileTimestamp, threadId: name.threadId };
    files.push(name.revisionId === undefined ? base : { ...base, revisionId: name.revisionId });
  }
  return E.right(files);
};
