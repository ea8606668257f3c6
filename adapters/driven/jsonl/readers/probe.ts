import * as fsSync from 'node:fs';
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import type { FileCheckpoint } from '../../../../domain/index/rows.js';
import { SessionMetaPayload } from '../../../../domain/rollout/kinds/sessionMeta.js';
import { codexRefusal } from '../../../../domain/rollout/codexSerde.js';
import { decodeRolloutLine } from '../../../../domain/rollout/line.js';
import type { RolloutFile } from '../home/discover.js';
import { scanLines } from '../lines/lineScanner.js';
import { INVALID_UTF8 } from '../lines/lineEntry.js';
import { LinkRefused, errnoCode } from '../../fs/fsError.js';
import { openToReadSync } from '../../fs/heldRead.js';
import { lstatShows } from '../home/fileTimes.js';
import { lineDecoderFor, upcastFormatOf } from '../../../../migrations/upcast/lineDecoder.js';
import type { UpcastFormat } from '../../../../migrations/upcast/lineDecoder.js';
import { HEAD_BYTES } from '../../lmdb/schema.js';
import { elideLineBytes } from '../../../../projections/elideLineBytes.js';

/**
 * Probe: what a rollout file is now, compared with its checkpoint. One open: stat, the head (its
 * hash detects a replaced file; it usually holds the whole session_meta line, the file's
 * identity), and for a grown file the bytes its checkpoint ends on.
 */

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Bytes read at the start of a file: the hashed head and, normally, the whole first line. */
const HEAD_READ = 64 * 1024;

export type Identity =
  | { readonly ok: true; readonly rolloutId: string; readonly threadId: string; readonly upcast: UpcastFormat | null }
  | { readonly ok: false; readonly reason: string };

export interface Probe {
  readonly file: RolloutFile;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly headHash: string;
  readonly headLen: number;
  readonly cp: FileCheckpoint | undefined;
  /** The stored checkpoint no longer describes this file (replaced, truncated, rewritten). */
  readonly changed: boolean;
  readonly identity: Identity;
}

/**
 * The probe of a file that is not read (refused by discovery, or one the OS will not open or
 * read): it holds no rows and is reported with the reason, and the rest of the home goes on.
 */
const refusedProbe = (file: RolloutFile, cp: FileCheckpoint | undefined, reason: string): Probe => ({
  file,
  size: 0,
  mtimeMs: 0,
  ctimeMs: 0,
  headHash: sha256(Buffer.alloc(0)),
  headLen: 0,
  cp,
  changed: cp !== undefined,
  identity: { ok: false, reason },
});

/** Identity of a rollout file from its first line (its long strings already left out by `firstLineOf`): session_meta id (thread), revision id from the name. */
export const identityOf = (
  f: { path: string; revisionId?: string | undefined; threadId?: string },
  firstLine: string,
): Identity => {
  const upcast = upcastFormatOf(firstLine);
  // A first line that is no meta, or a meta Codex's serde refuses (whether our codec reads it or
  // not), or one it cannot decode at all (its envelope's timestamp a number: the fuzzer's
  // `--replay 927396124:13:0:1:1`), is still the thread its name says: Codex finds the file by that
  // id, refuses its reads by its head, and its state DB's backfill keeps a row named for it (codex-rs
  // rollout/src/metadata.rs `builder_from_items`), so its rows are folded under the name's id
  // (projections/threads.ts marks the meta refused). The meta's own id is never a key then (an
  // id of any length Codex refuses as no ThreadId).
  const byName: Identity | undefined =
    upcast === null && f.threadId !== undefined && f.threadId !== ''
      ? { ok: true, rolloutId: f.revisionId ?? f.threadId, threadId: f.threadId, upcast }
      : undefined;
  const line = upcast === null ? decodeRolloutLine(firstLine) : lineDecoderFor(f.path, upcast)(firstLine, 0, 0);
  if (E.isLeft(line)) return byName ?? { ok: false, reason: line.left };
  if (line.right.type !== 'session_meta')
    return byName ?? { ok: false, reason: `first line is ${line.right.type}, not session_meta` };
  const meta = SessionMetaPayload.decode(line.right.payload);
  if (E.isLeft(meta)) return byName ?? { ok: false, reason: 'session_meta does not decode' };
  if (byName !== undefined && codexRefusal('sessionMeta', line.right.payload) !== undefined) return byName;
  // The name's id when the meta's equals it: a catch-up's plan holds both for every file of the home.
  const id = meta.right.id === f.threadId ? f.threadId : meta.right.id;
  return { ok: true, rolloutId: f.revisionId ?? id, threadId: id, upcast };
};

const NL = 0x0a;

/**
 * The first line's text, from the head or (a first line longer than the head) by scanning;
 * undefined: not complete yet. A Codex session_meta's base instructions are left out undecoded
 * (elideLineBytes): identity never reads them, and decoding them was most of a probe's time.
 */
const firstLineOf = async (
  path: string,
  root: string | undefined,
  head: Buffer,
  size: number,
): Promise<string | Identity | undefined> => {
  const nl = head.indexOf(NL);
  let bytes: Buffer;
  if (nl >= 0) bytes = head.subarray(0, nl);
  else if (head.length >= size)
    return undefined; // a torn first line: an append in flight
  else {
    const scan = scanLines(path, undefined, root === undefined ? {} : { root });
    try {
      const r = await scan.next();
      if (r.done === true || r.value[0] === undefined || r.value[0].torn) return undefined;
      bytes = Buffer.from(r.value[0].bytes);
    } finally {
      await scan.return({ ordinal: 0, byteOffset: 0 });
    }
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  if (!isUtf8(bytes)) return { ok: false, reason: INVALID_UTF8 };
  return elideLineBytes(bytes) ?? bytes.toString('utf8');
};

/** The bytes a checkpoint ends on (at most 4 KiB before `byteOffset`), for its tail hash. */
export const tailRange = (byteOffset: number): { start: number; len: number } => {
  const len = Math.min(HEAD_BYTES, byteOffset);
  return { start: byteOffset - len, len };
};

/** Hash of the bytes a checkpoint at `byteOffset` ends on. */
export const tailHashOf = (path: string, byteOffset: number, root?: string): { tailHash: string; tailLen: number } => {
  const { start, len } = tailRange(byteOffset);
  if (len === 0) return { tailHash: sha256(Buffer.alloc(0)), tailLen: 0 };
  const fd = openToReadSync(path, root);
  try {
    const bytes = readAt(fd, start, len);
    return { tailHash: sha256(bytes), tailLen: bytes.length };
  } finally {
    fsSync.closeSync(fd);
  }
};

/** Read `len` bytes at `start` (fewer at the end of the file). */
const readAt = (fd: number, start: number, len: number): Buffer => {
  const buf = Buffer.allocUnsafe(len);
  return buf.subarray(0, fsSync.readSync(fd, buf, 0, len, start));
};

/**
 * The head of a new file, read into one buffer shared by every probe: a fresh 64 KiB per file
 * was most of a cold build's probing (allocation, and the GC it drives). Safe because a probe
 * uses the head only synchronously (hashing, comparing, decoding its first line) before it
 * first awaits, so no other probe can overwrite it meanwhile.
 */
const HEAD_SCRATCH = Buffer.allocUnsafe(HEAD_READ);
const readHead = (fd: number, len: number): Buffer =>
  HEAD_SCRATCH.subarray(0, fsSync.readSync(fd, HEAD_SCRATCH, 0, len, 0));

/**
 * Is the file still the one `cp` describes? Same head; not shorter than what was indexed; for
 * the same size, the same mtime/ctime (a rewrite past the head keeps size and head); for a grown
 * file, the same bytes before the checkpoint (a rewrite that also grew).
 */
const stillDescribes = (
  fd: number,
  cp: FileCheckpoint,
  st: { size: number; mtimeMs: number; ctimeMs: number },
  head: Buffer,
): boolean => {
  if (head.length < cp.headLen || sha256(head.subarray(0, cp.headLen)) !== cp.headHash) return false;
  if (st.size < cp.byteOffset || st.size < cp.size) return false;
  if (st.size === cp.size) return st.mtimeMs === cp.mtimeMs && st.ctimeMs === cp.ctimeMs;
  const { start, len } = tailRange(cp.byteOffset);
  if (len !== cp.tailLen) return false;
  const tail = start + len <= head.length ? head.subarray(start, start + len) : readAt(fd, start, len);
  return sha256(tail) === cp.tailHash;
};

/**
 * Whether a file is still exactly as its checkpoint saw it, by one stat: the same size, mtime and
 * ctime. Any write, truncation or replacement changes ctime (which no caller can set back), so a
 * file passing this needs no head or tail hash; one failing it gets the full `probeFile`.
 */
export const unchangedSince = (path: string, cp: FileCheckpoint): boolean => {
  const st = fsSync.statSync(path);
  return st.size === cp.size && st.mtimeMs === cp.mtimeMs && st.ctimeMs === cp.ctimeMs;
};

/**
 * The probe of a known file that one `lstat` shows untouched since its checkpoint (a regular file,
 * not a link; same size, mtime and ctime: see `unchangedSince`), without opening it or hashing its
 * head; undefined when it needs the full probe. A home-wide catch-up of an unchanged home is then
 * one stat a file (a serve's first `thread/list` on 6,800 files spent most of a second opening and
 * hashing them).
 */
export const statOnlyProbe = (file: RolloutFile, cp: FileCheckpoint): Probe | undefined => {
  if (file.refused !== undefined) return undefined;
  if (cp.rolloutId === null || cp.threadId === null || cp.upcastFrom !== null) return undefined;
  const st = lstatShows(file.path, cp);
  if (st === undefined) return undefined;
  return {
    file,
    size: st.size,
    mtimeMs: st.mtimeMs,
    ctimeMs: st.ctimeMs,
    headHash: cp.headHash,
    headLen: cp.headLen,
    cp,
    changed: false,
    identity: { ok: true, rolloutId: cp.rolloutId, threadId: cp.threadId, upcast: null },
  };
};

/**
 * Probe one file against its checkpoint; 'incomplete' while its first line is being written.
 * Synchronous file calls: a probe is an open, a stat and one or two small reads of a file the OS
 * usually has cached, cheaper done directly than through the thread pool (measured, bench/index.ts).
 */
export const probeFile = async (file: RolloutFile, cp: FileCheckpoint | undefined): Promise<Probe | 'incomplete'> => {
  if (file.refused !== undefined) return refusedProbe(file, cp, file.refused);
  const still = cp === undefined ? undefined : statOnlyProbe(file, cp);
  if (still !== undefined) return still;
  let fd: number;
  try {
    // Never through a link at it or a folder on the way (one may have replaced it since it was
    // listed), and never blocking on a FIFO: such a file is refused like one discovery refuses.
    fd = openToReadSync(file.path, file.root);
  } catch (err) {
    if (err instanceof LinkRefused)
      return refusedProbe(
        file,
        cp,
        err.what === 'not a regular file' ? 'not a regular file: not read' : `${err.what}: not followed`,
      );
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === undefined) throw err;
    return refusedProbe(file, cp, `cannot be opened (${code})`);
  }
  let identity: Identity;
  let probe: Omit<Probe, 'identity'>;
  let head: Buffer;
  try {
    const st = fsSync.fstatSync(fd);
    // A known file needs its hashed head; a new or changed one its first line (its identity).
    head = readHead(fd, Math.min(cp === undefined ? HEAD_READ : HEAD_BYTES, st.size));
    const headLen = Math.min(HEAD_BYTES, head.length);
    const headHash = sha256(head.subarray(0, headLen));
    const changed = cp !== undefined && !stillDescribes(fd, cp, st, head);
    probe = { file, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, headHash, headLen, cp, changed };
    if (cp !== undefined && !changed && cp.rolloutId !== null && cp.threadId !== null && cp.upcastFrom === null) {
      return probeWith(probe, { ok: true, rolloutId: cp.rolloutId, threadId: cp.threadId, upcast: null });
    }
    if (head.length < Math.min(HEAD_READ, st.size)) head = readHead(fd, Math.min(HEAD_READ, st.size));
  } catch (err) {
    // One file the OS will not read (EIO, EISDIR, …) is that file's problem, not the home's.
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === undefined) throw err;
    return refusedProbe(file, cp, `cannot be read (${code})`);
  } finally {
    fsSync.closeSync(fd);
  }
  // New, changed, or an early rollout (its upcaster needs the first line's timestamp).
  const first = await firstLineOf(file.path, file.root, head, probe.size);
  if (first === undefined) return 'incomplete';
  identity = typeof first === 'string' ? identityOf(file, first) : first;
  return probeWith(probe, identity);
};

/**
 * The probe with its identity, written out field by field: a spread (`{ ...probe, identity }`) gave
 * each probe a hidden class of its own (a heap snapshot of a cold index: every probe alone on its
 * map, about 300 bytes of shape a file the plan holds).
 */
const probeWith = (p: Omit<Probe, 'identity'>, identity: Identity): Probe => ({
  file: p.file,
  size: p.size,
  mtimeMs: p.mtimeMs,
  ctimeMs: p.ctimeMs,
  headHash: p.headHash,
  headLen: p.headLen,
  cp: p.cp,
  changed: p.changed,
  identity,
});
