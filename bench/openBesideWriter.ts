/**
 * `openBesideWriter [--runs 100] [--processes 6] [--engines DIST,DIST]`: processes opening one
 * fresh index through the engine's store while others commit (docs/durability.md#opening-beside-a-writer).
 * A run starts `processes` children (openBesideWriterChild.ts) on a new index at once; it fails if
 * one of them fails or, after all have ended, a row is missing or does not decode. Each build of
 * `--engines` (a dist folder; default this one) runs its own runs, all builds side by side, so that
 * they share one load.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { LmdbIndexStore } from '../adapters/driven/lmdb/indexStore.js';
import { ROUNDS, TABLES } from './openBesideWriterChild.js';

const CHILD = fileURLToPath(new URL('./openBesideWriterChild.js', import.meta.url));
const THIS_DIST = fileURLToPath(new URL('..', import.meta.url));
/** A child that has not ended by then is stuck (LMDB's writer lock held by a broken transaction): killed, the run failed. */
const CHILD_LIMIT_MS = 60_000;

interface EngineRuns {
  readonly engine: string;
  readonly runs: number;
  readonly failed: number;
  /** Runs after which a row was missing, did not decode or was not as written. */
  readonly rowsWrong: number;
  readonly firstFailures: ReadonlyArray<string>;
}

const child = (dist: string, dir: string, w: number): Promise<string | undefined> =>
  new Promise((resolve) => {
    const c = spawn(process.execPath, [CHILD, dist, dir, String(w)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const limit = setTimeout(() => c.kill('SIGKILL'), CHILD_LIMIT_MS);
    c.once('exit', (code, signal) => {
      clearTimeout(limit);
      resolve(code === 0 ? undefined : `process ${w}: ${signal ?? `exit ${code}`} ${err.trim().slice(0, 300)}`);
    });
  });

/** What a fresh store of this build reads back: undefined when every row of every process is there as written. */
const readBack = async (dist: string, dir: string, processes: number): Promise<string | undefined> => {
  const url = pathToFileURL(nodePath.join(dist, 'adapters/driven/lmdb/indexStore.js')).href;
  const { openLmdbIndex } = (await import(url)) as {
    openLmdbIndex: (dir: string) => TE.TaskEither<unknown, LmdbIndexStore>;
  };
  const opened = await openLmdbIndex(dir)();
  if (E.isLeft(opened)) return `open: ${JSON.stringify(opened.left)}`;
  const store = opened.right;
  try {
    for (const table of TABLES) {
      const rows = await store.range(table, [])();
      if (E.isLeft(rows)) return `${table}: ${JSON.stringify(rows.left).slice(0, 300)}`;
      for (const { key, value } of rows.right) {
        const [w, n] = String(key[0]).slice(1).split('-').map(Number);
        const row = value as { readonly w?: unknown; readonly n?: unknown };
        if (row.w !== w || row.n !== n || w! >= processes || n! >= ROUNDS)
          return `${table} ${String(key[0])}: ${JSON.stringify(value).slice(0, 200)}`;
      }
    }
    return undefined;
  } finally {
    await store.close()();
  }
};

const runsOf = async (dist: string, runs: number, processes: number, scratch: string): Promise<EngineRuns> => {
  let failed = 0;
  let rowsWrong = 0;
  const firstFailures: string[] = [];
  for (let r = 0; r < runs; r++) {
    const dir = fs.mkdtempSync(nodePath.join(scratch, 'run-'));
    const ends = await Promise.all(Array.from({ length: processes }, (_, w) => child(dist, dir, w)));
    const children = ends.filter((e): e is string => e !== undefined);
    const back = await readBack(dist, dir, processes);
    if (back !== undefined) rowsWrong += 1;
    if (children.length > 0 || back !== undefined) {
      failed += 1;
      if (firstFailures.length < 3)
        firstFailures.push([...children, ...(back === undefined ? [] : [back])].join(' | '));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { engine: dist, runs, failed, rowsWrong, firstFailures };
};

export const runOpenBesideWriter = async (opts: {
  readonly runs: number;
  readonly processes: number;
  readonly engines: ReadonlyArray<string>;
}): Promise<unknown> => {
  const scratch = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'open-beside-writer-'));
  try {
    const engines = opts.engines.length > 0 ? opts.engines : [THIS_DIST];
    const results = await Promise.all(
      engines.map((e) => runsOf(nodePath.resolve(e), opts.runs, opts.processes, scratch)),
    );
    return { suite: 'openBesideWriter', processes: opts.processes, rounds: ROUNDS, results };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
};
