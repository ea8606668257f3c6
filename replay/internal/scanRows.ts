import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { KeyOf, KeyPart, RowOf, TableName } from '../../domain/index/rows.js';

export interface ScanStart {
  readonly reverse: boolean;
  /** Inclusive start key. */
  readonly from?: ReadonlyArray<KeyPart>;
}

export type Scanned<T extends TableName> = { readonly key: KeyOf<T>; readonly value: RowOf<T> };

/**
 * Rows under `prefix` in key order (or reverse), fetched in small range reads so a caller that
 * stops early (a page is full) has read only about what it used. Ends with the error, if any.
 */
export async function* scanRows<T extends TableName>(
  index: IndexStore,
  table: T,
  prefix: ReadonlyArray<KeyPart>,
  start: ScanStart,
  chunk = 32,
): AsyncGenerator<Scanned<T> | { readonly error: EngineError }> {
  let after: ReadonlyArray<KeyPart> | undefined;
  let size = chunk;
  for (;;) {
    const opts = after !== undefined ? { reverse: start.reverse, after, limit: size } : { reverse: start.reverse, limit: size, ...(start.from ? { from: start.from } : {}) };
    const got = await index.range(table, prefix, opts)();
    if (E.isLeft(got)) {
      yield { error: got.left };
      return;
    }
    for (const r of got.right) yield r;
    if (got.right.length < size) return;
    after = got.right[got.right.length - 1]!.key;
    // Long walks (filtered rows, whole-turn views) fetch bigger chunks as they go.
    size = Math.min(size * 2, 1024);
  }
}

export const isScanError = <T extends TableName>(r: Scanned<T> | { readonly error: EngineError }): r is { readonly error: EngineError } =>
  'error' in r;
