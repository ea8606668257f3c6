// `serve --upstream codex`: `codex app-server` spawned on the same CODEX_HOME and kept running —
// `codex --version` checked before serve listens, the child on a Unix socket in a 0700 folder (its
// privacy checked: `openToOthers`), restarted with back-off when it dies, stopped at close. Its
// links are `upstream.ts`'s, as an upstream already running has them; apart from it because
// supervising a child process is its own concern.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { lstatSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { WebSocket } from 'ws';
import { silentLog } from './structuredLog.js';
import type { Upstream, UpstreamOptions } from './upstream.js';
import { DEFAULT_UPSTREAM_TIMEOUTS, linksOf, seconds, socketOptions, unixEndpoint } from './upstream.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Why the socket at `path` could be reached by another user, or null when it cannot. Codex binds
 * its socket in a folder of its own (`/tmp/codex-daemon-<uid>/`, named by a hash of `path`) and
 * leaves a link at `path`; it ignores `--ws-auth` on a Unix socket (0.169.0: a connection without
 * or with a wrong token is served), so the file modes are the only guard: the socket and its
 * folder this user's, the folder closed to group and others.
 */
export const openToOthers = (path: string): string | null => {
  const real = realpathSync(path);
  const socket = lstatSync(real);
  const folder = lstatSync(dirname(real));
  const uid = process.getuid?.();
  if (!socket.isSocket()) return `${real} is not a socket`;
  if (!folder.isDirectory()) return `${dirname(real)} is not a folder`;
  if (uid !== undefined && (socket.uid !== uid || folder.uid !== uid))
    return `${real} or its folder belongs to another user`;
  if ((folder.mode & 0o077) !== 0)
    return `${dirname(real)} is open to other users (mode ${(folder.mode & 0o777).toString(8)})`;
  return null;
};

/**
 * Whether `bin` starts, as `codex app-server` will be started at the first forwarded request:
 * `bin --version` run once (within `timeoutMs`) — its version, or why it did not start (not found,
 * not executable, its exit code and last words, no answer in time).
 */
export const codexVersion = (bin: string, codexHome: string, timeoutMs: number): Promise<E.Either<string, string>> =>
  new Promise((resolve) => {
    execFile(
      bin,
      ['--version'],
      { env: { ...process.env, CODEX_HOME: codexHome }, timeout: timeoutMs, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err === null) return resolve(E.right(stdout.trim()));
        const { code, killed, signal } = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
        const where = bin.includes('/') ? bin : `${bin} on PATH`;
        const said = stderr.trim().split('\n').slice(-1)[0] ?? '';
        if (code === 'ENOENT') return resolve(E.left(`${bin} was not found${bin.includes('/') ? '' : ' on PATH'}`));
        if (code === 'EACCES') return resolve(E.left(`${where} is not executable`));
        if (killed === true && signal !== null)
          return resolve(E.left(`\`${bin} --version\` did not answer within ${seconds(timeoutMs)}`));
        if (typeof code === 'number')
          return resolve(E.left(`\`${bin} --version\` exited ${code}${said === '' ? '' : `: ${said}`}`));
        return resolve(E.left(`${where} could not be started: ${err.message}`));
      },
    );
  });

export interface SpawnedUpstreamOptions extends UpstreamOptions {
  /** The `codex` binary. */
  readonly bin: string;
  readonly codexHome: string;
  /** How long a start may take to accept connections. */
  readonly startTimeoutMs?: number;
  /** Where the folder of its socket is made (default: the system's temporary folder). */
  readonly socketParent?: string;
}

/**
 * `codex app-server` spawned on the same CODEX_HOME, listening on a Unix socket in a folder only
 * this user can enter (made here with mode 0700, removed at close): no port another process could
 * reach. Started at the first connection, restarted with back-off (0.5 s doubling to 30 s) when
 * it dies (on a socket of a new name), stopped (SIGTERM, then SIGKILL) at close.
 * long: a port's factory: the methods it returns share its closure's state
 */
export const spawnedUpstream = (o: SpawnedUpstreamOptions): Upstream => {
  const describe = `${o.bin} app-server`;
  const log = o.log ?? silentLog;
  const timeouts = { ...DEFAULT_UPSTREAM_TIMEOUTS, ...o.timeouts };
  const links = linksOf(describe, timeouts, log);
  let child: ChildProcess | null = null;
  let socket: string | null = null;
  let starting: Promise<string> | null = null;
  let backoffMs = 0;
  let lastFailure = 'not started yet';
  let folder: string | null = null;
  let starts = 0;

  const start = async (): Promise<string> => {
    if (backoffMs > 0) await sleep(backoffMs);
    if (links.closed()) throw new Error('serve is stopping');
    // mkdtemp makes the folder 0700: only this user may enter it and reach the socket.
    folder ??= mkdtempSync(join(o.socketParent ?? tmpdir(), 'rollout-engine-upstream-'));
    const at = join(folder, `codex-${starts++}.sock`);
    const c = spawn(o.bin, ['app-server', '--listen', `unix://${at}`], {
      env: { ...process.env, CODEX_HOME: o.codexHome },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    c.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    const exited = new Promise<string>((resolve) => {
      c.once('error', (err) => resolve(`could not be started: ${err.message}`));
      c.once('exit', (code, signal) =>
        resolve(
          `exited (${signal ?? `code ${code}`})${stderr === '' ? '' : `: ${stderr.trim().split('\n').slice(-1)[0]}`}`,
        ),
      );
    });
    child = c;
    void exited.then((why) => {
      if (child === c) {
        child = null;
        socket = null;
        lastFailure = why;
        if (!links.closed())
          log.info('upstream codex app-server stopped; restarted at the next request', {
            why,
            backoffMs: Math.min(Math.max(backoffMs * 2, 500), 30_000),
          });
        backoffMs = Math.min(Math.max(backoffMs * 2, 500), 30_000);
      }
    });
    // Ready once it accepts a WebSocket handshake on its socket.
    const startTimeoutMs = o.startTimeoutMs ?? 30_000;
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      const ready = await new Promise<boolean>((resolve) => {
        const probe = new WebSocket('ws://localhost/', {
          handshakeTimeout: timeouts.connectMs,
          perMessageDeflate: false,
          ...socketOptions(unixEndpoint(at)),
        });
        probe.once('open', () => {
          probe.close();
          resolve(true);
        });
        probe.once('error', () => resolve(false));
      });
      if (ready) break;
      if (child !== c) throw new Error(lastFailure);
      if (links.closed() || Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(
          links.closed() ? 'serve is stopping' : `did not listen on ${at} within ${seconds(startTimeoutMs)}`,
        );
      }
      await sleep(100);
    }
    const open = openToOthers(at);
    if (open !== null) {
      c.kill('SIGKILL');
      throw new Error(`its socket is not private: ${open}`);
    }
    log.info('upstream codex app-server started', { pid: c.pid, listen: `unix://${at}` });
    socket = at;
    return at;
  };

  const running = (): Promise<string> => {
    if (socket !== null) return Promise.resolve(socket);
    starting ??= start().finally(() => (starting = null));
    return starting;
  };

  return {
    describe,
    timeouts,
    connect: async (onMessage, onClosed) => {
      const at = await running().catch((err: unknown) => {
        lastFailure = err instanceof Error ? err.message : String(err);
        throw new Error(lastFailure);
      });
      const link = await links.open(unixEndpoint(at), onMessage, onClosed);
      // Once a link worked, the next restart starts without waiting.
      backoffMs = 0;
      return link;
    },
    close: async () => {
      links.close();
      const c = child;
      if (c !== null && c.exitCode === null && c.signalCode === null) {
        const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
        c.kill('SIGTERM');
        const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
        await gone;
        clearTimeout(timer);
      }
      if (folder !== null) rmSync(folder, { recursive: true, force: true });
    },
  };
};
