// `serve --upstream`: the methods the engine does not answer (accounts, models, thread/resume,
// turn/start and the server→client requests a turn makes) go to a real `codex app-server`, one
// upstream WebSocket connection per client connection (Codex keeps its subscriptions per
// connection). The upstream is either spawned here (`codex app-server --listen ws://127.0.0.1:P`
// on the same CODEX_HOME, restarted with back-off when it dies) or one already running.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { WebSocket } from 'ws';
import { INTERNAL_ERROR } from '../../protocol/jsonRpc.js';
import type { RpcError } from '../../protocol/jsonRpc.js';

type Id = string | number | null;

/** An answer from the upstream, or the error that stands for it when the upstream cannot answer. */
export type UpstreamReply = { readonly result: unknown } | { readonly error: RpcError };

/** What the upstream sends unasked: a notification, or a request of its own (approvals, `item/tool/call`). */
export interface UpstreamMessage {
  readonly method: string;
  readonly params?: unknown;
  /** Present on a server→client request: the client's reply goes back with `respond`. */
  readonly id?: Id;
}

/** One client connection's link to the upstream. */
export interface UpstreamLink {
  readonly request: (method: string, params: unknown) => Promise<UpstreamReply>;
  readonly notify: (method: string, params?: unknown) => void;
  /** The client's reply to a request the upstream made. */
  readonly respond: (id: Id, reply: { readonly result?: unknown; readonly error?: unknown }) => void;
  /** Still connected: a closed link is made again (the upstream restarted). */
  readonly isOpen: () => boolean;
  readonly close: () => void;
}

export interface Upstream {
  /** What the start-up line and errors call it. */
  readonly describe: string;
  /** A link for one client connection; fails with a readable reason when the upstream cannot be reached. `onClosed`: the link went (the upstream died or closed it). */
  readonly connect: (onMessage: (m: UpstreamMessage) => void, onClosed?: () => void) => Promise<UpstreamLink>;
  readonly close: () => Promise<void>;
}

/** The error a forwarded request gets when the upstream is not there to answer it. */
export const upstreamUnavailable = (describe: string, why: string): RpcError => ({
  code: INTERNAL_ERROR,
  message: `the upstream codex app-server (${describe}) is not available: ${why}; history methods are still answered here`,
});

/** How long a forwarded request may wait for its answer (a turn's own requests answer at once; the turn runs behind them). */
const REQUEST_TIMEOUT_MS = 120_000;

/** A WebSocket link to `url`, the bearer token in the handshake when one is given. */
const openLink = (url: string, token: string | undefined, describe: string, onMessage: (m: UpstreamMessage) => void, onClosed?: () => void): Promise<UpstreamLink> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    const waiting = new Map<number, { readonly settle: (r: UpstreamReply) => void; readonly timer: NodeJS.Timeout }>();
    let nextId = 1;
    let closed = false;
    const settleAll = (why: string): void => {
      for (const [, w] of waiting) {
        clearTimeout(w.timer);
        w.settle({ error: upstreamUnavailable(describe, why) });
      }
      waiting.clear();
    };
    ws.on('message', (data) => {
      let msg: { id?: Id; method?: unknown; params?: unknown; result?: unknown; error?: RpcError };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        return; // not JSON: nothing to route
      }
      if (typeof msg.method === 'string') {
        onMessage(msg.id === undefined ? { method: msg.method, params: msg.params } : { method: msg.method, params: msg.params, id: msg.id });
        return;
      }
      if (typeof msg.id !== 'number') return;
      const w = waiting.get(msg.id);
      if (w === undefined) return;
      waiting.delete(msg.id);
      clearTimeout(w.timer);
      w.settle(msg.error !== undefined ? { error: msg.error } : { result: msg.result });
    });
    ws.once('open', () =>
      resolve({
        request: (method, params) => {
          if (closed || ws.readyState !== WebSocket.OPEN) return Promise.resolve({ error: upstreamUnavailable(describe, 'its connection closed') });
          const id = nextId++;
          return new Promise<UpstreamReply>((settle) => {
            const timer = setTimeout(() => {
              waiting.delete(id);
              settle({ error: upstreamUnavailable(describe, `no answer to ${method} within ${REQUEST_TIMEOUT_MS / 1000} s`) });
            }, REQUEST_TIMEOUT_MS);
            waiting.set(id, { settle, timer });
            ws.send(JSON.stringify(params === undefined ? { id, method } : { id, method, params }));
          });
        },
        notify: (method, params) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(params === undefined ? { method } : { method, params }));
        },
        respond: (id, reply) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(reply.error !== undefined ? { id, error: reply.error } : { id, result: reply.result ?? null }));
        },
        isOpen: () => !closed && ws.readyState === WebSocket.OPEN,
        close: () => {
          closed = true;
          ws.close();
        },
      }),
    );
    ws.once('error', (err) => {
      if (ws.readyState !== WebSocket.OPEN) reject(err);
    });
    ws.on('close', () => {
      const wasOpen = !closed;
      closed = true;
      settleAll('its connection closed');
      // Told only when the upstream went, not when the client's side closed the link.
      if (wasOpen) onClosed?.();
    });
  });

/** An upstream already running (`--upstream ws://HOST:PORT`), its capability token read from a file when given. */
export const webSocketUpstream = (url: string, tokenFile?: string): Upstream => {
  const token = tokenFile === undefined ? undefined : readFileSync(tokenFile, 'utf8').trim();
  return {
    describe: url,
    connect: (onMessage, onClosed) => openLink(url, token, url, onMessage, onClosed),
    close: async () => undefined,
  };
};

/** A free loopback port (bound and let go: the child binds it next). */
export const freeLoopbackPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface SpawnedUpstreamOptions {
  /** The `codex` binary. */
  readonly bin: string;
  readonly codexHome: string;
  /** Told when the upstream starts, dies and is restarted. */
  readonly log?: (msg: string, fields: Record<string, unknown>) => void;
  /** How long a start may take to accept connections. */
  readonly startTimeoutMs?: number;
}

/**
 * `codex app-server` spawned on the same CODEX_HOME, listening on a loopback port of its own;
 * started at the first connection, restarted with back-off (0.5 s doubling to 30 s) when it
 * dies, stopped (SIGTERM, then SIGKILL) at close.
 */
export const spawnedUpstream = (o: SpawnedUpstreamOptions): Upstream => {
  const describe = `${o.bin} app-server`;
  let child: ChildProcess | null = null;
  let url: string | null = null;
  let starting: Promise<string> | null = null;
  let backoffMs = 0;
  let stopping = false;
  let lastFailure = 'not started yet';

  const start = async (): Promise<string> => {
    if (backoffMs > 0) await sleep(backoffMs);
    const port = await freeLoopbackPort();
    const listen = `ws://127.0.0.1:${port}`;
    const c = spawn(o.bin, ['app-server', '--listen', listen], { env: { ...process.env, CODEX_HOME: o.codexHome }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    const exited = new Promise<string>((resolve) => {
      c.once('error', (err) => resolve(`could not be started: ${err.message}`));
      c.once('exit', (code, signal) => resolve(`exited (${signal ?? `code ${code}`})${stderr === '' ? '' : `: ${stderr.trim().split('\n').slice(-1)[0]}`}`));
    });
    child = c;
    void exited.then((why) => {
      if (child === c) {
        child = null;
        url = null;
        lastFailure = why;
        if (!stopping) o.log?.('upstream codex app-server stopped; restarted at the next request', { why, backoffMs: Math.min(Math.max(backoffMs * 2, 500), 30_000) });
        backoffMs = Math.min(Math.max(backoffMs * 2, 500), 30_000);
      }
    });
    // Ready once it accepts a WebSocket handshake.
    const deadline = Date.now() + (o.startTimeoutMs ?? 30_000);
    for (;;) {
      const ready = await new Promise<boolean>((resolve) => {
        const probe = new WebSocket(listen);
        probe.once('open', () => {
          probe.close();
          resolve(true);
        });
        probe.once('error', () => resolve(false));
      });
      if (ready) break;
      if (child !== c) throw new Error(lastFailure);
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`did not listen on ${listen} within ${(o.startTimeoutMs ?? 30_000) / 1000} s`);
      }
      await sleep(100);
    }
    o.log?.('upstream codex app-server started', { pid: c.pid, listen });
    url = listen;
    return listen;
  };

  const running = (): Promise<string> => {
    if (url !== null) return Promise.resolve(url);
    starting ??= start().finally(() => (starting = null));
    return starting;
  };

  return {
    describe,
    connect: async (onMessage, onClosed) => {
      const at = await running().catch((err: unknown) => {
        lastFailure = err instanceof Error ? err.message : String(err);
        throw new Error(lastFailure);
      });
      const link = await openLink(at, undefined, describe, onMessage, onClosed);
      // Once a link worked, the next restart starts without waiting.
      backoffMs = 0;
      return link;
    },
    close: async () => {
      stopping = true;
      const c = child;
      if (c === null || c.exitCode !== null) return;
      const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    },
  };
};
