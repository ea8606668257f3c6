// Drives the real `codex app-server` (the @openai/codex devDependency) over JSON-RPC 2.0 on stdio,
// one JSON object per line. Every call is bounded in time, and every process started here is
// tracked so that an after-hook can always kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { typedClient } from '../../protocol/client.js';

export const MOCK_API_KEY_ENV = 'ORACLE_MOCK_API_KEY';
export const COMPAT_CLIENT_NAME = 'rollout_engine_compat';
export const COMPAT_CLIENT_VERSION = '0.1.0';

/** The config.toml the reference corpus ran with; only the mock's port changes. */
export function codexConfigToml(mockPort: number): string {
  return `model = "mock-model"
model_provider = "mock"
approval_policy = "never"
sandbox_mode = "danger-full-access"
model_reasoning_summary = "detailed"
model_context_window = 200000
check_for_update_on_startup = false
cli_auth_credentials_store = "file"
suppress_unstable_features_warning = true

[model_providers.mock]
name = "Oracle mock Responses API"
base_url = "http://127.0.0.1:${mockPort}/v1"
wire_api = "responses"
env_key = "${MOCK_API_KEY_ENV}"
request_max_retries = 0
stream_max_retries = 0
stream_idle_timeout_ms = 300000
supports_websockets = false

[analytics]
enabled = false

[feedback]
enabled = false

[history]
persistence = "none"

[features]
enable_request_compression = false
respect_system_proxy = false
plugins = false
apps = false
remote_plugin = false
recommended_plugins = false
tool_suggest = false
image_generation = false
memories = false
shell_snapshot = false
daemon_auto_start = false

`;
}

export function writeCodexConfig(codexHome: string, mockPort: number): void {
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), codexConfigToml(mockPort));
}

const PLATFORM_TARGETS: Record<string, { pkg: string; triple: string }> = {
  'linux-x64': { pkg: '@openai/codex-linux-x64', triple: 'x86_64-unknown-linux-musl' },
  'linux-arm64': { pkg: '@openai/codex-linux-arm64', triple: 'aarch64-unknown-linux-musl' },
  'darwin-x64': { pkg: '@openai/codex-darwin-x64', triple: 'x86_64-apple-darwin' },
  'darwin-arm64': { pkg: '@openai/codex-darwin-arm64', triple: 'aarch64-apple-darwin' },
};

export interface CodexCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/** A process's parent, from /proc (Linux); undefined when it is gone. */
const parentPid = (pid: number): number | undefined => {
  try {
    // After the command's `(…)`, whatever it holds: state, then the parent's pid.
    return Number(
      readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .split(' ')[1],
    );
  } catch {
    return undefined;
  }
};

/**
 * Codex's own pid for a process spawned from `command`: that process, or, when the command is a
 * package's launcher (a node script that runs the native binary as its child: 0.171.0's test
 * tool), its child. What Codex names as itself (a writer lock's holder, `server/diagnostics`).
 */
export const codexPidOf = (spawned: number, command: CodexCommand): number | undefined => {
  if (command.args.length === 0) return spawned;
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .find((pid) => parentPid(pid) === spawned);
};

/**
 * The native binary when it can be found, so that the pid we signal is Codex itself; otherwise the
 * package's node launcher (which forwards SIGTERM; we also kill its process group).
 */
export function resolveCodexCommand(): CodexCommand {
  // A whole compat run against another version (`ROLLOUT_ENGINE_COMPAT_CODEX_VERSION`): its alias devDependency or test tool.
  const other = compatCodexVersion();
  if (other !== PINNED_CODEX_VERSION) {
    const found = installedCodexAt(other);
    if (found === undefined)
      throw new Error(`Codex ${other} is not installed: npm run codex:next -- ${other} --no-compat installs it`);
    return found;
  }
  return pinnedCodexCommand();
}

/** The pinned devDependency's Codex (`@openai/codex`, 0.169.0): its native binary when found, else its launcher. */
function pinnedCodexCommand(): CodexCommand {
  const require = createRequire(import.meta.url);
  const target = PLATFORM_TARGETS[`${process.platform}-${process.arch}`];
  if (target !== undefined) {
    try {
      const pkgJson = require.resolve(`${target.pkg}/package.json`);
      const binary = join(dirname(pkgJson), 'vendor', target.triple, 'bin', 'codex');
      if (existsSync(binary)) return { file: binary, args: [] };
    } catch (err) {
      // The platform's package is not installed: the launcher finds its binary itself.
      if ((err as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw err;
    }
  }
  const launcherPkg = require.resolve('@openai/codex/package.json');
  return { file: process.execPath, args: [join(dirname(launcherPkg), 'bin', 'codex.js')] };
}

/**
 * The Codex a compat suite compares with, by version: the pinned devDependency for 0.169.0; for a
 * newer one its alias devDependency (`@openai/codex-0.171`), else `ROLLOUT_ENGINE_CODEX_TOOLS`'s
 * install of it (`<dir>/codex-<version>`, as `npm run codex:next` makes), else the tool cache's
 * (`olderCodex.ts`, installed from the registry on first use).
 */
export async function codexCommandAt(version: string): Promise<CodexCommand> {
  // The pinned devDependency is installed whatever the compat run compares with.
  if (version === PINNED_CODEX_VERSION) return pinnedCodexCommand();
  const found = installedCodexAt(version);
  if (found !== undefined) return found;
  const { olderCodexBinary } = await import('./olderCodex.js');
  return { file: await olderCodexBinary(version), args: [] };
}

/** The version of the `@openai/codex` devDependency (the schema the hooks check answers against). */
export const PINNED_CODEX_VERSION = '0.169.0';

/** The Codex the compat suites compare with: `ROLLOUT_ENGINE_COMPAT_CODEX_VERSION` (a whole run against another release), else the pinned one. */
export const compatCodexVersion = (): string =>
  process.env['ROLLOUT_ENGINE_COMPAT_CODEX_VERSION'] || PINNED_CODEX_VERSION;

/** Codex `version` as installed without the registry: its alias devDependency, else `ROLLOUT_ENGINE_CODEX_TOOLS/codex-<version>`. */
function installedCodexAt(version: string): CodexCommand | undefined {
  const require = createRequire(import.meta.url);
  const alias = `@openai/codex-${version.split('.').slice(0, 2).join('.')}`;
  try {
    const pkgJson = require.resolve(`${alias}/package.json`);
    if ((JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: string }).version === version)
      return { file: process.execPath, args: [join(dirname(pkgJson), 'bin', 'codex.js')] };
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw err;
  }
  const tools = process.env['ROLLOUT_ENGINE_CODEX_TOOLS'];
  const launcher =
    tools === undefined
      ? undefined
      : join(tools, `codex-${version}`, 'node_modules', '@openai', 'codex', 'bin', 'codex.js');
  return launcher !== undefined && existsSync(launcher) ? { file: process.execPath, args: [launcher] } : undefined;
}

export class AppServerError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly rpcMessage: string,
    readonly data?: unknown,
  ) {
    super(`${method} failed: ${code} ${rpcMessage}`);
    this.name = 'AppServerError';
  }
}

/** `waitForNotification`'s bound ran out with the server still up: the notification did not come. */
export class NotificationTimeout extends Error {
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
    stderrTail: string,
  ) {
    super(`no ${method} notification within ${timeoutMs} ms; stderr tail:\n${stderrTail}`);
    this.name = 'NotificationTimeout';
  }
}

export interface RpcNotification {
  readonly method: string;
  readonly params: unknown;
  /** Position in the arrival order, usable as a `since` mark. */
  readonly seq: number;
}

export interface AppServerOptions {
  readonly codexHome: string;
  /** HOME for the process; defaults to `<codexHome>/../user-home`. */
  readonly userHome?: string;
  readonly cwd?: string;
  readonly extraEnv?: Readonly<Record<string, string>>;
  readonly initializeTimeoutMs?: number;
  /** The Codex to start (`codexCommandAt`); default the pinned one. */
  readonly codexVersion?: string;
}

/** Answers a server→client request (e.g. `item/tool/call` for a dynamic tool); undefined: refused. */
export type ServerRequestHandler = (method: string, params: unknown) => unknown;

interface Pending {
  readonly method: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface NotificationWaiter {
  readonly method: string;
  readonly since: number;
  readonly predicate: (params: any) => boolean;
  readonly resolve: (n: RpcNotification) => void;
}

const liveServers = new Set<AppServer>();

/** Stops every app-server still running (for after-hooks and crash paths). */
export async function stopAllAppServers(): Promise<void> {
  await Promise.all([...liveServers].map((s) => s.stop()));
}

// Last-resort cleanup if mocha dies without running after-hooks.
process.once('exit', () => {
  for (const server of liveServers) server.killNow();
});

const STDERR_KEEP = 64 * 1024;

/** The environment `codex app-server` runs in on a home: its own HOME (created), the mock's key, UTC, no system git config. */
export function appServerEnv(
  options: Pick<AppServerOptions, 'codexHome' | 'userHome' | 'extraEnv'>,
): Record<string, string> {
  const userHome = options.userHome ?? join(dirname(options.codexHome), 'user-home');
  mkdirSync(userHome, { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: userHome,
    CODEX_HOME: options.codexHome,
    [MOCK_API_KEY_ENV]: 'compat-dummy-key',
    TZ: 'UTC',
    LANG: 'C.UTF-8',
    // Keep git from reading the developer's config when Codex inspects the work dir.
    GIT_CONFIG_NOSYSTEM: '1',
    ...(options.extraEnv ?? {}),
  };
  if (process.env.TMPDIR !== undefined) env.TMPDIR = process.env.TMPDIR;
  return env;
}

export class AppServer {
  readonly notifications: RpcNotification[] = [];
  /** `request` typed by the protocol's table (the engine's methods; Codex's others stay with `request`). */
  readonly typed = typedClient((method, params) => this.request(method, params));
  private readonly pending = new Map<number, Pending>();
  private readonly waiters = new Set<NotificationWaiter>();
  private nextId = 1;
  private stdoutBuffer = '';
  /** Set by a scenario that expects server requests (dynamic tools). */
  serverRequestHandler: ServerRequestHandler | undefined;
  private stderrTail = '';
  private exited = false;
  private readonly exitPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly options: AppServerOptions,
    private readonly command: CodexCommand,
  ) {
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', () => {
        this.exited = true;
        liveServers.delete(this);
        for (const [, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new Error(`app-server exited during ${p.method}; stderr tail:\n${this.stderrTail.slice(-2000)}`));
        }
        this.pending.clear();
        resolve();
      });
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.onStdout(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEEP);
    });
    // A write after exit would otherwise throw EPIPE asynchronously.
    child.stdin?.on('error', () => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Codex's own pid (`codexPidOf`: the native binary's under a package's launcher). */
  get codexPid(): number | undefined {
    return this.child.pid === undefined ? undefined : codexPidOf(this.child.pid, this.command);
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** Spawns `codex app-server`, then `initialize` (experimental API on) and `initialized`. */
  static async start(options: AppServerOptions): Promise<AppServer> {
    const command =
      options.codexVersion === undefined ? resolveCodexCommand() : await codexCommandAt(options.codexVersion);
    const env = appServerEnv(options);
    const child = spawn(command.file, [...command.args, 'app-server'], {
      cwd: options.cwd ?? options.codexHome,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group: stop() can take down the shells Codex spawned for exec_command too.
      detached: true,
    });
    const server = new AppServer(child, options, command);
    liveServers.add(server);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    try {
      await server.request(
        'initialize',
        {
          clientInfo: {
            name: COMPAT_CLIENT_NAME,
            title: 'rollout-engine compat tests',
            version: COMPAT_CLIENT_VERSION,
          },
          capabilities: { experimentalApi: true },
        },
        options.initializeTimeoutMs ?? 30_000,
      );
      server.notify('initialized');
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  request<T = any>(method: string, params: unknown, timeoutMs = 30_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`app-server already exited; cannot call ${method}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} timed out after ${timeoutMs} ms; stderr tail:\n${this.stderrTail.slice(-2000)}`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params?: unknown): void {
    this.write(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
  }

  /** Mark for `waitForNotification(…, since)`: only notifications arriving after this point count. */
  mark(): number {
    return this.notifications.length;
  }

  /**
   * First notification `method` whose params satisfy `predicate`, looking at those already received
   * from `since` on (default: all of them), then waiting for new ones.
   */
  waitForNotification<P = any>(
    method: string,
    predicate: (params: P) => boolean = () => true,
    timeoutMs = 30_000,
    since = 0,
  ): Promise<RpcNotification> {
    const seen = this.notifications.find((n) => n.seq >= since && n.method === method && predicate(n.params as P));
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.exited) return Promise.reject(new Error(`app-server exited; ${method} never came`));
    return new Promise((resolve, reject) => {
      const waiter: NotificationWaiter = {
        method,
        since,
        predicate,
        resolve: (n) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(n);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new NotificationTimeout(method, timeoutMs, this.stderrTail.slice(-2000)));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Closes stdin, SIGTERM to the process group, SIGKILL after a grace period; resolves on exit. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    this.child.stdin?.end();
    this.signal('SIGTERM');
    let graceTimer: NodeJS.Timeout | undefined;
    const killed = await Promise.race([
      this.exitPromise.then(() => false),
      new Promise<boolean>((resolve) => {
        graceTimer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(graceTimer);
    if (killed) {
      this.signal('SIGKILL');
      await this.exitPromise;
    }
    // The group may still hold children Codex started; they must not outlive the test run.
    this.signal('SIGKILL');
  }

  /** Synchronous kill for process-exit handlers. */
  killNow(): void {
    this.signal('SIGKILL');
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig); // the process group we created with detached: true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      try {
        if (!this.exited) process.kill(pid, sig);
      } catch (alone) {
        if ((alone as NodeJS.ErrnoException).code !== 'ESRCH') throw alone; // else already gone
      }
    }
  }

  private write(message: unknown): void {
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  private onStdout(chunk: string): void {
    this.stdoutBuffer += chunk;
    let newline: number;
    while ((newline = this.stdoutBuffer.indexOf('\n')) >= 0) {
      const line = this.stdoutBuffer.slice(0, newline).trim();
      this.stdoutBuffer = this.stdoutBuffer.slice(newline + 1);
      if (line !== '') this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    let message: { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: any };
    try {
      message = JSON.parse(line);
    } catch {
      this.stderrTail = (this.stderrTail + `\n[non-JSON stdout] ${line}`).slice(-STDERR_KEEP);
      return;
    }
    if (message.method !== undefined && message.id !== undefined) {
      // A server→client request: a dynamic tool call a scenario answers; approvals are not expected (policy "never").
      const answer = this.serverRequestHandler?.(message.method, message.params);
      if (answer !== undefined) this.write({ jsonrpc: '2.0', id: message.id, result: answer });
      else
        this.write({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32601, message: 'compat client: not supported' },
        });
      return;
    }
    if (message.method !== undefined) {
      const notification: RpcNotification = {
        method: message.method,
        params: message.params,
        seq: this.notifications.length,
      };
      this.notifications.push(notification);
      for (const waiter of [...this.waiters]) {
        if (
          waiter.method === notification.method &&
          notification.seq >= waiter.since &&
          waiter.predicate(notification.params)
        ) {
          waiter.resolve(notification);
        }
      }
      return;
    }
    if (typeof message.id !== 'number') return;
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error !== undefined) {
      const err = message.error as { code?: unknown; message?: unknown; data?: unknown };
      pending.reject(
        new AppServerError(
          pending.method,
          typeof err.code === 'number' ? err.code : 0,
          typeof err.message === 'string' ? err.message : JSON.stringify(err),
          err.data,
        ),
      );
    } else {
      pending.resolve(message.result);
    }
  }

  // ---- conveniences for building history -------------------------------------------------

  /** `turn/start` with one text input, then waits for that turn's `turn/completed`; returns the final turn. */
  async runTurn(
    threadId: string,
    text: string,
    extraParams: Record<string, unknown> = {},
    timeoutMs = 60_000,
  ): Promise<any> {
    const started = await this.request<{ turn: { id: string } }>(
      'turn/start',
      { threadId, input: [{ type: 'text', text, text_elements: [] }], ...extraParams },
      timeoutMs,
    );
    return this.waitTurnCompleted(threadId, started.turn.id, timeoutMs);
  }

  async waitTurnCompleted(threadId: string, turnId: string, timeoutMs = 60_000): Promise<any> {
    const done = await this.waitForNotification<{ threadId: string; turn: { id: string } }>(
      'turn/completed',
      (p) => p.threadId === threadId && p.turn.id === turnId,
      timeoutMs,
    );
    return (done.params as { turn: unknown }).turn;
  }
}
