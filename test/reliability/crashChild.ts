// The writer the crash trials kill: `node crashChild.js <home> <seed>` opens the home the way every
// entry point does (openCodexHome) and loops over mutations of a legacy and a paginated thread —
// turn appends through the writer the use cases use (RolloutFiles.append), forks, rollbacks,
// inline reviews, renames (session_index.jsonl) and read-state changes (the thread-state log) —
// printing one acknowledgement per mutation once it is durable (the writer's default fsync):
// `{"op", "thread", "path", "from", "to", "sha256"}` naming the bytes written. Its choices are
// drawn from the seed; the trial kills it at a named step (ROLLOUT_ENGINE_CRASH_AT, crashPoint.ts).
// It is the only writer of the home, so a file's size right after a mutation is where it ended.
import * as fs from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { openCodexHome } from '../../adapters/driving/composition/openCodexHome.js';
import { resolveIndexDir } from '../../adapters/driving/composition/layout.js';
import { forkThread } from '../../replay/mutations/forkThread.js';
import { rollbackThread } from '../../replay/mutations/rollbackThread.js';
import { startReview } from '../../replay/mutations/startReview.js';
import { lastTurns, lineageToChange } from '../../replay/internal/lineage.js';
import { take, useCase } from '../../domain/effect.js';
import type { MutationPorts } from '../../replay/ports.js';
import { setThreadName } from '../../replay/mutations/setThreadName.js';
import { sessionIndexPath } from '../../adapters/driven/jsonl/home/sessionIndex.js';
import { threadStateLogPath } from '../../adapters/driven/jsonl/writers/homeFacts.js';
import { seededRandom } from '../fixtures/seededRandom.js';
import { CRASH_THREADS, appendTurn, crashAck } from './crashHome.js';

const [home, seedText] = process.argv.slice(2);
const random = seededRandom(Number(seedText ?? 1));

const sizeOf = (path: string): number => (fs.existsSync(path) ? fs.statSync(path).size : 0);

const ack = (op: string, thread: string, path: string, from: number, to: number): void =>
  void process.stdout.write(`${JSON.stringify(crashAck(op, thread, path, from, to))}\n`);

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
    if (dice < 0.35) {
      const w = must(await appendTurn(ports, thread, `k${process.pid}-${n}`)());
      ack('append', thread, w.path, w.from, w.to);
    } else if (dice < 0.5) {
      // (A whole fork of a thread whose last turn is a running review: index and fold differ on that
      // turn's items whether or not anything crashes — reported apart, not this suite's subject.)
      if (must(await lastTwoTurns(ports, thread)()).at(-1)?.status === 'inProgress') continue;
      const f = must(await forkThread(ports, { threadId: thread, excludeTurns: true })());
      ack('fork', f.thread.id, f.written.path, 0, f.written.bytes);
    } else if (dice < 0.65) {
      if (must(await lastTwoTurns(ports, thread)()).length < 2) continue;
      const r = must(await rollbackThread(ports, { threadId: thread, numTurns: 1 }, { excludeTurns: true })());
      if (r.written === null) continue;
      const size = fs.statSync(r.written.path).size;
      ack('rollback', thread, r.written.path, size - r.written.bytes, size);
    } else if (dice < 0.8) {
      const r = must(
        await startReview(ports, {
          threadId: thread,
          target: { type: 'custom', instructions: `review ${n}` },
          delivery: 'inline',
        })(),
      );
      const size = fs.statSync(r.written.path).size;
      ack('review', thread, r.written.path, size - r.written.bytes, size);
    } else if (dice < 0.9) {
      const log = sessionIndexPath(home);
      const from = sizeOf(log);
      must(await setThreadName(ports, { threadId: thread, name: `name ${process.pid}-${n}` })());
      ack('rename', thread, log, from, sizeOf(log));
    } else {
      const log = threadStateLogPath(home);
      const from = sizeOf(log);
      const at = new Date().toISOString();
      const readState = {
        firstUnread: n % 2 === 0 ? null : ({ type: 'threadStart' } as const),
        revision: ports.ids.uuidv7(),
      };
      must(
        await ports.threadState.change(thread, () =>
          E.right({ type: 'readState' as const, threadId: thread, at, readState }),
        )(),
      );
      ack('readState', thread, log, from, sizeOf(log));
    }
  }
};

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
