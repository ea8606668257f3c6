// What the mutation compat tests share: homes of their own (mutated, so never the shared ones),
// a fresh Codex on a mutated home, and Codex's views of a thread next to ours.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppServerError, NotificationTimeout } from './appServer.js';
import type { AppServer } from './appServer.js';
import { openColdCodex } from './compatHomes.js';
import type { ColdCodex } from './compatHomes.js';
import { engineJson, runEngineCli } from './engineCli.js';
import { BARRIER_METHOD, initializedServe } from '../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import type { EngineJson } from './engineCli.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import { ClockOracle } from './clockOracle.js';
import type { CompatHome } from './scenarios.js';
import { stderrJson } from '../fixtures/stderrJson.js';

/** How long Codex's token usage replay after `thread/resume` is awaited before it counts as missing. */
const REPLAY_WAIT_MS = 10_000;

export const freshRoot = (): string => mkdtempSync(join(tmpdir(), 'rollout-engine-mutations-'));

/**
 * A fresh `codex app-server` on a home the engine changed, with Codex's thread cache
 * (state_5.sqlite) as the engine left it: the engine keeps that cache coherent with what it writes
 * (docs/compatibility.md, *Coherence with a running Codex*), so every field of Codex's answers can
 * be compared with ours (times through the clock oracle), preview and name included.
 */
export async function openFreshCodex(home: CompatHome): Promise<ColdCodex> {
  return openColdCodex(home);
}

/** `rollout-engine <args> --codex-home <home> --json`, parsed. */
export async function engine(home: CompatHome, ...args: string[]): Promise<EngineJson> {
  return engineJson(await runEngineCli([...args, '--codex-home', home.codexHome, '--json'], 60_000));
}

export async function engineValue<T = any>(home: CompatHome, ...args: string[]): Promise<T> {
  const r = await engine(home, ...args);
  if (!r.ok) throw new Error(r.problem);
  return r.value as T;
}

/** The engine's refusal: the message of the JSON error object a failed `--json` run prints on stderr. */
export async function engineRefusal(home: CompatHome, ...args: string[]): Promise<string> {
  const run = await runEngineCli([...args, '--codex-home', home.codexHome, '--json'], 60_000);
  if (run.exitCode === 0) throw new Error(`rollout-engine ${args.join(' ')} succeeded; a refusal was expected`);
  return (stderrJson(run.stderr) as { error: { message: string } }).error.message;
}

export interface ThreadViews {
  /** `thread/read` without turns, asked before the thread is loaded (fields a load would change). */
  readonly thread: Record<string, any>;
  /** `thread/read includeTurns` turns. */
  readonly readTurns: any[];
  /** `thread/turns/list` asc, itemsView full, every page. */
  readonly turns: any[];
  /** `thread/items/list` asc, every page (paginated threads; legacy refuse it). */
  readonly items: any[] | { readonly error: string };
  /** The `thread/tokenUsage/updated` replayed by `thread/resume`, if any. */
  readonly tokenUsage: unknown;
  /** Codex's: the clock oracle on its state DB as it answered `thread` (loading the thread changes it); ours: null. */
  readonly clock: ClockOracle | null;
}

async function allPages(server: AppServer, method: string, params: Record<string, unknown>): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: any[]; nextCursor: string | null } = await server.request(method, {
      ...params,
      limit: 100,
      ...(cursor === null ? {} : { cursor }),
    });
    out.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/**
 * Codex's views of a thread: the thread object first, while it is not loaded (loading changes its
 * status, environments, session and recency); then `thread/resume` (a fresh Codex projects files
 * it did not write only when it loads the thread; the resume replays the token usage), then
 * `thread/read includeTurns`, every turns page and every items page.
 */
export async function codexViews(
  server: AppServer,
  threadId: string,
  expectUsageReplay: boolean,
): Promise<ThreadViews> {
  const { turns: _none, ...thread } = (await server.typed.request('thread/read', { threadId, includeTurns: false }))
    .thread;
  const clock = ClockOracle.now(server.options.codexHome);
  const since = server.mark();
  await server.request('thread/resume', { threadId });
  // Codex replays the token usage from a task of its own, after the resume's answer: awaited by
  // name when ours has usage for the thread. A replay that has not come within 10 s is compared as
  // what it is, a value naming the missing notification (a difference from ours); Codex exiting,
  // or any other failure of the wait, fails the test. Without usage of ours, whatever came before
  // the barrier's answer is compared (none: null).
  let tokenUsage: unknown;
  if (expectUsageReplay) {
    try {
      tokenUsage = (
        await server.waitForNotification<{ threadId: string }>(
          'thread/tokenUsage/updated',
          (p) => p.threadId === threadId,
          REPLAY_WAIT_MS,
          since,
        )
      ).params;
    } catch (error) {
      if (!(error instanceof NotificationTimeout)) throw error;
      tokenUsage = {
        missing: `no thread/tokenUsage/updated of ${threadId} within ${REPLAY_WAIT_MS} ms of thread/resume`,
      };
    }
  } else {
    await server.request(BARRIER_METHOD, {});
    tokenUsage =
      server.notifications
        .slice(since)
        .find((n) => n.method === 'thread/tokenUsage/updated' && (n.params as any).threadId === threadId)?.params ??
      null;
  }
  const readTurns = (await server.typed.request('thread/read', { threadId, includeTurns: true })).thread.turns;
  const turns = await allPages(server, 'thread/turns/list', { threadId, itemsView: 'full', sortDirection: 'asc' });
  let items: ThreadViews['items'];
  try {
    items = await allPages(server, 'thread/items/list', { threadId, sortDirection: 'asc' });
  } catch (error) {
    if (!(error instanceof AppServerError)) throw error;
    items = { error: `${error.code} ${error.rpcMessage}` };
  }
  return { thread, readTurns, turns, items, tokenUsage, clock };
}

/** `rollout-engine serve` on a home (its index in `indexDir` when given): our JSON-RPC server, initialized. */
export async function openEngineServer(
  home: Pick<CompatHome, 'codexHome'>,
  indexDir?: string,
): Promise<StdioRpcClient> {
  return initializedServe(home.codexHome, {
    clientInfo: { name: 'rollout_engine_compat', version: '0.1.0' },
    capabilities: { experimentalApi: true },
    args: indexDir === undefined ? [] : ['--index-dir', indexDir],
  });
}

const rpc = async (client: StdioRpcClient, method: string, params: unknown): Promise<any> => {
  const a = await client.request(method, params);
  if (!('result' in a)) throw new Error(`${method}: ${JSON.stringify(a.error)}`);
  return a.result;
};

async function ourPages(client: StdioRpcClient, method: string, params: Record<string, unknown>): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: any[]; nextCursor: string | null } = await rpc(client, method, {
      ...params,
      limit: 100,
      ...(cursor === null ? {} : { cursor }),
    });
    out.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** Our views of the same thread, from `rollout-engine serve`. */
export async function engineViews(client: StdioRpcClient, threadId: string): Promise<ThreadViews> {
  const { turns: _none, ...thread } = (await rpc(client, 'thread/read', { threadId, includeTurns: false })).thread;
  const readTurns = (await rpc(client, 'thread/read', { threadId, includeTurns: true })).thread.turns as any[];
  const turns = await ourPages(client, 'thread/turns/list', { threadId, itemsView: 'full', sortDirection: 'asc' });
  let items: ThreadViews['items'];
  const first = await client.request('thread/items/list', { threadId, sortDirection: 'asc', limit: 100 });
  if ('error' in first) items = { error: `${first.error.code} ${first.error.message}` };
  else items = await ourPages(client, 'thread/items/list', { threadId, sortDirection: 'asc' });
  const usage = await rpc(client, 'thread/tokenUsage/read', { threadId });
  return { thread, readTurns, turns, items, tokenUsage: usage.tokenUsage === null ? null : usage, clock: null };
}

/** Status is the process's (a loaded thread is not ours to load): left out. Times go through the clock oracle; every other field is compared. */
function comparableThread(
  oracle: ClockOracle,
  codex: Record<string, any>,
  ours: Record<string, any>,
): [unknown, unknown] {
  const c: Record<string, any> = { ...codex, status: null };
  return [c, oracle.explained(c, { ...ours, status: null })];
}

/** Every difference between Codex's views and ours, as readable lines ('' when they agree). */
export function viewDifferences(label: string, codex: ThreadViews, ours: ThreadViews): string {
  const parts: string[] = [];
  if (codex.clock === null) throw new Error(`${label}: Codex's views carry no state DB snapshot`);
  const [ct, ot] = comparableThread(codex.clock, codex.thread, ours.thread);
  const check = (what: string, e: unknown, a: unknown) => {
    const d = jsonDifferences(e, a, 8);
    if (d.length > 0) parts.push(`${label} ${what}:\n${describeDifferences(d)}`);
  };
  check('thread/read', ct, ot);
  if (parts.length > 0) parts.push(...codex.clock.unexplained);
  check('thread/read includeTurns', codex.readTurns, ours.readTurns);
  check('thread/turns/list', codex.turns, ours.turns);
  // On purpose (README): Codex refuses thread/items/list on legacy threads, which we serve.
  const legacyRefusal = !Array.isArray(codex.items) && codex.items.error.startsWith('-32601');
  if (!legacyRefusal) check('thread/items/list', codex.items, ours.items);
  check('thread/tokenUsage/updated', codex.tokenUsage, ours.tokenUsage);
  return parts.join('\n');
}

/** A file a spec wrote: its text and time, put back after Codex read it. */
export interface WrittenFile {
  readonly path: string;
  readonly content: string;
  readonly at: Date;
}

/**
 * After a cold Codex projected a home's paginated threads (thread/resume): its state DB removed
 * (rebuilt from the files on the next start), its history projection kept, the files as written.
 */
export const dropStateDbAndRestore = (codexHome: string, files: ReadonlyArray<WrittenFile>): void => {
  for (const f of readdirSync(codexHome))
    if (f.startsWith('state_5.sqlite')) rmSync(join(codexHome, f), { force: true });
  for (const f of files) {
    if (readFileSync(f.path, 'utf8') !== f.content) writeFileSync(f.path, f.content);
    utimesSync(f.path, f.at, f.at);
  }
};

type ColdHome = Pick<CompatHome, 'codexHome' | 'workDir'>;

/**
 * `root`'s home, filled by `writeHome`, as a cold Codex answers it: Codex answers a paginated thread
 * from its history projection, which a writing Codex keeps and a resume builds (test/fuzz/fuzzSession.ts
 * `projectPaginated`), so each of `threadIds` is resumed; then `dropStateDbAndRestore`. A resume
 * Codex refuses fails the setup, unless `refused` is given: it then takes the refusal.
 */
const projectedHome = async (
  root: string,
  writeHome: (codexHome: string) => WrittenFile[],
  threadIds: readonly string[],
  refused?: (index: number, error: AppServerError) => void,
): Promise<ColdHome> => {
  const home = { codexHome: join(root, 'home'), workDir: join(root, 'work') };
  mkdirSync(home.workDir, { recursive: true });
  const files = writeHome(home.codexHome);
  const codex = await openColdCodex(home);
  try {
    for (const [i, threadId] of threadIds.entries())
      try {
        await codex.server.request('thread/resume', { threadId, excludeTurns: true });
      } catch (error) {
        if (refused === undefined || !(error instanceof AppServerError)) throw error;
        refused(i, error);
      }
  } finally {
    await codex.stop();
  }
  dropStateDbAndRestore(home.codexHome, files);
  return home;
};

/**
 * A suite's `projectedHome` in a fresh root, made before its tests and removed after them (kept,
 * and named on stderr, when the environment sets `keepVar`): the home, once made.
 */
export const useProjectedHome = (
  writeHome: (codexHome: string) => WrittenFile[],
  threadIds: readonly string[],
  keepVar: string,
  refused?: (index: number, error: AppServerError) => void,
): (() => ColdHome) => {
  let root: string | undefined;
  let home: ColdHome | undefined;
  before(async function () {
    this.timeout(300_000);
    root = freshRoot();
    home = await projectedHome(root, writeHome, threadIds, refused);
  });
  after(() => {
    if (root === undefined) return;
    if (process.env[keepVar] === undefined) rmSync(root, { recursive: true, force: true });
    else process.stderr.write(`  kept ${root}\n`);
  });
  return () => {
    if (home === undefined) throw new Error("the projected home is made in the suite's before hook");
    return home;
  };
};
