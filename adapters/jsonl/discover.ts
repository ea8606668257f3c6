import * as fs from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import * as nodePath from 'node:path';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { parseRolloutFileName } from './rolloutFileName.js';
import { errnoCode, toEngineError } from './toEngineError.js';

/** A rollout file found under a CODEX_HOME, as named on disk (`archived` = in `archived_sessions/`). */
export interface RolloutFile {
  readonly path: string;
  readonly archived: boolean;
  /** ISO-8601 UTC from the file name. */
  readonly fileTimestamp: string;
  readonly threadId: string;
  readonly revisionId?: string;
}

/**
 * Every rollout file of a CODEX_HOME: `sessions/**` (any depth; Codex uses YYYY/MM/DD) then the
 * flat `archived_sessions/`. Order is deterministic: active before archived, then by path (byte
 * order), which within `sessions/` is chronological. Missing folders are simply empty. Directory
 * reads of one level run concurrently (libuv pool), so 10k+ files take one readdir per folder.
 */
export const discoverRolloutFiles = (home: string): TE.TaskEither<EngineError, ReadonlyArray<RolloutFile>> =>
  TE.tryCatch(
    async () => {
      const [active, archived] = await Promise.all([walk(nodePath.join(home, 'sessions'), true), walk(nodePath.join(home, 'archived_sessions'), false)]);
      const toFiles = (paths: string[], isArchived: boolean): RolloutFile[] =>
        paths.sort(byteOrder).flatMap((p) => {
          const name = parseRolloutFileName(nodePath.basename(p));
          if (name === undefined) return [];
          const base = { path: p, archived: isArchived, fileTimestamp: name.fileTimestamp, threadId: name.threadId };
          return [name.revisionId === undefined ? base : { ...base, revisionId: name.revisionId }];
        });
      return [...toFiles(active, false), ...toFiles(archived, true)];
    },
    (err) => toEngineError(home, 'discover')(err),
  );

/** Candidate file paths (`rollout-*.jsonl`) below `dir`; a missing `dir` yields none. */
const walk = async (dir: string, recurse: boolean): Promise<string[]> => {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return [];
    throw err;
  }
  const files: string[] = [];
  const subdirs: Promise<string[]>[] = [];
  for (const e of entries) {
    const full = nodePath.join(dir, e.name);
    if (e.isDirectory()) {
      if (recurse) subdirs.push(walk(full, true));
    } else if ((e.isFile() || e.isSymbolicLink()) && e.name.startsWith('rollout-') && e.name.endsWith('.jsonl')) {
      files.push(full);
    }
  }
  for (const sub of await Promise.all(subdirs)) for (const f of sub) files.push(f);
  return files;
};

/** Code-unit order, locale-independent (paths here are ASCII). */
const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Revision files of one thread (`rollout-<ts>-<threadId>_<revisionId>.jsonl`) in the day folders
 * of `sessions/` dated `sinceDate` (YYYY-MM-DD, the date part of a rollout file name) or later.
 * A revert writes its revision into the folder of the revert's date, never an earlier one, so a
 * thread's new revisions are found by listing a few folders instead of the whole home.
 */
export const discoverRevisionFiles = (home: string, threadId: string, sinceDate: string): TE.TaskEither<EngineError, ReadonlyArray<RolloutFile>> =>
  TE.tryCatch(
    async () => {
      const root = nodePath.join(home, 'sessions');
      const [y0, m0, d0] = sinceDate.split('-');
      const out: RolloutFile[] = [];
      const dirs = async (dir: string, keep: (name: string) => boolean): Promise<string[]> => {
        try {
          return (await fs.readdir(dir, { withFileTypes: true }))
            .filter((e) => e.isDirectory() && keep(e.name))
            .map((e) => e.name)
            .sort(byteOrder);
        } catch (err) {
          if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return [];
          throw err;
        }
      };
      for (const y of await dirs(root, (n) => n >= y0!)) {
        for (const m of await dirs(nodePath.join(root, y), (n) => y > y0! || n >= m0!)) {
          for (const d of await dirs(nodePath.join(root, y, m), (n) => y > y0! || m > m0! || n >= d0!)) {
            const dir = nodePath.join(root, y, m, d);
            for (const name of (await fs.readdir(dir)).sort(byteOrder)) {
              const parsed = parseRolloutFileName(name);
              if (parsed?.revisionId === undefined || parsed.threadId !== threadId) continue;
              out.push({ path: nodePath.join(dir, name), archived: false, fileTimestamp: parsed.fileTimestamp, threadId, revisionId: parsed.revisionId });
            }
          }
        }
      }
      return out;
    },
    (err) => toEngineError(home, 'discover revisions')(err),
  );
