/**
 * One process of the `openBesideWriter` bench (openBesideWriter.ts): opens the index at `dir`
 * through the store of the build at `dist` (its compiled `adapters/driven/lmdb/indexStore.js`),
 * commits ROUNDS transactions of a row each, of one of ten shapes (a table's record structures are
 * minted as they come), reading a row in each and a table now and then, and closes. Exits 1 with
 * the first failure on stderr.
 */
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { IndexWrite, TableName } from '../domain/index/rows.js';
import type { LmdbIndexStore } from '../adapters/driven/lmdb/indexStore.js';

export const ROUNDS = 40;
export const TABLES: ReadonlyArray<TableName> = ['rollouts', 'threads', 'items'];

/** The row process `w` writes at round `n` in shape `s`: its writer and round, then fields of the shape's own. */
const rowOf = (s: number, n: number, w: number): Record<string, unknown> => {
  const row: Record<string, unknown> = { w, n };
  for (let j = 0; j < 3 + s; j++) row[`f${s}_${j}`] = { v: n, [`g${(s + j) % 4}`]: j };
  return row;
};

const take = async <A>(te: TE.TaskEither<unknown, A>): Promise<A> => {
  const r = await te();
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
  return r.right;
};

const run = async (dist: string, dir: string, w: number): Promise<void> => {
  const url = pathToFileURL(nodePath.join(dist, 'adapters/driven/lmdb/indexStore.js')).href;
  const { openLmdbIndex } = (await import(url)) as {
    openLmdbIndex: (dir: string) => TE.TaskEither<unknown, LmdbIndexStore>;
  };
  const store = await take(openLmdbIndex(dir));
  // A fixed sequence a process (no randomness between runs of one build and another).
  let seed = w * 7919 + 1;
  const next = (m: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % m;
  for (let i = 0; i < ROUNDS; i++) {
    const table = TABLES[next(TABLES.length)]!;
    const row: IndexWrite = { op: 'put', table, key: [`w${w}-${i}`], value: rowOf(next(10), i, w) };
    await take(
      store.commit((reader) => {
        reader.get(table, [`w${next(6)}-${next(ROUNDS)}`] as never);
        return [row];
      }),
    );
    if (next(4) === 0) await take(store.range(table, []));
    if (next(8) === 0) await new Promise((resolve) => setTimeout(resolve, next(3)));
  }
  await take(store.close());
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dist, dir, w] = process.argv.slice(2);
  run(dist!, dir!, Number(w)).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
