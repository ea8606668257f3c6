/**
 * `npm run bench -- read [--size 200MB] [--reps 3] [--no-codex] [--threads long,largeOutputs]`:
 * `thread/read {includeTurns: true}` of huge legacy threads, each a thread the real codex wrote
 * with its turns repeated to the size (`buildHugeThreadHome`): the long working thread (small
 * outputs: the answer is a tenth of the file), and a session whose tool calls print large
 * outputs (the answer grows with them), asked of `rollout-engine serve` (run with the CLI's Node flags)
 * and, in the same run on the same home, of the real `codex app-server`. Prints the median and
 * every run's seconds per side two ways: to the answer's last byte received, and with the client's
 * `JSON.parse` of it (what a client waits for before it can show a turn: the headline, issue 56),
 * the answer's size, whether both answers have the same turns and items, and the serve process's
 * peak RSS (VmHWM).
 */
import { serveCommand } from './serveCommand.js';
import { median } from './stats.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { appServerEnv, resolveCodexCommand, writeCodexConfig } from '../test/compat/appServer.js';
import { MockResponses } from '../test/compat/mockResponses.js';
import { CLI_NODE_FLAGS, cliNodeEnv } from '../adapters/driving/cli/nodeFlags.js';
import { buildHugeThreadHome } from './realHome.js';
import type { HugeThreadSource } from './realHome.js';
import { parseByteSize } from './pages.js';
import { residentSetMb } from './processMemory.js';
import type { ResultOf } from '../protocol/methods.js';

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** A JSON-RPC peer on stdio that times each answer to its last byte, then to the end of its parse (small lines: notifications, skipped). */
const rawPeer = (file: string, args: ReadonlyArray<string>, opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) => {
  const child = spawn(file, [...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  let pending: Buffer[] = [];
  let waiting: { readonly id: number; readonly resolve: (a: { at: number; text: string }) => void } | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    for (let from = 0; ;) {
      const nl = chunk.indexOf(10, from);
      if (nl < 0) {
        pending.push(chunk.subarray(from));
        return;
      }
      const at = performance.now();
      const line = Buffer.concat([...pending, chunk.subarray(from, nl)]);
      pending = [];
      from = nl + 1;
      const head = line.subarray(0, 200).toString('utf8');
      if (waiting !== undefined && new RegExp(`"id":${waiting.id}[,}]`).test(head) && !head.includes('"method"')) {
        const w = waiting;
        waiting = undefined;
        w.resolve({ at, text: line.toString('utf8') });
      }
    }
  });
  let nextId = 1;
  return {
    pid: child.pid!,
    /** Seconds to the answer's last byte, seconds to the end of the client's parse of it, and the answer parsed. */
    request: async (
      method: string,
      params: unknown,
    ): Promise<{ seconds: number; parsedSeconds: number; message: { result?: unknown; error?: unknown } }> => {
      const id = nextId++;
      const got = new Promise<{ at: number; text: string }>((resolve) => (waiting = { id, resolve }));
      const t0 = performance.now();
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      const { at, text } = await got;
      const message = JSON.parse(text) as { result?: unknown; error?: unknown };
      return { seconds: (at - t0) / 1000, parsedSeconds: (performance.now() - t0) / 1000, message };
    },
    notify: (method: string): void => void child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method })}\n`),
    close: async (): Promise<void> => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
};
type RawPeer = ReturnType<typeof rawPeer>;

const initialize = async (peer: RawPeer): Promise<void> => {
  const r = await peer.request('initialize', {
    clientInfo: { name: 'bench', version: '0' },
    capabilities: { experimentalApi: true },
  });
  if (r.message.error !== undefined) throw new Error(`initialize: ${JSON.stringify(r.message.error)}`);
  peer.notify('initialized');
};

type Answer = ResultOf<'thread/read'>['thread'];

/** What must be equal in both answers (timings aside): turn ids and each turn's item ids and types. */
const shapeOf = (a: Answer): string =>
  JSON.stringify(a.turns.map((t) => [t.id, t.items.map((i) => `${i.type}:${i.id}`)]));

/**
 * `thread/read` `reps` times after a first read (the file in the page cache, the index checked
 * once; ours also stores the thread's rendering then), whose seconds are given apart.
 */
interface TimedReads {
  readonly first: number;
  /** To the answer's last byte. */
  readonly seconds: number[];
  /** To the end of the client's JSON.parse of it. */
  readonly parsed: number[];
  readonly answer: Answer;
  readonly bytes: number;
}
const timed = async (reps: number, peer: RawPeer, params: unknown): Promise<TimedReads> => {
  const read = async (): Promise<{ seconds: number; parsedSeconds: number; answer: Answer; bytes: number }> => {
    const r = await peer.request('thread/read', params);
    if (r.message.error !== undefined) throw new Error(`thread/read: ${JSON.stringify(r.message.error)}`);
    const result = r.message.result as ResultOf<'thread/read'>;
    return {
      seconds: r.seconds,
      parsedSeconds: r.parsedSeconds,
      answer: result.thread,
      bytes: Buffer.byteLength(JSON.stringify(r.message)),
    };
  };
  let last = await read();
  const first = round(last.seconds);
  const seconds: number[] = [];
  const parsed: number[] = [];
  for (let i = 0; i < reps; i++) {
    last = await read();
    seconds.push(round(last.seconds));
    parsed.push(round(last.parsedSeconds));
  }
  return { first, seconds, parsed, answer: last.answer, bytes: last.bytes };
};

/** A thread on an indexed home, and where codex runs for it. */
export interface ReadTarget {
  readonly home: string;
  readonly indexDir: string;
  readonly threadId: string;
  readonly workDir: string;
  /** Scratch space for codex's HOME. */
  readonly tmp: string;
}

/** `thread/read includeTurns` of one thread, ours (serve) and, when asked, codex's, `reps` times each. */
export const compareThreadRead = async (
  engineMain: string,
  target: ReadTarget,
  reps: number,
  withCodex: boolean,
): Promise<Record<string, unknown>> => {
  const { home, indexDir } = target;
  const params = { threadId: target.threadId, includeTurns: true };
  const ourServe = serveCommand(engineMain, home, indexDir);
  const serve = rawPeer(ourServe.file, ourServe.args, { env: ourServe.env });
  let ours: TimedReads & { peakRssMB: number };
  try {
    await initialize(serve);
    ours = { ...(await timed(reps, serve, params)), peakRssMB: round(residentSetMb(serve.pid).peakMb, 1) };
  } finally {
    await serve.close();
  }
  const out: Record<string, unknown> = {
    answerMB: round(ours.bytes / 1e6, 1),
    turnsRead: ours.answer.turns.length,
    ours: {
      median: median(ours.seconds),
      runs: ours.seconds,
      parsedMedian: median(ours.parsed),
      parsedRuns: ours.parsed,
      firstRead: ours.first,
      servePeakRssMB: ours.peakRssMB,
    },
  };
  if (!withCodex) return out;
  const mock = await MockResponses.start();
  writeCodexConfig(home, mock.port);
  const command = resolveCodexCommand();
  const env = appServerEnv({ codexHome: home, userHome: nodePath.join(target.tmp, 'user-home') });
  const codex = rawPeer(command.file, [...command.args, 'app-server'], { env, cwd: target.workDir });
  try {
    await initialize(codex);
    const r = await timed(reps, codex, params);
    out['codex'] = {
      median: median(r.seconds),
      runs: r.seconds,
      parsedMedian: median(r.parsed),
      parsedRuns: r.parsed,
      firstRead: r.first,
    };
    out['firstReadSpeedup'] = round(r.first / ours.first, 1);
    out['sameTurnsAndItems'] = shapeOf(r.answer) === shapeOf(ours.answer);
    out['speedup'] = round(median(r.seconds) / median(ours.seconds), 1);
    out['speedupParsed'] = round(median(r.parsed) / median(ours.parsed), 1);
  } finally {
    await codex.close();
    await mock.stop();
  }
  return out;
};

export const runReadBench = async (
  engineMain: string,
  size: string,
  reps: number,
  withCodex: boolean,
  threads: ReadonlyArray<HugeThreadSource>,
): Promise<Record<string, unknown>> => {
  const out: Record<string, unknown> = { size };
  for (const thread of threads) out[thread] = await readHugeThread(engineMain, size, reps, withCodex, thread);
  return out;
};

/** One huge legacy thread repeating `thread`'s turns: built, indexed, read by both sides. */
const readHugeThread = async (
  engineMain: string,
  size: string,
  reps: number,
  withCodex: boolean,
  thread: HugeThreadSource,
): Promise<Record<string, unknown>> => {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-read-'));
  try {
    const home = nodePath.join(tmp, 'home');
    const huge = await buildHugeThreadHome(home, parseByteSize(size), 'legacy', undefined, thread);
    const indexDir = nodePath.join(tmp, 'index');
    const t0 = performance.now();
    execFileSync(
      process.execPath,
      [...CLI_NODE_FLAGS, engineMain, 'index', '--codex-home', home, '--index-dir', indexDir, '--json', '-q'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: cliNodeEnv(),
      },
    );
    const indexSeconds = round((performance.now() - t0) / 1000);
    const compared = await compareThreadRead(
      engineMain,
      { home, indexDir, threadId: huge.threadId, workDir: huge.workDir, tmp },
      reps,
      withCodex,
    );
    return { bytes: huge.bytes, turns: huge.turns, lines: huge.lines, indexSeconds, ...compared };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
