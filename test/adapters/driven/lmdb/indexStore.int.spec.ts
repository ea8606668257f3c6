import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { openLmdbIndex } from '../../../../adapters/driven/lmdb/indexStore.js';
import type { TurnRow } from '../../../../domain/index/rows.js';
import { ROWS_BETWEEN_UNMAPS } from '../../../../domain/ports.js';
import { right } from '../../../fixtures/right.js';
import { readWriteMark } from '../../../../adapters/driven/lmdb/writeMark.js';
import { execFileSync } from 'node:child_process';

const STORE_MODULE = new URL('../../../../adapters/driven/lmdb/indexStore.js', import.meta.url).href;

describe('LMDB IndexStore', () => {
  it('pages are range scans: prefix, limit, reverse, exclusive cursor; other rollouts never leak in', async () => {
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-s-'));
    const s = right(await openLmdbIndex(dir)());
    try {
      const row = (id: string) => ({ id }) as unknown as TurnRow;
      right(
        await s.commit(() => [
          ...[1, 2, 10, 16, 27].map((n) => ({
            op: 'put' as const,
            table: 'turns' as const,
            key: ['r', n],
            value: row(`t${n}`),
          })),
          { op: 'put', table: 'turns', key: ['r2', 0], value: row('other') },
          { op: 'put', table: 'turns', key: ['q', 5], value: row('before') },
        ])(),
      );
      const ids = (rs: ReadonlyArray<{ value: TurnRow }>) => rs.map((r) => r.value.id);
      expect(ids(right(await s.range('turns', ['r'])()))).to.deep.equal(['t1', 't2', 't10', 't16', 't27']);
      expect(ids(right(await s.range('turns', ['r'], { limit: 2 })()))).to.deep.equal(['t1', 't2']);
      expect(ids(right(await s.range('turns', ['r'], { limit: 2, after: ['r', 2] })()))).to.deep.equal(['t10', 't16']);
      expect(ids(right(await s.range('turns', ['r'], { reverse: true, limit: 2 })()))).to.deep.equal(['t27', 't16']);
      expect(ids(right(await s.range('turns', ['r'], { reverse: true, after: ['r', 16] })()))).to.deep.equal([
        't10',
        't2',
        't1',
      ]);
      expect(right(await s.get('turns', ['r', 10])())!.id).to.equal('t10');
      expect(right(await s.get('turns', ['r', 11])())).to.equal(undefined);
      // A scan gives the rows a range would, one at a time, in key order (and the whole table with no prefix).
      const seen: string[] = [];
      expect(
        right(await s.scan('turns', ['r'], ({ key, value }) => void seen.push(`${key.join('/')}=${value.id}`))()),
      ).to.equal(5);
      expect(seen).to.deep.equal(['r/1=t1', 'r/2=t2', 'r/10=t10', 'r/16=t16', 'r/27=t27']);
      const all: string[] = [];
      expect(right(await s.scan('turns', [], ({ value }) => void all.push(value.id))())).to.equal(7);
      expect(all).to.deep.equal(ids(right(await s.range('turns', [])())));
      expect(right(await s.scan('turns', ['none'], () => expect.fail('no row'))())).to.equal(0);
      // What the callback throws is not an LMDB failure: it leaves as thrown.
      let caught: unknown;
      await s
        .scan('turns', ['r'], () => {
          throw new RangeError('a bug in the caller');
        })()
        .catch((e: unknown) => (caught = e));
      expect(caught).to.be.instanceOf(RangeError);
    } finally {
      right(await s.close()());
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('a scan of a large table reads it in pieces, the environment remapped between them: every row once, in key order', async () => {
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-pieces-'));
    const s = right(await openLmdbIndex(dir)());
    try {
      // More rows than two pieces, in an environment large enough to be remapped (past 8 MiB).
      const n = 2 * ROWS_BETWEEN_UNMAPS + 7;
      const pad = 'x'.repeat(1_200);
      right(
        await s.commit(() =>
          Array.from({ length: n }, (_, i) => ({
            op: 'put' as const,
            table: 'turns' as const,
            key: ['r', i],
            value: { id: `t${i}`, pad } as unknown as TurnRow,
          })),
        )(),
      );
      expect((await fs.stat(nodePath.join(dir, 'data.mdb'))).size).to.be.above(8 * 1024 * 1024);
      const seen: number[] = [];
      // A read between the pieces' remaps sees the store as it is.
      expect(
        right(
          await s.scan('turns', ['r'], ({ key }) => {
            seen.push(key[1]);
            if (key[1] === ROWS_BETWEEN_UNMAPS + 1) expect(s.reader!.get('turns', ['r', 0])?.id).to.equal('t0');
          })(),
        ),
      ).to.equal(n);
      expect(seen).to.deep.equal(Array.from({ length: n }, (_, i) => i));
      // A piece that ends on the table's last row ends the scan.
      right(
        await s.commit(() => [
          { op: 'del', table: 'turns', key: ['r', n - 1] },
          { op: 'del', table: 'turns', key: ['r', n - 2] },
          ...Array.from({ length: 5 }, (_, i) => ({
            op: 'del' as const,
            table: 'turns' as const,
            key: ['r', n - 3 - i] as const,
          })),
        ])(),
      );
      expect(right(await s.scan('turns', ['r'], () => undefined)())).to.equal(2 * ROWS_BETWEEN_UNMAPS);
    } finally {
      right(await s.close()());
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("the reader's count is the table's rows, whatever its record structures take: empty, filled, a row deleted, after a remap", async () => {
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-count-'));
    const s = right(await openLmdbIndex(dir)());
    try {
      const count = (): number => s.reader.count!('turns');
      const keys = (): number => s.reader.keys('turns', []).length;
      expect([count(), keys()]).to.deep.equal([0, 0]);
      // Records: the table's first write stores its structures beside the rows (one LMDB entry more).
      right(
        await s.commit(() =>
          [1, 2, 3].map((n) => ({
            op: 'put' as const,
            table: 'turns' as const,
            key: ['r', n],
            value: { id: `t${n}` } as unknown as TurnRow,
          })),
        )(),
      );
      expect([count(), keys()]).to.deep.equal([3, 3]);
      right(await s.commit(() => [{ op: 'del', table: 'turns', key: ['r', 2] }])());
      expect([count(), keys()]).to.deep.equal([2, 2]);
      right(s.remap());
      expect([count(), keys()]).to.deep.equal([2, 2]);
      // Another table's rows are not counted.
      expect(s.reader.count!('threads')).to.equal(0);
    } finally {
      right(await s.close()());
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("the write mark: another process's commit changes it, and it names the file mapped: a rebuild swapped in marks apart; as the meta pages read it", async () => {
    const parent = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-m-'));
    const dir = nodePath.join(parent, 'index');
    const put = (n: number) => [
      { op: 'put' as const, table: 'turns' as const, key: ['r', n], value: { id: `t${n}` } as unknown as TurnRow },
    ];
    const s = right(await openLmdbIndex(dir)());
    try {
      const first = right(s.writeMark!());
      expect(readWriteMark(dir)).to.equal(first);
      expect(right(s.writeMark!())).to.equal(first);
      // Another process commits: the mark follows without this store writing.
      execFileSync(process.execPath, [
        '--input-type=module',
        '-e',
        `const { openLmdbIndex } = await import(${JSON.stringify(STORE_MODULE)});
         const o = await openLmdbIndex(${JSON.stringify(dir)})();
         await o.right.commit(() => [{ op: 'put', table: 'turns', key: ['r', 9], value: { id: 't9' } }])();
         await o.right.close()();`,
      ]);
      const second = right(s.writeMark!());
      expect(second).to.not.equal(first);
      expect(readWriteMark(dir)).to.equal(second);
      // A rebuild swapped in at the folder (`index --rebuild`'s renames): this store still maps and
      // marks the old file; one opened now marks the new one, as its meta pages do.
      const fresh = nodePath.join(parent, 'fresh');
      const f = right(await openLmdbIndex(fresh)());
      right(await f.commit(() => put(1))());
      right(await f.close()());
      await fs.rename(dir, nodePath.join(parent, 'old'));
      await fs.rename(fresh, dir);
      expect(right(s.writeMark!())).to.equal(second);
      const other = right(await openLmdbIndex(dir)());
      try {
        const swapped = right(other.writeMark!());
        expect(swapped.split(':')[0]).to.not.equal(second.split(':')[0]);
        expect(readWriteMark(dir)).to.equal(swapped);
      } finally {
        right(await other.close()());
      }
    } finally {
      right(await s.close()());
      await fs.rm(parent, { recursive: true, force: true });
    }
  });

  it('maps LMDB failures to an Io EngineError (never throws)', async () => {
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-e-'));
    const file = nodePath.join(dir, 'not-a-dir');
    await fs.writeFile(file, 'x');
    const r = await openLmdbIndex(nodePath.join(file, 'index'))();
    expect(E.isLeft(r) && r.left._tag).to.equal('Io');
    await fs.rm(dir, { recursive: true, force: true });
  });
});
