/**
 * `npm run bench -- tokens --vs ccusage [--size 300MB] [--reps 5] [--ccusage VERSION]`: the tool
 * Codex users run for token reports (`ccusage codex daily --json`) beside `rollout-engine tokens`
 * on the same real-shaped home (bench/realHome.ts), in one run. ccusage is installed into the
 * bench's scratch folder from the registry (never a dependency of this package). Both run as
 * processes with TZ=UTC (ours with the CLI's node flags and environment, as its shebang runs it);
 * per run: wall seconds and peak RSS (GNU time). Ours fresh (no index: the run catches up the token
 * projection alone) and warm (the index current). Then the same report from a running `serve`
 * (what a server backend and the viewer's charts ask, `rolloutEngine/tokens/report`): started on
 * the warm index, its first report waits for its build of the whole index; the next
 * SERVE_REPORTS are timed at the client, request to answer. Then the totals per UTC day and model,
 * compared (ccusage's, the CLI's and the server's). Beside them, in the same turns, the floors:
 * bare `node` with the CLI's flags, and Node processes that only read the lines a report needs
 * (bench/tokenLinesFloor.ts: parsed, read by their fields, or the token counts found by a byte
 * search on every core) or read them by their fields and fold them by the token projection, with
 * no index and no report (on one thread, and on every core); and whether ccusage ran as a native
 * binary.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseByteSize } from './byteSize.js';
import { buildRealShapedHome } from './realHome.js';
import { ccusageLeftOut } from './ccusageLeftOut.js';
import { ccusageCells, differingCells, leftOutSummary, lessLeftOut, ourCells, totalOf } from './tokenCells.js';
import { percentile } from './stats.js';
import { residentSetMb } from './processMemory.js';
import { CLI_NODE_FLAGS, cliNodeEnv } from '../adapters/driving/cli/nodeFlags.js';
import { answered, initialize, spawnServe } from './serveCommand.js';
import type { RpcAnswer } from '../test/fixtures/stdioRpcClient.js';

/** Reports asked of a warm server (a long-running process: its code is optimised after the first few). */
const SERVE_REPORTS = 20;

interface Run {
  readonly seconds: number;
  readonly peakRssMb: number;
  /** CPU time over wall time, in percent (GNU time's %P): above 100, the process used more than one core. */
  readonly cpuPercent: number;
  readonly stdout: string;
}

/** One process under GNU time: its wall seconds, peak RSS, CPU share and output. */
const timedRun = (file: string, args: readonly string[], env: NodeJS.ProcessEnv): Run => {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %P', file, ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const [seconds, kb, cpu] = r.stderr.trim().split('\n').pop()!.split(' ');
  return {
    seconds: Number(seconds),
    peakRssMb: Math.round(Number(kb) / 1024),
    cpuPercent: parseInt(cpu!, 10),
    stdout: r.stdout,
  };
};

const summary = (runs: readonly Run[]) => ({
  medianSeconds: percentile(
    runs.map((r) => r.seconds),
    50,
  ),
  peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
  medianCpuPercent: percentile(
    runs.map((r) => r.cpuPercent),
    50,
  ),
  runs: runs.map((r) => r.seconds),
});

/** The server's answer as the CLI prints it (`tokens --json` is that report). */
const reportJson = (a: RpcAnswer): string => {
  answered(a, 'rolloutEngine/tokens/report');
  return JSON.stringify((a as { result: unknown }).result);
};

/**
 * `serve` on the home and the index the CLI left warm: the first report (it waits for the server's
 * build of the whole index), then SERVE_REPORTS more, each timed request to answer.
 */
const serveReports = async (engine: string, home: string, indexDir: string) => {
  const s = spawnServe(engine, home, indexDir);
  try {
    await initialize(s);
    const ask = () => s.request('rolloutEngine/tokens/report', { by: 'dayUtc' });
    const t0 = performance.now();
    const first = reportJson(await ask());
    const firstSeconds = (performance.now() - t0) / 1000;
    const runs: number[] = [];
    let last = first;
    for (let i = 0; i < SERVE_REPORTS; i++) {
      const t = performance.now();
      last = reportJson(await ask());
      runs.push((performance.now() - t) / 1000);
    }
    const memory = residentSetMb(s.child.pid!);
    return {
      firstSeconds,
      runs,
      memory: { rssMb: Math.round(memory.nowMb), peakRssMb: Math.round(memory.peakMb) },
      first,
      last,
    };
  } finally {
    await s.close();
  }
};

/** The native package ccusage's Node wrapper runs (an executable file of the platform's binary format), if installed. */
const nativeCcusage = (scratch: string): string | null => {
  const name = `@ccusage/ccusage-${process.platform}-${process.arch}`;
  const bin = nodePath.join(scratch, 'node_modules', name, 'bin', 'ccusage');
  try {
    const fd = fs.openSync(bin, 'r');
    const magic = Buffer.alloc(4);
    fs.readSync(fd, magic, 0, 4, 0);
    fs.closeSync(fd);
    return magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])) || magic.readUInt32LE(0) === 0xfeedfacf ? name : null;
  } catch {
    return null;
  }
};

export interface TokensVsCcusageArgs {
  readonly size: string;
  readonly reps: number;
  readonly ccusageVersion: string;
  readonly engine: string;
}

// long: a bench's run (or its generated data), read top to bottom in the order it runs
export const runTokensVsCcusage = async (args: TokensVsCcusageArgs): Promise<Record<string, unknown>> => {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-ccusage-'));
  try {
    const scratch = nodePath.join(tmp, 'ccusage');
    fs.mkdirSync(scratch);
    execFileSync(
      'npm',
      ['install', '--prefix', scratch, `ccusage@${args.ccusageVersion}`, '--no-audit', '--no-fund', '--loglevel=error'],
      { stdio: 'ignore' },
    );
    const ccusageBin = nodePath.join(scratch, 'node_modules', '.bin', 'ccusage');
    const installed = (
      JSON.parse(fs.readFileSync(nodePath.join(scratch, 'node_modules', 'ccusage', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    const native = nativeCcusage(scratch);
    const home = nodePath.join(tmp, 'home');
    const built = await buildRealShapedHome(home, parseByteSize(args.size));
    const indexDir = nodePath.join(tmp, 'index');
    const env = cliNodeEnv({ ...process.env, TZ: 'UTC', CODEX_HOME: home });
    // As a shell runs the CLI: its shebang's flags and environment (adapters/driving/cli/nodeFlags.ts).
    const ours = [
      process.execPath,
      [
        ...CLI_NODE_FLAGS,
        args.engine,
        'tokens',
        '--by',
        'day-utc',
        '--breakdown',
        'model',
        '--json',
        '-q',
        '--codex-home',
        home,
        '--index-dir',
        indexDir,
      ],
    ] as const;
    // The floor under any Node reader of these lines (bench/tokenLinesFloor.ts), and under any Node process.
    const floorScript = nodePath.join(nodePath.dirname(fileURLToPath(import.meta.url)), 'tokenLinesFloor.js');
    const ccusage: Run[] = [];
    const fresh: Run[] = [];
    const warm: Run[] = [];
    const nodeStart: Run[] = [];
    // Per way of reading (bench/tokenLinesFloor.ts): parsed, read by their fields, found by a byte search.
    const tokenLines: Run[] = [];
    const tokenFields: Run[] = [];
    const tokenSearched: Run[] = [];
    // The fold a first report runs, with no index: on this thread, and on every core.
    const tokenFolded: Run[] = [];
    const tokenFoldedShared: Run[] = [];
    for (let i = 0; i < args.reps; i++) {
      ccusage.push(timedRun(ccusageBin, ['codex', 'daily', '--json'], env));
      fs.rmSync(indexDir, { recursive: true, force: true });
      fresh.push(timedRun(ours[0], ours[1], env));
      warm.push(timedRun(ours[0], ours[1], env));
      nodeStart.push(timedRun(process.execPath, [...CLI_NODE_FLAGS, '-e', '0'], env));
      tokenLines.push(timedRun(process.execPath, [...CLI_NODE_FLAGS, floorScript, home, 'parsed'], env));
      tokenFields.push(timedRun(process.execPath, [...CLI_NODE_FLAGS, floorScript, home, 'fields'], env));
      tokenSearched.push(timedRun(process.execPath, [...CLI_NODE_FLAGS, floorScript, home, 'searched'], env));
      tokenFolded.push(timedRun(process.execPath, [...CLI_NODE_FLAGS, floorScript, home, 'folded'], env));
      tokenFoldedShared.push(timedRun(process.execPath, [...CLI_NODE_FLAGS, floorScript, home, 'foldedShared'], env));
    }
    type FloorRead = { files: number; lines: number; bytes: number; threads: number };
    const read = JSON.parse(tokenLines[0]!.stdout) as FloorRead;
    const searchedRead = JSON.parse(tokenSearched[0]!.stdout) as FloorRead;
    const foldedRead = JSON.parse(tokenFolded[0]!.stdout) as FloorRead & { rows: number };
    // Each run's workers: the seconds each took to load the folding code and to fold its share.
    const sharedWorkers = tokenFoldedShared.map((r) => {
      const o = JSON.parse(r.stdout) as { loadSeconds: number[]; foldSeconds: number[] };
      return { loadSeconds: o.loadSeconds, foldSeconds: o.foldSeconds };
    });
    const served = await serveReports(args.engine, home, indexDir);
    const theirs = ccusageCells(ccusage[0]!.stdout);
    const mine = ourCells(warm[0]!.stdout);
    // The server answers what the CLI printed (the report's `seconds` and `index` are the CLI's own).
    const server = ourCells(served.last);
    const serverDiffers = differingCells(mine, server);
    if (serverDiffers.length > 0 || served.first !== served.last)
      throw new Error(
        `the server's report differs from the CLI's (or between its answers): ${serverDiffers.slice(0, 5).join(', ')}`,
      );
    const differing = differingCells(theirs, mine);
    // Each differing cell is explained when ccusage's equals ours less the responses it leaves out.
    const leftOut = ccusageLeftOut(home);
    const expected = lessLeftOut(mine, leftOut);
    const unexplained = differingCells(theirs, expected).map((k) => ({
      dayAndModel: k,
      ccusage: theirs.get(k) ?? null,
      ours: mine.get(k) ?? null,
      expected: expected.get(k) ?? null,
    }));
    const c = summary(ccusage);
    const f = summary(fresh);
    const w = summary(warm);
    const searchedFloor = summary(tokenSearched);
    const fieldsFloor = summary(tokenFields);
    const foldedFloor = summary(tokenFolded);
    const foldedSharedFloor = summary(tokenFoldedShared);
    const served50 = percentile(served.runs, 50);
    return {
      ccusage: installed,
      // ccusage 20's `ccusage` is a Node wrapper that spawns a native binary for the platform, when one is installed.
      ccusageNativeBinary: native,
      home: { size: args.size, bytes: built.bytes, files: built.files, threads: built.threads, lines: built.lines },
      reps: args.reps,
      totals: {
        ccusage: totalOf(theirs),
        ours: totalOf(mine),
        dayModelCells: theirs.size,
        cellsDiffering: differing.length,
        // Responses we count that ccusage leaves out as replayed parent history (bench/ccusageLeftOut.ts, docs/reports.md).
        ccusageLeftOut: leftOutSummary(leftOut),
        cellsUnexplained: unexplained.length,
        unexplained,
      },
      seconds: { ccusage: c, oursFresh: f, oursWarm: w },
      // What no Node process beats: its start; reading the lines a report needs and parsing them, or
      // reading them by their fields as the lean token pass does (nothing else); and finding only
      // the token_count lines by a byte search on every core, unchecked (the least any reader does).
      floor: {
        nodeStart: summary(nodeStart),
        tokenLinesParsed: { ...summary(tokenLines), files: read.files, lines: read.lines, bytes: read.bytes },
        tokenLinesByFields: fieldsFloor,
        tokenCountsSearched: {
          ...searchedFloor,
          lines: searchedRead.lines,
          bytes: searchedRead.bytes,
          threads: searchedRead.threads,
        },
        // The lines read by their fields and folded by the token projection, each file probed, rows built and dropped (no index, no report).
        tokenLinesFolded: { ...foldedFloor, lines: foldedRead.lines, rows: foldedRead.rows },
        tokenLinesFoldedShared: { ...foldedSharedFloor, workers: sharedWorkers },
      },
      server: {
        firstReportSeconds: Math.round(served.firstSeconds * 100) / 100,
        reports: SERVE_REPORTS,
        medianSeconds: Math.round(served50 * 10000) / 10000,
        p90Seconds: Math.round(percentile(served.runs, 90) * 10000) / 10000,
        ...served.memory,
      },
      ratios: {
        freshVsCcusage: Math.round((f.medianSeconds / c.medianSeconds) * 100) / 100,
        searchedVsCcusage: Math.round((searchedFloor.medianSeconds / c.medianSeconds) * 100) / 100,
        fieldsVsCcusage: Math.round((fieldsFloor.medianSeconds / c.medianSeconds) * 100) / 100,
        foldedVsCcusage: Math.round((foldedFloor.medianSeconds / c.medianSeconds) * 100) / 100,
        foldedSharedVsCcusage: Math.round((foldedSharedFloor.medianSeconds / c.medianSeconds) * 100) / 100,
        ccusageVsWarm: Math.round((c.medianSeconds / w.medianSeconds) * 10) / 10,
        ccusageVsServer: Math.round((c.medianSeconds / served50) * 10) / 10,
      },
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
