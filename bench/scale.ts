/**
 * `npm run bench -- scale [--sizes 0.3GB,1GB,3GB,10GB] [--rollouts 100000] [--max-file-kb 150]
 * [--reps 20] [--no-codex]`: how cost grows with a home. One point per size (a real-shaped home,
 * bench/realHome.ts, cloned to that size) and, with `--rollouts`, one per count of threads (that
 * many rollouts, each cloned from a template rollout of at most `--max-file-kb`). Each point is
 * built, measured and deleted before the next. Measured per point:
 * - `index` on a fresh index: wall and CPU seconds, MB/s, peak RSS (bench/cliPhase.js); a no-op
 *   `index` after it;
 * - the token report (`tokens --by day-utc --breakdown model`) on a fresh index (it catches up the
 *   token projection alone), then warm;
 * - a `serve` started on the warm index: its `initialize` (from the spawn) and first
 *   `thread/list` (limit 100, asked after `initialize`), then `reps` of a warm `thread/list` page,
 *   a 20-turn `summary` page of the long paginated thread and of the home's oldest paginated
 *   thread (a read looks for its revisions in the day folders since its file: `oldestThread`),
 *   and `thread/search` of a common word, then `thread/list` after each of 5 renames
 *   (`thread/name/set` through the same side, timed once both sides are idle again),
 *   beside `codex app-server` on the same files (its start to its `initialize` answer timed; its
 *   projection warmed with `thread/resume` of those threads, its first `thread/list` timed the same
 *   way), the sides taking turns call by call; the serve's RSS after. (A home of small rollouts
 *   holds no long thread: no summary page there; its cost follows the thread.)
 * Milliseconds unless named; p50 / p99.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { buildRealShapedHome } from './realHome.js';
import { discoverRollouts } from '../test/compat/scenarios.js';
import type { RealShapedHome } from './realHome.js';
import { parseByteSize } from './byteSize.js';
import { initialize, mergeSides, oursAsk, timeSidesInTurn } from './pagesTiming.js';
import type { Ask, Request } from './pagesTiming.js';
import { spawnServe } from './serveCommand.js';
import { residentSetMb } from './processMemory.js';
import { whenIdle } from './processIdle.js';
import { median } from './stats.js';
import { CLI_PHASE, phaseRun } from './phaseRun.js';

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

export interface ScaleArgs {
  readonly engine: string;
  readonly sizes: ReadonlyArray<string>;
  readonly rollouts: ReadonlyArray<number>;
  readonly maxFileKb: number;
  readonly reps: number;
  readonly withCodex: boolean;
}

interface CliRun {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMB: number;
}

/** One CLI run through cliPhase.js: wall and CPU seconds, peak RSS. */
const cliRun = (engine: string, args: ReadonlyArray<string>): CliRun => {
  const r = phaseRun([CLI_PHASE, ...args], { env: { TZ: 'UTC', CLI_PHASE_ENGINE: engine } });
  return { seconds: round(r.seconds, 2), cpuSeconds: round(r.cpuSeconds, 2), maxRssMB: round(r.maxRssMB) };
};

/** The CLI's work on a point: the cold and no-op index, the first and warm token report. */
const cliWork = (engine: string, home: RealShapedHome, tmp: string) => {
  const indexDir = nodePath.join(tmp, 'index');
  const tokensDir = nodePath.join(tmp, 'index-tokens');
  const on = (dir: string) => ['--codex-home', home.codexHome, '--index-dir', dir, '-q'];
  const report = ['tokens', '--by', 'day-utc', '--breakdown', 'model', '--json'];
  const firstTokens = cliRun(engine, [...report, ...on(tokensDir)]);
  const warmTokens = cliRun(engine, [...report, ...on(tokensDir)]);
  fs.rmSync(tokensDir, { recursive: true, force: true });
  const index = cliRun(engine, ['index', ...on(indexDir)]);
  const noopIndex = cliRun(engine, ['index', ...on(indexDir)]);
  return {
    indexDir,
    out: {
      index: { ...index, mbPerSecond: round(home.bytes / 1e6 / index.seconds) },
      noopIndex,
      firstTokens,
      warmTokens,
    },
  };
};

/** A side's first `thread/list` (limit 100) after its start: milliseconds. */
const firstList = async (ask: Ask): Promise<number> => {
  const t0 = performance.now();
  const a = (await ask('thread/list', { limit: 100 })) as { error?: unknown };
  if (a.error !== undefined) throw new Error(`first thread/list: ${JSON.stringify(a.error)}`);
  return round(performance.now() - t0, 2);
};

/**
 * The paginated thread of the home's first rollout file in path order (`sessions/YYYY/MM/DD`: the
 * oldest day), if any: a read of it looks for revisions in every day folder since
 * (indexer/reads/freshness.ts), the thread whose pages grew with the home's days.
 */
const oldestThread = (codexHome: string): string | undefined =>
  discoverRollouts(codexHome).find((r) => !r.archived && r.historyMode === 'paginated')?.threadId;

/** The warm requests; the summary pages where the home holds the long thread (a home of small rollouts does not). */
const requestsOn = (home: RealShapedHome, hasLong: boolean, oldest: string | undefined): Request[] => [
  { name: 'thread/list 100', method: 'thread/list', params: { limit: 100 } },
  ...(hasLong
    ? [
        {
          name: 'summary 20 newest',
          method: 'thread/turns/list',
          params: { threadId: home.long.paginated, itemsView: 'summary', limit: 20 },
        },
      ]
    : []),
  ...(hasLong && oldest !== undefined
    ? [
        {
          name: 'summary 20 oldest thread',
          method: 'thread/turns/list',
          params: { threadId: oldest, itemsView: 'summary', limit: 20 },
        },
      ]
    : []),
  { name: 'search fact', method: 'thread/search', params: { searchTerm: 'fact' } },
];

/** Renames a side makes, each followed by a timed `thread/list` 100. */
const RENAMES = 5;

/**
 * `thread/list` 100 after a rename made through the same side (`thread/name/set` of the home's
 * first listed thread), once both sides are idle again (the rename's own work not timed): what a
 * list pays to follow the names. The sides take turns. p50 / max in ms.
 */
const listAfterRename = async (
  sides: ReadonlyArray<[string, Ask]>,
  pids: ReadonlyArray<number | undefined>,
): Promise<Record<string, Record<string, unknown>>> => {
  const listed = (await sides[0]![1]('thread/list', { limit: 1 })) as { result?: { data: Array<{ id: string }> } };
  const threadId = listed.result?.data[0]?.id;
  if (threadId === undefined) throw new Error(`thread/list before the renames: ${JSON.stringify(listed)}`);
  const times = new Map<string, number[]>(sides.map(([name]) => [name, []]));
  for (let i = 0; i < RENAMES; i++)
    for (const [name, ask] of sides) {
      const set = (await ask('thread/name/set', { threadId, name: `bench rename ${name} ${i}` })) as {
        error?: unknown;
      };
      if (set.error !== undefined) throw new Error(`thread/name/set (${name}): ${JSON.stringify(set.error)}`);
      await whenIdle(pids, 600_000);
      const t0 = performance.now();
      const a = (await ask('thread/list', { limit: 100 })) as { error?: unknown };
      if (a.error !== undefined) throw new Error(`thread/list after a rename (${name}): ${JSON.stringify(a.error)}`);
      times.get(name)!.push(performance.now() - t0);
    }
  return Object.fromEntries(
    [...times].map(([name, xs]) => [
      name,
      { 'thread/list 100 after a rename': { p50: round(median(xs), 2), max: round(Math.max(...xs), 2) } },
    ]),
  );
};

/** The requests on a warm index through `serve`, codex beside. */
const served = async (
  engine: string,
  home: RealShapedHome,
  indexDir: string,
  reps: number,
  withCodex: boolean,
  hasLong: boolean,
) => {
  const { openColdCodex } = await import('../test/compat/compatHomes.js');
  const oldest = hasLong ? oldestThread(home.codexHome) : undefined;
  const started = performance.now();
  const serve = spawnServe(engine, home.codexHome, indexDir);
  let codex: Awaited<ReturnType<typeof openColdCodex>> | null = null;
  let codexInitializeMs: number | undefined;
  try {
    const ours = oursAsk(serve);
    await initialize(ours, (m) => serve.notify(m));
    const initializeMs = round(performance.now() - started, 2);
    const first: Record<string, number> = { ours: await firstList(ours) };
    const sides: Array<[string, Ask]> = [['ours', ours]];
    if (withCodex) {
      const codexStarted = performance.now();
      codex = await openColdCodex({ codexHome: home.codexHome, workDir: home.workDir }, undefined, 1_800_000);
      codexInitializeMs = round(performance.now() - codexStarted, 2);
      const server = codex.server;
      const askCodex: Ask = async (m, p) => {
        try {
          return { result: await server.request(m, p, 600_000) };
        } catch (e) {
          return { error: String(e) };
        }
      };
      for (const threadId of hasLong ? [home.long.paginated, oldest] : []) {
        if (threadId === undefined) continue;
        const resumed = (await askCodex('thread/resume', { threadId })) as { error?: unknown };
        if (resumed.error !== undefined) throw new Error(`codex thread/resume: ${JSON.stringify(resumed.error)}`);
      }
      first.codex = await firstList(askCodex);
      sides.push(['codex', askCodex]);
    }
    await whenIdle([serve.child.pid, codex?.server.pid], 600_000);
    let times: Record<string, Record<string, unknown>> = Object.fromEntries(sides.map(([name]) => [name, {}]));
    for (const r of requestsOn(home, hasLong, oldest)) times = mergeSides(times, await timeSidesInTurn(sides, r, reps));
    times = mergeSides(times, await listAfterRename(sides, [serve.child.pid, codex?.server.pid]));
    const memory = residentSetMb(serve.child.pid!);
    return {
      oursInitializeMs: initializeMs,
      ...(codexInitializeMs === undefined ? {} : { codexInitializeMs }),
      firstThreadList: first,
      ...(oldest === undefined ? {} : { oldestThread: oldest }),
      ...times,
      serveRssMb: { now: round(memory.nowMb), peak: round(memory.peakMb) },
    };
  } finally {
    await serve.close();
    await codex?.stop();
  }
};

const measurePoint = async (
  args: ScaleArgs,
  label: string,
  hasLong: boolean,
  build: (home: string) => Promise<RealShapedHome>,
): Promise<Record<string, unknown>> => {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-scale-'));
  try {
    const t0 = performance.now();
    const home = await build(nodePath.join(tmp, 'home'));
    const builtSeconds = round((performance.now() - t0) / 1000, 1);
    const cli = cliWork(args.engine, home, tmp);
    return {
      point: label,
      home: {
        bytes: home.bytes,
        rollouts: home.files,
        threads: home.threads,
        lines: home.lines,
        meanLineBytes: home.meanLineBytes,
        builtSeconds,
      },
      ...cli.out,
      serve: await served(args.engine, home, cli.indexDir, args.reps, args.withCodex, hasLong),
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};

/** A point is told on stderr as it is measured (a curve to 10 GB runs for an hour; a late failure keeps the points before it). */
const told = (points: ReadonlyArray<Record<string, unknown>>): void => {
  process.stderr.write(`${JSON.stringify(points[points.length - 1])}\n`);
};

export const runScaleBench = async (args: ScaleArgs): Promise<Record<string, unknown>> => {
  const points: Array<Record<string, unknown>> = [];
  for (const size of args.sizes) {
    const bytes = parseByteSize(size);
    points.push(await measurePoint(args, size, true, (home) => buildRealShapedHome(home, bytes)));
    told(points);
  }
  for (const n of args.rollouts) {
    points.push(
      await measurePoint(args, `${n} rollouts`, false, (home) =>
        buildRealShapedHome(home, Infinity, undefined, { maxFiles: n, maxFileBytes: args.maxFileKb * 1000 }),
      ),
    );
    told(points);
  }
  return { reps: args.reps, maxFileKb: args.maxFileKb, points };
};
