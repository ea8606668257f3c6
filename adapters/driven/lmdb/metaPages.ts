import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/**
 * LMDB's meta pages read without LMDB (indexFolder.ts checks a file by them before LMDB maps it;
 * writeMark.ts reads the last committed transaction by them): pages 0 and 1 carry, after the
 * 24-byte page header, `MDB_meta` — the magic 0xBEEFC0DE, the data version 2, address, map size,
 * then the free and main databases' `MDB_db`s of 48 bytes, the first one's `md_pad` being the
 * page size; then `mm_last_pg` and `mm_txnid` (lmdb's mdb.c). The one with the larger
 * transaction id is current.
 */
const LMDB_META_PAGE = 4096;
const LMDB_MAGIC = 0xbeefc0de;
const LMDB_DATA_VERSION = 2;
const META_AT = 24;

/** The meta page's fields the checks read. */
export interface LmdbMeta {
  readonly pageSize: number;
  readonly lastPage: bigint;
  readonly txnId: bigint;
  readonly roots: ReadonlyArray<bigint>;
}

const metaOf = (head: Buffer, n: number, page: 0 | 1): LmdbMeta | undefined => {
  const at = page * LMDB_META_PAGE + META_AT;
  if (n < at + 136 || head.readUInt32LE(at) !== LMDB_MAGIC || head.readUInt32LE(at + 4) !== LMDB_DATA_VERSION)
    return undefined;
  return {
    pageSize: head.readUInt32LE(at + 24),
    lastPage: head.readBigUInt64LE(at + 120),
    txnId: head.readBigUInt64LE(at + 128),
    roots: [head.readBigUInt64LE(at + 64), head.readBigUInt64LE(at + 112)],
  };
};

/** The reads the check makes of `data.mdb`: bytes at a position, and the file's size now. */
export interface EnvironmentFile {
  /** Reads into `into` from `position`; the number of bytes read. */
  readonly read: (into: Buffer, position: number) => number;
  readonly size: () => number;
}

/** The meta pages that read as LMDB's (none, one or two). */
export const metasOf = (file: EnvironmentFile): LmdbMeta[] => {
  const head = Buffer.alloc(2 * LMDB_META_PAGE);
  const n = file.read(head, 0);
  return ([0, 1] as const).map((p) => metaOf(head, n, p)).filter((m): m is LmdbMeta => m !== undefined);
};

/** The current one of a file's meta pages. */
export const currentOf = (metas: ReadonlyArray<LmdbMeta>): LmdbMeta =>
  metas.reduce((a, b) => (b.txnId > a.txnId ? b : a));

/**
 * The environment file in `dir` (`data.mdb`), its inode and last committed transaction (what
 * `mdb_env_info` gives as `me_last_txnid`: the current meta page's), read without LMDB; undefined
 * when there is no such file or its meta pages do not read as LMDB's.
 */
export const committedTxnOf = (dir: string): { readonly ino: number; readonly txnId: bigint } | undefined => {
  let fd: number;
  try {
    fd = fs.openSync(
      nodePath.join(dir, 'data.mdb'),
      fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK,
    );
  } catch {
    return undefined;
  }
  try {
    const metas = metasOf({
      read: (into, position) => fs.readSync(fd, into, 0, into.length, position),
      size: () => fs.fstatSync(fd).size,
    });
    return metas.length === 0 ? undefined : { ino: fs.fstatSync(fd).ino, txnId: currentOf(metas).txnId };
  } finally {
    fs.closeSync(fd);
  }
};
