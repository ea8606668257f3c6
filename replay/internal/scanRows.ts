import type { IndexStore } from '../../domain/ports.js';
import type { KeyOf, KeyPart, RowOf, TableName } from '../../domain/index/rows.js';
import { take } from '../../domain/effect.js';

export interface ScanStart {
  readonly reverse: boolean;
  /** Inclusive start key. */
  readonly from?: ReadonlyArray<KeyPart>;
}

export type Scanned<T extends TableName> = { readonly key: KeyOf<T>; readonly value: RowOf<T> };

/**
 * Rows under `prefix` in key order (or reverse), fetched in small range reads so a caller that
 * stops early (a page is full) has read only about what it used; each read's rows come as one
 * batch (a page walked a row at a time paid an async step per row at each layer of its walk). A
 * failed read stops the use case.
 */
export async function* scanRowBatches<T extends TableName>(
  index: IndexStore,
  table: T,
  prefix: ReadonlyArray<KeyPart>,
  start: ScanStart,
  chunk = 32,
): AsyncGenerator<ReadonlyArray<Scanned<T>>> {
  let after: ReadonlyArray<KeyPart> | undefined;
  let size = chunk;
  for (;;) {
    const opts =
      after !== undefined
        ? { reverse: start.reverse, after, limit: size }
        : { reverse: start.reverse, limit: size, ...(start.from ? { from: start.from } : {}) };
    const got = await take(index.range(table, prefix, opts));
    if (got.length > 0) yield got;
    if (got.length < size) return;
    after = got[got.length - 1]!.key;
    // Long walks (filtered rows, whole-turn views) fetch bigger chunks as they go.
    size = Math.min(size * 2, 1024);
  }
}

/** `scanRowBatches` a row at a time. */
export async function* scanRows<T extends TableName>(
  index: IndexStore,
  table: T,
  prefix: ReadonlyArray<KeyPart>,
  start: ScanStart,
  chunk = 32,
): AsyncGenerator<Scanned<T>> {
  for await (const batch of scanRowBatches(index, table, prefix, start, chunk)) yield* batch;
}
