import { randomUUID } from 'node:crypto';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';

/*
 * A record read from the checkpoints and kept in `meta` under a key any checkpoint's write drops
 * (domain/index/homeStats.ts `DROP_CHECKPOINT_VOUCHED`: the home's stats, the backfill's part).
 * The read runs outside a transaction (in pieces, or through the files), so the key holds a mark
 * while it runs, and the record is kept only if that same mark still stands at its end: a
 * checkpoint written meanwhile dropped it, and a read begun meanwhile put its own. Each mark is
 * its own (an id): with one constant mark, a read that began before a checkpoint moved would find
 * the mark of a read begun after it, and keep what it read before the move.
 */

/** What stands under a vouched key while a read of the checkpoints runs: no record to go by. */
export const ReadingMark = t.type({ reading: t.string });

/** Put a mark of its own under `key`: the one the read's record is kept by (`keepVouched`). */
export const markVouchedRead = (store: IndexStore, key: readonly [string]): Promise<E.Either<EngineError, string>> =>
  useCase(async () => {
    const reading = randomUUID();
    await take(store.commit(() => [{ op: 'put', table: 'meta', key: [...key], value: { reading } }]));
    return reading;
  })();

/** Keep `record` under `key` if the mark `reading` still stands there (true), else leave the key as it is (false). */
export const keepVouched = (
  store: IndexStore,
  key: readonly [string],
  reading: string,
  record: unknown,
): Promise<E.Either<EngineError, boolean>> =>
  useCase(async () => {
    let kept = false;
    await take(
      store.commit((reader) => {
        const now = ReadingMark.decode(reader.get('meta', [...key]));
        kept = E.isRight(now) && now.right.reading === reading;
        return kept ? [{ op: 'put', table: 'meta', key: [...key], value: record }] : [];
      }),
    );
    return kept;
  })();
