// A real `serve` process on a generated home, as the resource-bound specs drive it: started on a
// port of its own choosing (`listeningServer.ts`), its memory read from /proc, a WebSocket client
// that answers requests by id, and a `/metrics` sample reader.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { WebSocket } from 'ws';
import { ENGINE_CLI_PATH } from '../compat/engineCli.js';
import { exitOf, spawnListening } from '../fixtures/listeningServer.js';
import type { ListeningServer } from '../fixtures/listeningServer.js';
import { newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import type { SynthThread } from '../projections/synth.js';

/** A home of `threads` threads of `turns` turns each (seeds from `seed`); their synthetic threads, to append to. */
export const writeHome = (home: string, threads: number, turns: number, seed = 5000): SynthThread[] =>
  Array.from({ length: threads }, (_, i) => {
    const t = newThread(seed + i);
    const path = nodePath.join(home, rolloutRelPath(t.threadId));
    fs.mkdirSync(nodePath.dirname(path), { recursive: true });
    fs.writeFileSync(path, `${threadLines(t, turns).join('\n')}\n`);
    return t;
  });

/** A process's memory, in MB: `VmHWM` (its peak) and `VmRSS` (now). */
export const memoryOf = (pid: number): { peakMB: number; nowMB: number } => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMB: Math.round(kB('VmHWM') / 1024), nowMB: Math.round(kB('VmRSS') / 1024) };
};

export const until = async (what: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
};

/**
 * How many lines of the server's log `line` matches, once it shows at least `atLeast` of them (or
 * after `ms`). The log comes through a pipe of its own: what the server answered on a socket, or
 * its exit, can come before the line it logged first.
 */
export const loggedLines = async (
  serve: Pick<ListeningServer, 'stderr'>,
  line: RegExp,
  atLeast = 1,
  ms = 30_000,
): Promise<number> => {
  const count = (): number => (serve.stderr().match(new RegExp(line.source, 'g')) ?? []).length;
  await until(() => count() >= atLeast, ms);
  return count();
};

export type ServeChild = Pick<ListeningServer, 'child' | 'stderr' | 'url' | 'exited'>;

/** `serve --listen ws://127.0.0.1:0` (or `listen` false: stdio, its pipes given, `url` empty) on `home`, `extra` flags added, `env` over this process's. */
export const spawnServe = async (
  home: string,
  extra: ReadonlyArray<string> = [],
  listen = true,
  env: Readonly<Record<string, string>> = {},
): Promise<ServeChild> => {
  const args = [ENGINE_CLI_PATH, 'serve', '--codex-home', home, ...extra];
  if (listen) return spawnListening(process.execPath, args, { env: { ...process.env, ...env } });
  const child = spawn(process.execPath, args, { stdio: 'pipe', env: { ...process.env, ...env } });
  const exited = exitOf(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, stderr: () => stderr, url: '', exited };
};

export interface WsClient {
  readonly ws: WebSocket;
  readonly request: (method: string, params: unknown) => Promise<Record<string, unknown>>;
  /** Notifications received, by method. */
  readonly notified: Map<string, number>;
  readonly closed: () => { code: number } | null;
}

/** A WebSocket client of `serve`, initialized; requests answered by id. */
export const wsClient = async (url: string): Promise<WsClient> => {
  const ws = new WebSocket(url, { maxPayload: 64 << 20 });
  const waiting = new Map<unknown, (m: Record<string, unknown>) => void>();
  const notified = new Map<string, number>();
  let closed: { code: number } | null = null;
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as Record<string, unknown>;
    if (typeof m['method'] === 'string' && m['id'] === undefined)
      notified.set(m['method'], (notified.get(m['method']) ?? 0) + 1);
    else waiting.get(m['id'])?.(m);
  });
  ws.on('close', (code) => (closed = { code }));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  let next = 1;
  const request = (method: string, params: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  await request('initialize', { clientInfo: { name: 'bounds', version: '0' } });
  return { ws, request, notified, closed: () => closed };
};

/** The value of one sample of `serve`'s `/metrics` (0 when absent): `name` with its labels, e.g. `x_total{outcome="rescanned"}`. */
export const metricSample = async (url: string, sample: string): Promise<number> => {
  const text = await (await fetch(`${url.replace(/^ws:/, 'http:')}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
};
