import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { IndexStore } from '../../domain/ports.js';
import type { IndexReader, IndexWrite } from '../../domain/index/rows.js';
import type { EngineError } from '../../domain/errors.js';
import { carrying } from '../../indexer/catchUp/carriedWrites.js';

const put = (key: string): IndexWrite => ({ op: 'put', table: 'meta', key: [key], value: 1 });
const reader = {} as IndexReader;
const failure: EngineError = { _tag: 'Io', path: 'index', op: 'commit', code: 'ENOSPC', message: 'disk full' };

/** A store that records each transaction's writes, and fails the commits `failing` names (by their index). */
const recording = (failing: ReadonlySet<number> = new Set()) => {
  const commits: string[][] = [];
  const settle = (writes: ReadonlyArray<IndexWrite>): E.Either<EngineError, number> => {
    const n = commits.length;
    commits.push(writes.map((w) => String(w.key[0])));
    return failing.has(n) ? E.left(failure) : E.right(writes.length);
  };
  const store = {
    commit: (build: (r: IndexReader) => ReadonlyArray<IndexWrite>) => TE.fromEither(settle(build(reader))),
    commitAsBuilt: <A>(build: (r: IndexReader, write: (w: IndexWrite) => void) => A) => {
      const writes: IndexWrite[] = [];
      const a = build(reader, (w) => writes.push(w));
      return E.map(() => a)(settle(writes));
    },
  } as unknown as IndexStore;
  return { store, commits };
};

describe('carrying: writes committed with the first commit through a store', () => {
  it('the first commit makes them ahead of its own batch; the next commits do not', async () => {
    const { store, commits } = recording();
    const rows = carrying(store, [put('mark')]);
    expect(rows.committed()).to.equal(false);
    expect(await rows.store.commit(() => [put('a')])()).to.deep.equal(E.right(2));
    expect(rows.committed()).to.equal(true);
    await rows.store.commit(() => [put('b')])();
    expect(await rows.flush()).to.deep.equal(E.right(undefined));
    expect(commits).to.deep.equal([['mark', 'a'], ['b']]);
  });

  it('a failed commit keeps them carried, for the next one', async () => {
    const { store, commits } = recording(new Set([0]));
    const rows = carrying(store, [put('mark')]);
    expect(E.isLeft(await rows.store.commit(() => [put('a')])())).to.equal(true);
    expect(rows.committed()).to.equal(false);
    await rows.store.commit(() => [put('b')])();
    expect(commits).to.deep.equal([
      ['mark', 'a'],
      ['mark', 'b'],
    ]);
    expect(rows.committed()).to.equal(true);
  });

  it('a commit as built makes them first too; flush commits what no commit took, alone, once', async () => {
    const built = recording();
    const viaBuilt = carrying(built.store, [put('mark')]);
    expect(viaBuilt.store.commitAsBuilt!((_r, write) => (write(put('a')), 'done'))).to.deep.equal(E.right('done'));
    expect(built.commits).to.deep.equal([['mark', 'a']]);

    const flushed = recording();
    const viaFlush = carrying(flushed.store, [put('mark')]);
    await viaFlush.flush();
    await viaFlush.flush();
    expect(flushed.commits).to.deep.equal([['mark']]);
    expect(viaFlush.committed()).to.equal(true);
  });

  it('nothing carried: commits pass through as they are', async () => {
    const { store, commits } = recording();
    const rows = carrying(store, []);
    expect(rows.committed()).to.equal(true);
    await rows.flush();
    await rows.store.commit(() => [put('a')])();
    expect(commits).to.deep.equal([['a']]);
  });
});
