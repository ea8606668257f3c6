import * as t from 'io-ts';

/*
 * Records of a fixed number of doubles, kept in the index as one run of bytes: one value for the
 * store to encode and decode, not a number per field of 100,000 records (the home's stats,
 * homeStats.ts; the Codex rows the thread rows were derived with, codexRowTimes.ts).
 */

/** The codec of such records, `fields` doubles each: bytes whose length is a whole number of records. */
export const packedDoubles = (name: string, fields: number): t.Type<Uint8Array, Uint8Array, unknown> => {
  const bytes = fields * Float64Array.BYTES_PER_ELEMENT;
  const is = (u: unknown): u is Uint8Array => u instanceof Uint8Array && u.byteLength % bytes === 0;
  return new t.Type<Uint8Array, Uint8Array, unknown>(
    name,
    is,
    (u, c) => (is(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );
};

/** The doubles of packed records, `count` of `fields` each: copied, as the bytes a store hands out need not be aligned for doubles. */
export const unpackDoubles = (packed: Uint8Array, count: number, fields: number): Float64Array =>
  new Float64Array(packed.slice().buffer, 0, count * fields);

/** Packed records of `doubles`. */
export const packDoubles = (doubles: Float64Array): Uint8Array => new Uint8Array(doubles.buffer);
