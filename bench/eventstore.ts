/**
 * `npm run bench -- eventstore [--size 20MB] [--reps 3]`: the log in EventStoreDB, on a real-shaped
 * home (bench/realHome.ts) of `--size`, against the in-process Streams test server
 * (test/eventstore/streamsTestServer.ts — the same process, so its work shares the 2 cores; with
 * `EVENTSTORE_CONNECTION_STRING` set, a real, empty server instead, reps 1).
 * Measured, medians of `--reps`, each on a fresh server and fresh folders:
 *   mirror     JSONL → EventStoreDB (`mirrorHome`): seconds, lines/s, MB/s
 *   follow     the catch-up subscription writing the node's copy (`followIntoHome`): seconds, lines/s, MB/s
 *   indexCopy  the LMDB index built from that copy (`catchUpHome`)
 *   projection follow + indexCopy: the store → LMDB catch-up, lines/s and MB/s
 *   jsonlIndex the LMDB index built from the home's files in the same run (the baseline)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { catchUpHome } from '../indexer/catchUp/catchUp.js';
import { openIndex } from '../indexer/open/openIndex.js';
import { connectEventStore } from '../adapters/driven/eventstore/eventStoreClient.js';
import { eventStoreEventLog } from '../adapters/driven/eventstore/eventLog.js';
import { followIntoHome } from '../adapters/driven/eventstore/homeReplica.js';
import { mirrorHome } from '../adapters/driven/eventstore/mirrorHome.js';
import { startStreamsTestServer } from '../test/eventstore/streamsTestServer.js';
import { buildRealShapedHome } from './realHome.js';
import { median } from './stats.js';
import { openTailReaderThread } from '../adapters/driven/jsonl/workers/tailReaderThread.js';

const MB = 1024 * 1024;
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

const parseSize = (s: string): number => {
  const m = /^(\d+(?:\.\d+)?)(KB|MB|GB)$/i.exec(s);
  if (m === null) throw new Error(`size ${s}: expected e.g. 20MB`);
  return Number(m[1]) * { KB: 1024, MB: MB, GB: 1024 * MB }[m[2]!.toUpperCase() as 'KB' | 'MB' | 'GB'];
};

const ok = <A>(e: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(e)) throw new Error(`${what}: ${JSON.stringify(e.left)}`);
  return e.right;
};

const timed = async <A>(f: () => Promise<A>): Promise<{ seconds: number; value: A }> => {
  const t0 = performance.now();
  const value = await f();
  return { seconds: (performance.now() - t0) / 1000, value };
};

const indexOf = async (home: string, indexDir: string): Promise<number> => {
  const store = ok(await openIndex(indexDir, home)(), 'open index').store;
  try {
    return (
      await timed(async () => ok(await catchUpHome(store, home, { tailReader: openTailReaderThread })(), 'index'))
    ).seconds;
  } finally {
    await store.close()();
  }
};

export const runEventStoreBench = async (size: string, reps: number): Promise<Record<string, unknown>> => {
  const root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-eventstore-'));
  try {
    const home = nodePath.join(root, 'home');
    const shape = await buildRealShapedHome(home, parseSize(size));
    const real = process.env['EVENTSTORE_CONNECTION_STRING'];
    const runs: { mirror: number; follow: number; indexCopy: number; jsonlIndex: number }[] = [];
    for (let rep = 0; rep < (real === undefined ? reps : 1); rep++) {
      const server = real === undefined ? await startStreamsTestServer() : undefined;
      const connection = connectEventStore(real ?? server!.connectionString);
      try {
        const mirror = await timed(async () =>
          ok(await mirrorHome(home, connection, eventStoreEventLog(connection))(), 'mirror'),
        );
        if (mirror.value.linesWritten !== shape.lines)
          throw new Error(`mirror wrote ${mirror.value.linesWritten} lines of ${shape.lines}`);
        const copy = nodePath.join(root, `copy-${rep}`);
        const follow = await timed(async () =>
          ok(await followIntoHome(connection, copy, { untilCaughtUp: true }), 'follow'),
        );
        if (follow.value.lines !== shape.lines)
          throw new Error(`follow wrote ${follow.value.lines} lines of ${shape.lines}`);
        const indexCopy = await indexOf(copy, nodePath.join(root, `copy-index-${rep}`));
        const jsonlIndex = await indexOf(home, nodePath.join(root, `home-index-${rep}`));
        runs.push({ mirror: mirror.seconds, follow: follow.seconds, indexCopy, jsonlIndex });
      } finally {
        await connection.close();
        await server?.stop();
      }
    }
    const rate = (seconds: number) => ({
      seconds: round(seconds, 2),
      linesPerSecond: Math.round(shape.lines / seconds),
      mbPerSecond: round(shape.bytes / MB / seconds),
    });
    const m = (k: keyof (typeof runs)[number]): number => median(runs.map((r) => r[k]));
    return {
      suite: 'eventstore',
      server:
        real === undefined ? 'in-process test server (@grpc/grpc-js), same process' : 'EVENTSTORE_CONNECTION_STRING',
      home: { mb: round(shape.bytes / MB), lines: shape.lines, files: shape.files, meanLineBytes: shape.meanLineBytes },
      reps: runs.length,
      mirror: rate(m('mirror')),
      follow: rate(m('follow')),
      indexCopy: rate(m('indexCopy')),
      projection: rate(median(runs.map((r) => r.follow + r.indexCopy))),
      jsonlIndex: rate(m('jsonlIndex')),
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
};
