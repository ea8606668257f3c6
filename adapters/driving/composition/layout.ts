import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { ENVIRONMENT_FILES, lmdbDirOf } from '../../driven/lmdb/environmentFolder.js';
import { accessAllows } from '../../driven/fs/fsError.js';

/**
 * node:crypto, loaded when a cache folder is named (an index dir the user cannot write): every
 * command loads this module at start, and loading crypto was a visible share of a warm `tokens` run.
 */
const sha256Hex = (text: string): string =>
  (createRequire(import.meta.url)('node:crypto') as typeof Crypto).createHash('sha256').update(text).digest('hex');

/** `--codex-home`, else `$CODEX_HOME`, else `~/.codex` (as Codex itself resolves it). */
export const resolveCodexHome = (flag: string | undefined): string =>
  nodePath.resolve(flag ?? process.env['CODEX_HOME'] ?? nodePath.join(os.homedir(), '.codex'));

/** `--index-dir`, else `<codex-home>/.rollout-engine/`. */
export const resolveIndexDir = (codexHome: string, flag: string | undefined): string =>
  nodePath.resolve(flag ?? nodePath.join(codexHome, '.rollout-engine'));

/** Where a home's index goes. */
export interface IndexPlace {
  readonly indexDir: string;
  /** The home's own index folder, when this user cannot write it and the index went to the cache instead. */
  readonly unwritable?: string;
}

/** What `chooseIndexDir` asks of the system (passed in, so the choice is testable as any user: root writes everywhere). */
export interface IndexPlaceProbe {
  /** Whether this user can create or write an index in the folder. */
  readonly canWrite: (indexDir: string) => boolean;
  /** The per-user cache folder for this home's index. */
  readonly cacheDir: () => string;
}

/**
 * Where the index of `codexHome` lives: `--index-dir` as given (one this user cannot write is an
 * error when it is opened: asked for, never silently moved); else the home's own
 * `.rollout-engine/`, unless this user cannot write there (auditing someone else's home), then the
 * per-user cache — reading a home never needs write access to it.
 */
export const chooseIndexDir = (codexHome: string, flag: string | undefined, probe: IndexPlaceProbe): IndexPlace => {
  const indexDir = resolveIndexDir(codexHome, flag);
  if (flag !== undefined || probe.canWrite(indexDir)) return { indexDir };
  return { indexDir: probe.cacheDir(), unwritable: indexDir };
};

/**
 * The cache folder of a home's index: `$XDG_CACHE_HOME/rollout-engine/<hash>/`, else
 * `~/.cache/rollout-engine/<hash>/` (a relative or empty XDG_CACHE_HOME is ignored, as the XDG
 * spec says), `<hash>` the start of the SHA-256 of the home's real path: one folder per home, the
 * same one whichever way the home is reached. (The index records its home too, so a collision
 * would rebuild, never mix.)
 */
export const cacheIndexDirOf = (homeRealPath: string, xdgCacheHome: string | undefined, userHome: string): string => {
  const base =
    xdgCacheHome !== undefined && nodePath.isAbsolute(xdgCacheHome) ? xdgCacheHome : nodePath.join(userHome, '.cache');
  return nodePath.join(base, 'rollout-engine', sha256Hex(homeRealPath).slice(0, 16));
};

/**
 * Whether this user can create or write an index in `indexDir`: the nearest folder that exists
 * on the way to it is writable, and so is every part of the index already there (its folders,
 * LMDB's data and lock files — LMDB writes its lock file even to read — and the environment's lock).
 */
export const canWriteIndexDir = (indexDir: string): boolean => {
  let existing = indexDir;
  while (!fs.existsSync(existing) && nodePath.dirname(existing) !== existing) existing = nodePath.dirname(existing);
  const lmdb = lmdbDirOf(indexDir);
  const parts = [indexDir, lmdb, ...ENVIRONMENT_FILES.map((f) => nodePath.join(lmdb, f))].filter((p) =>
    fs.existsSync(p),
  );
  return [existing, ...parts].every((p) => accessAllows(p, fs.constants.W_OK));
};

const isDirectory = (path: string): boolean => fs.statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;

/** `chooseIndexDir` on this system, as this user. */
export const locateIndexDir = (codexHome: string, flag: string | undefined): IndexPlace =>
  chooseIndexDir(codexHome, flag, {
    // A home that is not there keeps its default: opening it says so (and creates nothing).
    canWrite: (dir) => !isDirectory(codexHome) || canWriteIndexDir(dir),
    cacheDir: () => cacheIndexDirOf(fs.realpathSync(codexHome), process.env['XDG_CACHE_HOME'], os.homedir()),
  });
