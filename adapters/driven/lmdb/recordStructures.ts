// msgpackr's record structures as the LMDB index shares them per table: where they are kept, how
// an encoder forgets what it minted in a transaction that did not commit, and how a row read with
// other structures than it was written with is told apart and named.
import type { Database } from 'lmdb';
import type { TableName } from '../../../domain/index/rows.js';
import { TABLES } from '../../../domain/index/rows.js';
import { DB_NAMES } from './schema.js';

/** Where each table keeps its msgpack record structures (see migrations/index/007). */
export const STRUCTURES_KEY = Symbol.for('structures');

/** The part of msgpackr's encoder (each table's `encoder`, not in lmdb-js's typings) used here. */
interface SharedStructuresEncoder {
  readonly clearSharedData?: () => void;
}

/**
 * Forget the record structures a table's encoder holds, so that they are read again from the
 * committed environment at the next encoding or decoding that needs them.
 *
 * msgpackr mints a new structure in memory as it encodes a value of a new shape, and lmdb-js saves
 * the table's structures inside the write transaction that puts that value. When the transaction
 * does not commit (the callback throws: a key too long, a failing build; or the commit fails), the
 * saved structures are rolled back but the encoder keeps the structure it minted, as if it were
 * stored. Its next values of that shape are then written with that record id and no save (the
 * encoder believes it shared), while another process (or this one) stores a structure of its own
 * under the same id: those values decode with another structure's field names ("Data read, but end
 * of buffer not reached", or wrong fields). lmdb-js forgets them the same way when a table is
 * cleared (`clearSync`).
 */
export const forgetTableStructures = (db: Database): void =>
  (db as unknown as { readonly encoder?: SharedStructuresEncoder }).encoder?.clearSharedData?.();
export const forgetStructures = (dbs: Record<TableName, Database>): void => {
  for (const t of TABLES) forgetTableStructures(dbs[t]);
};

/**
 * msgpackr's refusals of a value read with other record structures than it was written with: its
 * record ids name fields the reader's structures do not have (or have fewer or more of).
 */
const STRUCTURES_MISMATCH =
  /Data read, but end of buffer not reached|Record id is not defined|Unexpected end of (MessagePack data|buffer)/;
export const isStructuresMismatch = (err: unknown): boolean =>
  err instanceof Error && STRUCTURES_MISMATCH.test(err.message);

/** How much of a row's key an error shows (a key holds ids and paths, and a search gram's few characters). */
const SHOWN_KEY_CHARS = 300;

/** A row that does not decode even with its table's structures read again: `which` says where (its key, or the row a range read last). */
export const undecodableRow = (table: TableName, which: string, err: unknown): Error =>
  new Error(
    `a row of table ${DB_NAMES[table]} (${which}) does not decode (${
      err instanceof Error ? err.message : String(err)
    }); \`rollout-engine repair\` rebuilds what the index derived from the rollouts`,
  );
export const shownKey = (key: unknown): string => JSON.stringify(key).slice(0, SHOWN_KEY_CHARS);
