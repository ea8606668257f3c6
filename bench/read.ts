/**
 * `npm run bench -- read [--size 200MB] [--reps 3] [--no-codex]`: `thread/read {includeTurns: true}`
 * of one huge legacy thread (the long thread the real codex wrote, its turns repeated to the
 * size: `buildHugeThreadHome`), asked of `rollout-engine serve` (run with the CLI's Node flags)
 * and, in the same run on the same home, of the real `codex app-server`. Prints the median and
 * every run's seconds per side (each a round trip: the answer written, read and parsed by the
 * bench), the answer's size, whether both answers have the same turns and items, and the serve
 * process's peak RSS (VmHWM).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFileSync } from 'node:child_process';
import { spawnRpcServer } from '../test/fixtures/stdioRpcClient.js';
import { AppServer, writeCodexConfig } from '../test/compat/appServer.js';
import { MockResponses } from '../test/compat/mockResponses.js';
import { CLI_NODE_FLAGS } from '../adapters/cli/nodeFlags.js';
import { buildHugeThreadHome } from './realHome.js';
import { parseByteSize } from './pages.js';

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Peak resident set of a live process (KiB in /proc, MB here). */
const peakRssMB = (pid: number): number => {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024, 1) : NaN;
};

interface Answer {
  readonly turns: ReadonlyArray<{ readonly id: string; readonly items: ReadonlyArray<{ readonly id: string; readonly type: string }> }>;
}

/** What must be equal in both answers (timings aside): turn ids and each turn's item ids and types. */
const shapeOf = (a: Answer): string => JSON.stringify(a.turns.map((t) => [t.id, t.items.map((i) => `${i.type}:${i.id}`)]));

const timed = async (reps: number, read: () => Promise<Answer>): Promise<{ seconds: number[]; answer: Answer }> => {
  let answer = await read(); // warm-up: the file in the page cache, the index checked once
  const seconds: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    answer = await read();
    seconds.push(round((performance.now() - t0) / 1000));
  }
  return { seconds, answer };
};

export const runReadBench = async (engineMain: string, size: string, reps: number, withCodex: boolean): Promise<Record<string, unknown>> => {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-read-'));
  try {
    const home = nodePath.join(tmp, 'home');
    const huge = await buildHugeThreadHome(home, parseByteSize(size), 'legacy');
    const indexDir = nodePath.join(tmp, 'index');
    const t0 = performance.now();
    execFileSync(process.execPath, [...CLI_NODE_FLAGS, engineMain, 'index', '--codex-home', home, '--index-dir', indexDir, '--json', '-q'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const indexSeconds = round((performance.now() - t0) / 1000);
    const params = { threadId: huge.threadId, includeTurns: true };

    const serve = spawnRpcServer(process.execPath, [...CLI_NODE_FLAGS, engineMain, 'serve', '--codex-home', home, '--index-dir', indexDir]);
    let ours: { seconds: number[]; answer: Answer; peakRssMB: number; answerBytes: number };
    try {
      await serve.request('initialize', { clientInfo: { name: 'bench', version: '0' }, capabilities: { experimentalApi: true } });
      serve.notify('initialized');
      const r = await timed(reps, async () => {
        const a = await serve.request('thread/read', params);
        if ('error' in a) throw new Error(`thread/read: ${JSON.stringify(a.error)}`);
        return (a.result as { thread: Answer }).thread;
      });
      ours = { ...r, peakRssMB: peakRssMB(serve.child.pid!), answerBytes: Buffer.byteLength(JSON.stringify({ thread: r.answer })) };
    } finally {
      await serve.close();
    }
    const out: Record<string, unknown> = {
      size,
      bytes: huge.bytes,
      turns: huge.turns,
      lines: huge.lines,
      indexSeconds,
      answerMB: round(ours.answerBytes / 1e6, 1),
      ours: { median: median(ours.seconds), runs: ours.seconds, servePeakRssMB: ours.peakRssMB },
    };
    if (!withCodex) return out;

    const mock = await MockResponses.start();
    writeCodexConfig(home, mock.port);
    const codex = await AppServer.start({ codexHome: home, userHome: nodePath.join(tmp, 'user-home'), cwd: huge.workDir });
    try {
      const r = await timed(reps, async () => ((await codex.request('thread/read', params, 600_000)) as { thread: Answer }).thread);
      out['codex'] = { median: median(r.seconds), runs: r.seconds };
      out['sameTurnsAndItems'] = shapeOf(r.answer) === shapeOf(ours.answer);
      out['speedup'] = round(median(r.seconds) / median(ours.seconds), 1);
    } finally {
      await codex.stop();
      await mock.stop();
    }
    return out;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
