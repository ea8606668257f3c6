// The writer the crash trials kill: `node crashChild.js <home> <seed>` opens the home the way every
// entry point does (openCodexHome) and loops over mutations of a legacy and a paginated thread —
// turn appends through the writer the use cases use (RolloutFiles.append), forks, rollbacks and
// inline reviews — printing one acknowledgement per mutation once it is durable (the writer's
// default fsync): `{"op", "thread", "path", "from", "to", "sha256"}` naming the bytes written.
// It is the only writer of the home, so a file's size right after a mutation is where it ended.
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { openCodexHome } from '../../adapters/composition/openCodexHome.js';
import { resolveIndexDir } from '../../adapters/composition/layout.js';
import { forkThread } from '../../replay/forkThread.js';
import { rollbackThread } from '../../replay/rollbackThread.js';
import { startReview } from '../../replay/startReview.js';
import { historyEnd, lastTurns, lineageToChange } from '../../replay/internal/lineage.js';
import { currentSegmentOf } from '../../domain/history/lineage.js';
import { take, useCase } from '../../replay/internal/useCase.js';
import type { MutationPorts } from '../../replay/ports.js';
import type { CrashAck } from './crashHome.js';
import { CRASH_THREADS, turnDrafts } from './crashHome.js';

const [home, seedText] = process.argv.slice(2);
let seed = Number(seedText ?? 1) >>> 0 || 1;
const random = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};

const ack = (op: string, thread: string, path: string, from: number, to: number): void => {
  const bytes = Buffer.alloc(to - from);
  const fd = fs.openSync(path, 'r');
  try {
    fs.readSync(fd, bytes, 0, bytes.length, from);
  } finally {
    fs.closeSync(fd);
  }
  const a: CrashAck = { op, thread, path, from, to, sha256: createHash('sha256').update(bytes).digest('hex') };
  process.stdout.write(`${JSON.stringify(a)}\n`);
};

const appendTurn = (ports: MutationPorts, threadId: string, turnId: string) =>
  useCase(async () => {
    await take(ports.indexer.refreshThread(threadId));
    const lineage = await lineageToChange(ports.index, threadId);
    const end = await historyEnd(ports.index, lineage);
    const path = currentSegmentOf(lineage).rollout.path;
    const r = await take(ports.files.append(path, turnDrafts(lineage.mode, threadId, turnId), { ordinal: end.line, byteOffset: end.byteOffset }, lineage.mode));
    await take(ports.indexer.catchUp([path]));
    return { path, from: r.first.byteOffset, to: r.next.byteOffset };
  });

const lastTwoTurns = (ports: MutationPorts, threadId: string) =>
  useCase(async () => {
    await take(ports.indexer.refreshThread(threadId));
    return lastTurns(ports.index, await lineageToChange(ports.index, threadId), 2);
  });

const main = async (): Promise<void> => {
  if (home === undefined) throw new Error('usage: crashChild <home> <seed>');
  const opened = await openCodexHome(home, resolveIndexDir(home, undefined), { backfill: 'onDemand' });
  if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
  const ports = opened.right.mutations;
  process.stdout.write('ready\n');
  for (let n = 0; ; n++) {
    const thread = random() < 0.5 ? CRASH_THREADS.legacy : CRASH_THREADS.paginated;
    const dice = random();
    const must = <A>(r: E.Either<unknown, A>): A => {
      if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
      return r.right;
    };
    if (dice < 0.45) {
      const w = must(await appendTurn(ports, thread, `k${process.pid}-${n}`)());
      ack('append', thread, w.path, w.from, w.to);
    } else if (dice < 0.6) {
      // (A whole fork of a thread whose last turn is a running review: index and fold differ on that
      // turn's items whether or not anything crashes — reported apart, not this suite's subject.)
      if (must(await lastTwoTurns(ports, thread)()).at(-1)?.status === 'inProgress') continue;
      const f = must(await forkThread(ports, { threadId: thread, excludeTurns: true })());
      ack('fork', f.thread.id, f.written.path, 0, f.written.bytes);
    } else if (dice < 0.8) {
      if (must(await lastTwoTurns(ports, thread)()).length < 2) continue;
      const r = must(await rollbackThread(ports, thread, 1, { excludeTurns: true })());
      if (r.written === null) continue;
      const size = fs.statSync(r.written.path).size;
      ack('rollback', thread, r.written.path, size - r.written.bytes, size);
    } else {
      const r = must(await startReview(ports, thread, { type: 'custom', instructions: `review ${n}` }, 'inline')());
      const size = fs.statSync(r.written.path).size;
      ack('review', thread, r.written.path, size - r.written.bytes, size);
    }
  }
};

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
