import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as nodePath from 'node:path';
import { open } from 'lmdb';
import type { EngineError } from '../../domain/errors.js';
import { corrupt, invalidArgument } from '../../domain/errors.js';
import { DB_NAMES, SCHEMA_VERSION_KEY } from './schema.js';

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

const MARKER_TEXT = 'This folder is a rollout-engine index (an LMDB environment). rollout-engine may rebuild, move or delete it; it is rebuilt from the rollout files.\n';

const LMDB_FILES: ReadonlySet<string> = new Set(['data.mdb', 'lock.mdb']);

/** What is at the place of an index environment. */
export type IndexFolder = { readonly kind: 'absent' } | { readonly kind: 'engine'; readonly marked: boolean } | { readonly kind: 'foreign'; readonly found: string };

/**
 * LMDB trusts its file: an environment whose meta pages are garbage (a disk error, a stray write)
 * crashed the process with SIGSEGV on open. Its two meta pages (page 0 and 1, 4 KiB each) carry
 * the magic 0xBEEFC0DE and the data version 2 after the 16-byte page header and the 8-byte address
 * field; an environment with neither is refused as Corrupt before LMDB sees it. (Damage deeper in
 * the file is not looked for: that is a full read.)
 */
const LMDB_PAGE = 4096;
const LMDB_MAGIC = 0xbeefc0de;
const LMDB_DATA_VERSION = 2;
export const damagedEnvironment = (dir: string): EngineError | undefined => {
  const data = nodePath.join(dir, 'data.mdb');
  let fd: number;
  try {
    fd = fs.openSync(data, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return undefined; // none yet: LMDB creates it
  }
  try {
    const head = Buffer.alloc(2 * LMDB_PAGE);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    if (n === 0) return undefined;
    const valid = [0, 1].some(
      (p) => n >= p * LMDB_PAGE + 32 && head.readUInt32LE(p * LMDB_PAGE + 24) === LMDB_MAGIC && head.readUInt32LE(p * LMDB_PAGE + 28) === LMDB_DATA_VERSION,
    );
    return valid
      ? undefined
      : corrupt(data, 0, 'not an LMDB environment (its meta pages are damaged): rebuild the index with rollout-engine repair (or index --rebuild)');
  } finally {
    fs.closeSync(fd);
  }
};

/** Whether the LMDB environment at `dir` has the engine's schema version in its `meta` table (read-only: nothing is created in it). */
const hasEngineSchema = (dir: string): boolean => {
  const data = fs.lstatSync(nodePath.join(dir, 'data.mdb'), { throwIfNoEntry: false });
  if (data?.isFile() !== true || data.size === 0 || damagedEnvironment(dir) !== undefined) return false;
  try {
    const env = open({ path: dir, noSubdir: false, maxDbs: 32, readOnly: true });
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
  if (names.every((n) => LMDB_FILES.has(n)) && hasEngineSchema(dir)) return { kind: 'engine', marked: false };
  return { kind: 'foreign', found: names.every((n) => LMDB_FILES.has(n)) ? 'an LMDB environment without the index schema' : listed(names) };
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
    fd = fs.openSync(nodePath.join(dir, INDEX_MARKER), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
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
    fs.mkdirSync(nodePath.dirname(dir), { recursive: true, mode });
    try {
      fs.mkdirSync(dir, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue; // made meanwhile: look again
      throw err;
    }
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
  for (const name of await fsp.readdir(dir)) if (name !== INDEX_MARKER) await fsp.rm(nodePath.join(dir, name), { recursive: true, force: true });
  await fsp.rm(nodePath.join(dir, INDEX_MARKER), { force: true });
  await fsp.rmdir(dir);
  return true;
};
