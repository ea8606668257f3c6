import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { ROWS_BETWEEN_UNMAPS } from '../../domain/ports.js';
import type { IndexStore } from '../../domain/ports.js';
import type { ThreadRow } from '../../domain/index/rows.js';
import { memoryIndexStore } from '../../projections/memoryStore.js';
import { scanRowBatches } from '../../replay/internal/scanRows.js';

/** A read's rows at most (scanRowBatches' largest chunk). */
const LARGEST_READ = 1024;

interface Counted {
  readonly store: IndexStore;
  readonly remaps: () => number;
  /** The most rows read between two remaps (the pages an LMDB store keeps mapped grow with them). */
  readonly mostHeld: () => number;
}

/** A store of `n` thread rows that counts its remaps (an LMDB store unmaps the pages read there) and the rows read between them. */
const storeOf = async (n: number): Promise<Counted> => {
  const inner = memoryIndexStore();
  await inner.commit(() =>
    Array.from({ length: n }, (_, i) => {
      const id = `t${String(i).padStart(6, '0')}`;
      return { op: 'put' as const, table: 'threads' as const, key: [id], value: { id } as unknown as ThreadRow };
    }),
  )();
  let remaps = 0;
  let held = 0;
  let mostHeld = 0;
  const store: IndexStore = {
    ...inner,
    range: (table, prefix, opts) => async () => {
      const got = await inner.range(table, prefix, opts)();
      held += E.isRight(got) ? got.right.length : 0;
      mostHeld = Math.max(mostHeld, held);
      return got;
    },
    remap: () => {
      remaps++;
      held = 0;
      return E.right(undefined);
    },
  };
  return { store, remaps: () => remaps, mostHeld: () => mostHeld };
};

const scannedIds = async (store: IndexStore, releasePages: boolean): Promise<string[]> => {
  const ids: string[] = [];
  for await (const batch of scanRowBatches(store, 'threads', [], { reverse: false, releasePages }, 256))
    for (const { key } of batch) ids.push(key[0]);
  return ids;
};

describe('scanRowBatches: a whole-table scan releases the pages it read', () => {
  const n = 3 * ROWS_BETWEEN_UNMAPS + 100;

  it('unmaps once ROWS_BETWEEN_UNMAPS rows were read since the last, and reads every row in order', async () => {
    const { store, remaps, mostHeld } = await storeOf(n);
    const ids = await scannedIds(store, true);
    expect(ids).to.have.length(n);
    expect(ids).to.deep.equal([...ids].sort());
    expect(remaps()).to.be.at.least(2);
    expect(mostHeld()).to.be.at.most(ROWS_BETWEEN_UNMAPS - 1 + LARGEST_READ);
  });

  it("never unmaps a page's walk (not asked): a remap reopens the tables in a write transaction", async () => {
    const { store, remaps, mostHeld } = await storeOf(n);
    expect(await scannedIds(store, false)).to.have.length(n);
    expect(remaps()).to.equal(0);
    expect(mostHeld()).to.equal(n);
  });
});
