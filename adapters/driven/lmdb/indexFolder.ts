import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as nodePath from 'node:path';
import { open } from 'lmdb';
import type { EngineError } from '../../../domain/errors.js';
import { corrupt, invalidArgument } from '../../../domain/errors.js';
import { DB_NAMES, SCHEMA_VERSION_KEY } from './schema.js';
import { currentOf, metasOf } from './metaPages.js';
import type { EnvironmentFile } from './metaPages.js';
import { ownLikeFolderSync, ownMadeFoldersSync } from '../fs/ownership.js';
import { chmodNoFollowSync, refuseLinkSync } from '../fs/noFollow.js';
import { ENVIRONMENT_FILES, LOCK_FILES } from './environmentFolder.js';

export type { EnvironmentFile } from './metaPages.js';

/**
 * Which folders are the engine's index environments. `--index-dir DIR` makes `DIR/index` the LMDB
 * folder, and a rebuild renames it away and deletes it: a folder a user keeps there (notes, another
 * program's data) must never be chmodded, filled, moved or deleted. So an environment folder carries
 * a marker file written when the engine creates it, and only a folder the engine recognises as its
 * own is opened, swapped or removed:
 *
 * - with the marker: made by the engine;
 * - without it but holding only LMDB's `data.mdb` / `lock.mdb`, with the engine's schema version
 *   key in its `meta` table: an index made by an engine from before the marker; it gets the marker
 *   the first time it is opened;
 * - empty: nothing in it to lose (also what a process killed between `mkdir` and the marker leaves);
 *   it is taken as the engine's and gets the marker.
 *
 * Anything else — other files, a link, a file, an LMDB environment of another program — is refused
 * with InvalidArgument saying what was found and what to do.
 */
export const INDEX_MARKER = 'rollout-engine-index';

const MARKER_TEXT =
  'This folder is a rollout-engine index (an LMDB environment). rollout-engine may rebuild, move or delete it; it is rebuilt from the rollout files.\n';

const isEnvironmentFile = (name: string): boolean => ENVIRONMENT_FILES.includes(name);

/** What is at the place of an index environment. */
export type IndexFolder =
  | { readonly kind: 'absent' }
  | { readonly kind: 'engine'; readonly marked: boolean }
  | { readonly kind: 'foreign'; readonly found: string };

/**
 * LMDB trusts its file and maps it: an environment whose meta pages are garbage (a disk error, a
 * stray write) crashed the process with SIGSEGV on open, and one cut short (a truncated copy, a
 * full disk) killed every command with SIGBUS at its first read past the end, `repair` included.
 * So the file is checked against LMDB's own record of it before LMDB sees it, in a few reads:
 *
 * - its two meta pages (pages 0 and 1) carry, after the 24-byte page header, the magic
 *   0xBEEFC0DE and the data version 2 (`MDB_meta`: magic, version, address, map size, then the
 *   free and main databases' `MDB_db`s of 48 bytes, the first one's `md_pad` being the page
 *   size; then `mm_last_pg` and `mm_txnid`);
 * - the file holds every page up to the last one used (`(mm_last_pg + 1) * page size` bytes);
 * - the root pages of the free and main databases are pages of that file that say they are
 *   (their header's page number is their own) and are branch or leaf pages.
 *
 * A file failing any is refused as Corrupt, saying what to run. (Damage to other pages is not
 * looked for: that is a full read of the index.)
 */
const META_AT = 24;
const NO_PAGE = 0xffffffffffffffffn;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;

/** What `rebuild` says to run: the index holds nothing the rollouts do not. */
export const REBUILD_ADVICE =
  'run `rollout-engine repair` (or `rollout-engine index --rebuild`) with the same --codex-home and --index-dir: it is rebuilt from the rollouts';

/** A check's verdict, with the transaction whose meta page it read (undefined when none could be). */
interface Check {
  readonly damage: string | undefined;
  readonly txnId: bigint | undefined;
}

/**
 * One pass of the checks. The meta pages are read before the size: another process may commit
 * while the check runs, and LMDB only ever grows its file and writes a transaction's pages before
 * its meta page, so a size taken after the meta holds every page that meta names (taken before,
 * a commit in between made a whole index look cut short: a compat run's `read` beside a writer).
 */
const checkOnce = (file: EnvironmentFile): Check => {
  const metas = metasOf(file);
  if (metas.length === 0) return { damage: 'not an LMDB environment (its meta pages are damaged)', txnId: undefined };
  const current = currentOf(metas);
  const found = (damage: string | undefined): Check => ({ damage, txnId: current.txnId });
  const { pageSize } = current;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    return found(`its meta page names a page size of ${pageSize} bytes`);
  const lastPage = metas.reduce((most, m) => (m.lastPage > most ? m.lastPage : most), 0n);
  const needed = (lastPage + 1n) * BigInt(pageSize);
  const size = file.size();
  if (BigInt(size) < needed)
    return found(`data.mdb is ${size} bytes, shorter than the ${needed} its environment uses (cut short)`);
  const page = Buffer.alloc(META_AT);
  for (const root of current.roots) {
    if (root === NO_PAGE) continue;
    if (root > lastPage) return found(`a database's root page ${root} lies past the last page ${lastPage}`);
    const got = file.read(page, Number(root) * pageSize);
    const flags = page.readUInt16LE(18);
    if (got < META_AT || page.readBigUInt64LE(0) !== root || (flags & (P_BRANCH | P_LEAF)) === 0)
      return found(`a database's root page ${root} is damaged`);
  }
  return found(undefined);
};

/** How many passes a check makes while other processes keep committing, before it takes the file as live, not damaged. */
export const CHECK_PASSES = 5;

/**
 * Why LMDB's file cannot be trusted, or undefined. Damage counts only when the file held still
 * through the pass that found it (the same current transaction before and after): a root page
 * the check read may have been freed and reused by commits made since its meta page was read (no
 * reader slot holds it), and an environment a writer keeps committing to is being written by
 * LMDB, not cut short. A pass that saw the file change is made again, up to CHECK_PASSES.
 */
export const damageOf = (file: EnvironmentFile): string | undefined => {
  for (let pass = 0; pass < CHECK_PASSES; pass++) {
    const check = checkOnce(file);
    if (check.damage === undefined) return undefined;
    const after = metasOf(file);
    const txnAfter = after.length === 0 ? undefined : currentOf(after).txnId;
    if (txnAfter === check.txnId) return check.damage;
  }
  return undefined;
};

export const damagedEnvironment = (dir: string): EngineError | undefined => {
  const data = nodePath.join(dir, 'data.mdb');
  let fd: number;
  try {
    fd = fs.openSync(data, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return undefined; // none yet: LMDB creates it
  }
  try {
    if (fs.fstatSync(fd).size === 0) return undefined;
    const damage = damageOf({
      read: (into, position) => fs.readSync(fd, into, 0, into.length, position),
      size: () => fs.fstatSync(fd).size,
    });
    return damage === undefined ? undefined : corrupt(data, 0, `the index is damaged (${damage}): ${REBUILD_ADVICE}`);
  } finally {
    fs.closeSync(fd);
  }
};

/** Whether the LMDB environment at `dir` has the engine's schema version in its `meta` table (read-only: nothing is created in it). */
const hasEngineSchema = (dir: string): boolean => {
  const data = fs.lstatSync(nodePath.join(dir, 'data.mdb'), { throwIfNoEntry: false });
  if (data?.isFile() !== true || data.size === 0 || damagedEnvironment(dir) !== undefined) return false;
  try {
    const env = open({ path: dir, noSubdir: false, maxDbs: 40, readOnly: true });
    try {
      // A read-only environment has no `meta` database unless it was made with one (openDB throws).
      return typeof env.openDB({ name: DB_NAMES.meta }).get(SCHEMA_VERSION_KEY[0]) === 'number';
    } finally {
      void env.close();
    }
  } catch {
    return false;
  }
};

const listed = (names: ReadonlyArray<string>): string => {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
};

/** What is at `dir` (not following a link at `dir` itself). */
export const inspectIndexFolder = (dir: string): IndexFolder => {
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (st === undefined) return { kind: 'absent' };
  if (st.isSymbolicLink()) return { kind: 'foreign', found: 'a symbolic link' };
  if (!st.isDirectory()) return { kind: 'foreign', found: 'a file, not a folder' };
  const names = fs.readdirSync(dir);
  if (names.includes(INDEX_MARKER)) {
    const marker = fs.lstatSync(nodePath.join(dir, INDEX_MARKER), { throwIfNoEntry: false });
    if (marker?.isFile() === true) return { kind: 'engine', marked: true };
  }
  if (names.length === 0) return { kind: 'engine', marked: false };
  if (names.every(isEnvironmentFile) && hasEngineSchema(dir)) return { kind: 'engine', marked: false };
  return {
    kind: 'foreign',
    found: names.every(isEnvironmentFile) ? 'an LMDB environment without the index schema' : listed(names),
  };
};

/** The refusal of a folder that is not the engine's: what was found, and what to do. */
export const notAnIndex = (dir: string, found: string): EngineError =>
  invalidArgument(
    'index dir',
    `${dir} is not a rollout-engine index (found ${found}; no ${INDEX_MARKER} file): rollout-engine never changes, moves or deletes a folder it did not make. Move it away, or give --index-dir another folder`,
  );

/** The refusal for `dir` when it is not the engine's (absent or the engine's: undefined). */
export const refusedIndexFolder = (dir: string): EngineError | undefined => {
  const at = inspectIndexFolder(dir);
  return at.kind === 'foreign' ? notAnIndex(dir, at.found) : undefined;
};

/** Write the marker into an environment folder of the engine's (created `O_EXCL`, never through a link; one written meanwhile by another process is as good). */
const writeMarker = (dir: string): void => {
  let fd: number;
  try {
    fd = fs.openSync(
      nodePath.join(dir, INDEX_MARKER),
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
      0o600,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  // Not synced: a marker a crash loses leaves a folder these rules still recognise (empty, or an
  // index with the schema version), which gets its marker again when next opened.
  try {
    fs.writeSync(fd, MARKER_TEXT);
  } finally {
    fs.closeSync(fd);
  }
};

/**
 * Make `dir` an environment folder of the engine's, or refuse it (thrown as an EngineError): an
 * absent one is created (0700, its parents too) with the marker; one of the engine's gets the
 * marker if it lacks it; anything else is refused and left exactly as it is.
 */
export const claimIndexFolder = (dir: string, mode: number): void => {
  for (;;) {
    const at = inspectIndexFolder(dir);
    if (at.kind === 'foreign') throw notAnIndex(dir, at.found);
    if (at.kind === 'engine') {
      if (!at.marked) writeMarker(dir);
      return;
    }
    ownMadeFoldersSync(fs.mkdirSync(nodePath.dirname(dir), { recursive: true, mode }), nodePath.dirname(dir));
    try {
      fs.mkdirSync(dir, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue; // made meanwhile: look again
      throw err;
    }
    ownLikeFolderSync(dir, 'folder');
    writeMarker(dir);
    return;
  }
};

/**
 * Remove an environment folder of the engine's (a rebuild's leftover, the old index after a swap);
 * one that is not the engine's is left as it is and refused. The marker goes last, so a removal
 * killed half-way leaves a folder still recognised as the engine's (the next sweep finishes it).
 * Returns whether a folder was removed.
 */
export const removeIndexFolder = async (dir: string): Promise<boolean> => {
  const at = inspectIndexFolder(dir);
  if (at.kind === 'absent') return false;
  if (at.kind === 'foreign') throw notAnIndex(dir, at.found);
  if (!at.marked) writeMarker(dir);
  for (const name of await fsp.readdir(dir))
    if (name !== INDEX_MARKER) await fsp.rm(nodePath.join(dir, name), { recursive: true, force: true });
  await fsp.rm(nodePath.join(dir, INDEX_MARKER), { force: true });
  await fsp.rmdir(dir);
  return true;
};

/** The index holds conversation text: its folder is this user's alone, whatever the umask. */
export const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

/**
 * Make an index folder and its files private (an index made before, or under umask 000, was
 * world-readable). Best effort: an index of someone else's home opened to read it is left as it is.
 */
export const keepPrivate = (dir: string): void => {
  const attempt = (change: () => void) => {
    try {
      change();
    } catch {
      // not ours to change
    }
  };
  attempt(() => chmodNoFollowSync(dir, PRIVATE_DIR_MODE, 'folder'));
  attempt(() => chmodNoFollowSync(nodePath.join(dir, 'data.mdb'), PRIVATE_FILE_MODE, 'file'));
  // Never opened here (LOCK_FILES: MDB_BAD_RSLOT). Checked not to be a link just before, then
  // changed by its path.
  for (const name of LOCK_FILES) {
    const lock = nodePath.join(dir, name);
    attempt(() => {
      refuseLinkSync(lock, 'file');
      fs.chmodSync(lock, PRIVATE_FILE_MODE);
    });
  }
  // Its owner the folder's it lies in (ownership.ts): an index root opened in a user's home stays readable by that user.
  attempt(() => ownLikeFolderSync(dir, 'folder'));
  for (const name of [...ENVIRONMENT_FILES, INDEX_MARKER])
    attempt(() => ownLikeFolderSync(nodePath.join(dir, name), 'file', LOCK_FILES.includes(name)));
};
