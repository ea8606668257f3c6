import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { open } from 'lmdb';
import { openLmdbIndex } from '../../../../adapters/driven/lmdb/indexStore.js';
import type { LmdbIndexStore } from '../../../../adapters/driven/lmdb/indexStore.js';
import type { IndexWrite, SegmentRenderingChunk, SegmentRenderingHeader } from '../../../../domain/index/rows.js';
import { right } from '../../../fixtures/right.js';
import { renderError } from '../../../../domain/errors.js';

/**
 * A table's msgpack record structures are shared by every process writing the index, and saved in
 * the write transaction of the value that minted one. Two handles of one index stand for two CLI
 * processes (each its own encoders, as a process has), their steps in a fixed order.
 */
describe('LMDB IndexStore: shared record structures across writers', () => {
  const header: SegmentRenderingHeader = { through: 4096, mode: 'legacy', itemsFromResponses: false, chunks: 1 };
  const chunk: SegmentRenderingChunk = { through: 4096, turns: '[{"id":"t1"}]' };
  const put = (key: readonly [string, number], value: unknown): IndexWrite => ({
    op: 'put',
    table: 'segmentRenderings',
    key,
    value,
  });
  /** A row LMDB refuses (its key is past LMDB's largest): the transaction it is in fails, after the row before it was put. */
  const refused: IndexWrite = {
    op: 'put',
    table: 'turnRenderings',
    key: ['r1', 'x'.repeat(4000)],
    value: { itemsThrough: 1, mode: 'legacy', itemsFromResponses: false, items: '' },
  };

  const withTwo = async (f: (a: LmdbIndexStore, b: LmdbIndexStore, dir: string) => Promise<void>): Promise<void> => {
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-struct-'));
    const a = right(await openLmdbIndex(dir)());
    const b = right(await openLmdbIndex(dir)());
    try {
      await f(a, b, dir);
    } finally {
      right(await a.close()());
      right(await b.close()());
      await fs.rm(dir, { recursive: true, force: true });
    }
  };

  /** Every handle, and one opened afresh, reads back what was committed. */
  const expectRead = async (stores: ReadonlyArray<LmdbIndexStore>, dir: string): Promise<void> => {
    const fresh = right(await openLmdbIndex(dir)());
    try {
      for (const s of [stores[0]!, fresh, ...stores.slice(1)]) {
        expect(right(await s.get('segmentRenderings', ['r1', 0])())).to.deep.equal(header);
        expect(right(await s.get('segmentRenderings', ['r2', 1])())).to.deep.equal(chunk);
        expect(right(await s.range('segmentRenderings', [])()).map((r) => r.value)).to.deep.equal([header, chunk]);
      }
    } finally {
      right(await fresh.close()());
    }
  };

  it('a commit that fails leaves no structure behind: values of its shape written after it decode everywhere', async () =>
    withTwo(async (a, b, dir) => {
      // A: a header (a new shape: its structure is minted and saved) and a row LMDB refuses, in one transaction: it rolls back.
      const failed = await a.commit(() => [put(['r1', 0], header), refused])();
      expect(E.isLeft(failed)).to.equal(true);
      expect(right(await b.get('segmentRenderings', ['r1', 0])())).to.equal(undefined);
      // B: a chunk, another shape: the first structure the table stores (the header's was rolled back).
      right(await b.commit(() => [put(['r2', 1], chunk)])());
      // A: the header again. Unfixed, A's encoder still holds the header's structure under the id B
      // stored the chunk's under, and writes the header with it unsaved: B decodes it with the chunk's
      // fields ("Data read, but end of buffer not reached").
      right(await a.commit(() => [put(['r1', 0], header)])());
      await expectRead([b, a], dir);
    }));

  it('a transaction whose callback throws leaves no structure behind either', async () =>
    withTwo(async (a, b, dir) => {
      const failed = a.transact('migrate', (_r, write) => {
        write(put(['r1', 0], header));
        throw new Error('a step that fails half way');
      });
      expect(E.isLeft(failed)).to.equal(true);
      right(b.transact('put', (_r, write) => write(put(['r2', 1], chunk))));
      right(a.transact('put', (_r, write) => write(put(['r1', 0], header))));
      await expectRead([b, a], dir);
    }));

  /** The table's committed structures and rows, rewritten the way another writer would (with its own numbering), through a raw handle. */
  const rewriteRaw = (dir: string, f: (db: ReturnType<ReturnType<typeof open>['openDB']>) => void): void => {
    const env = open({ path: dir, maxDbs: 32 });
    try {
      const db = env.openDB({ name: 'segment_renderings', encoding: 'binary' });
      env.transactionSync(() => f(db));
    } finally {
      void env.close();
    }
  };
  /** lmdb-js keeps a read snapshot until a timer turn (setTimeout 0, scheduled at the first read): past it, reads see what was rewritten. */
  const nextSnapshot = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

  it("a handle whose structures went out of step with the index's reloads them and reads on", async () =>
    withTwo(async (a, b, dir) => {
      right(await a.commit(() => [put(['r1', 0], header), put(['r2', 1], chunk)])());
      // B reads both rows: it holds the table's structures as committed (the header's first, the chunk's second).
      await expectRead([b], dir);
      // Another writer renumbers them (the chunk's first) and writes both rows again with its numbering:
      // B's structures no longer match the index's. Read with them, the header (now record id 1) takes
      // the chunk's two fields and leaves two values unread ("Data read, but end of buffer not reached").
      const renumbered = open({ path: dir, maxDbs: 32 });
      const rows = renumbered.openDB({ name: 'other', sharedStructuresKey: Symbol.for('structures') });
      const encoded = (value: unknown): Buffer => {
        rows.putSync('v', value);
        return Buffer.from(rows.getBinary('v')!);
      };
      // Numbered in this order by the raw table: the chunk's structure 0, the header's 1.
      const chunkBytes = encoded(chunk);
      const headerBytes = encoded(header);
      const structures = Buffer.from(rows.getBinary(Symbol.for('structures'))!);
      void renumbered.close();
      rewriteRaw(dir, (db) => {
        db.putSync(Symbol.for('structures'), structures);
        db.putSync(['r1', 0], headerBytes);
        db.putSync(['r2', 1], chunkBytes);
      });
      await nextSnapshot();
      expect(right(await b.get('segmentRenderings', ['r1', 0])())).to.deep.equal(header);
      expect(right(await b.range('segmentRenderings', [])()).map((r) => r.value)).to.deep.equal([header, chunk]);
    }));

  it('a row that does not decode with the committed structures either fails, naming its table and key', async () =>
    withTwo(async (a, _b, dir) => {
      right(await a.commit(() => [put(['r1', 0], header), put(['r2', 1], chunk)])());
      // Record id 5 (0x45), which the table never stored, then a value.
      rewriteRaw(dir, (db) => db.putSync(['r2', 1], Buffer.from([0x45, 0x01])));
      await nextSnapshot();
      const got = await a.get('segmentRenderings', ['r2', 1])();
      expect(E.isLeft(got) && renderError(got.left)).to.match(/segment_renderings \(key \["r2",1\]\) does not decode/);
      const ranged = await a.range('segmentRenderings', [])();
      expect(E.isLeft(ranged) && renderError(ranged.left)).to.match(
        /segment_renderings \(the one after key \["r1",0\]\) does not decode/,
      );
      // The row before it still reads.
      expect(right(await a.get('segmentRenderings', ['r1', 0])())).to.deep.equal(header);
    }));
});
