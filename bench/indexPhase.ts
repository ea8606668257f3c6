/**
 * One measured phase of the index bench, run in its own process so its peak RSS is its own:
 *   node dist/bench/indexPhase.js index <home> <indexDir> [workers] [no-reader-thread]   cold full index build (the CLI's indexHome)
 *   node dist/bench/indexPhase.js naive <home>              read every line, JSON.parse it, fold it (domain fold per thread)
 * Prints one JSON line: {phase, seconds, maxRssMB, ...}.
 */
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import { indexHome } from '../indexer/indexHome.js';
import { jsonlRolloutStore } from '../test/oracle/rolloutStore.js';
import { resolveThread } from '../test/oracle/resolveHistory.js';
import { foldResolvedThread } from '../test/oracle/wholeFileFold.js';
import { visibleTurnEntries } from '../test/oracle/referenceTurnFold.js';
import { renderError } from '../domain/errors.js';
import { openTailReaderThread } from '../adapters/driven/jsonl/workers/tailReaderThread.js';

const [phase, home, indexDir, workers, reading] = process.argv.slice(2);

const fail = (msg: string): never => {
  process.stderr.write(`indexPhase: ${msg}\n`);
  process.exit(1);
};

/**
 * CPU seconds of this process's main thread (Linux: its /proc task's utime + stime, in the kernel's
 * 100 Hz ticks; null elsewhere). On a shared 2-core machine it moves less than wall time: the
 * thread that folds and commits is what a build waits on, its reader and GC helpers aside.
 */
const mainThreadCpuSeconds = (): number | null => {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5), counted from the state (field 3) after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
};

const measure = async (run: () => Promise<Record<string, unknown>>): Promise<void> => {
  const t0 = process.hrtime.bigint();
  const extra = await run();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const ru = process.resourceUsage();
  // maxRSS is in KiB; CPU times in µs (on a shared machine, CPU seconds are steadier than wall time).
  const cpuSeconds = (ru.userCPUTime + ru.systemCPUTime) / 1e6;
  process.stdout.write(
    `${JSON.stringify({ phase, seconds, cpuSeconds, mainThreadCpuSeconds: mainThreadCpuSeconds(), maxRssMB: ru.maxRSS / 1024, ...extra })}\n`,
  );
};

if (!home) fail('usage: indexPhase <index|naive> <home> [indexDir]');

if (phase === 'index') {
  if (!indexDir) fail('index phase needs an index dir');
  await measure(async () => {
    const r = await indexHome({
      codexHome: home!,
      indexDir: indexDir!,
      rebuild: false,
      workers: Number(workers ?? 1),
      ...(reading === 'no-reader-thread' ? {} : { tailReader: openTailReaderThread }),
    });
    if (E.isLeft(r)) return fail(renderError(r.left));
    const { files, bytes, lines, quarantined } = r.right;
    return { files, bytes, lines, quarantined, workers: r.right.workers, readerThread: r.right.readerThread };
  });
} else if (phase === 'naive') {
  await measure(async () => {
    const store = jsonlRolloutStore(home!);
    const files = await store.listRolloutFiles()();
    if (E.isLeft(files)) return fail(renderError(files.left));
    let threads = 0;
    let turns = 0;
    for (const id of new Set(files.right.map((f) => f.threadId))) {
      const resolved = await resolveThread(store, files.right, id)();
      if (E.isLeft(resolved)) return fail(renderError(resolved.left));
      const folded = await foldResolvedThread(store, resolved.right)();
      if (E.isLeft(folded)) return fail(renderError(folded.left));
      threads += 1;
      turns += visibleTurnEntries(folded.right.turns).length;
    }
    return { threads, turns };
  });
} else fail(`unknown phase ${phase}`);
