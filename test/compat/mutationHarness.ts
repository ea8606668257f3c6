// What the mutation compat tests share: homes of their own (mutated, so never the shared ones),
// a fresh Codex on a mutated home, and Codex's views of a thread next to ours.
import { rmSync, readdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppServerError } from './appServer.js';
import type { AppServer } from './appServer.js';
import { openColdCodex } from './compatHomes.js';
import type { ColdCodex } from './compatHomes.js';
import { ENGINE_CLI_PATH, engineJson, runEngineCli } from './engineCli.js';
import { spawnRpcServer } from '../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import type { EngineJson } from './engineCli.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import type { CompatHome } from './scenarios.js';

export const freshRoot = (): string => mkdtempSync(join(tmpdir(), 'rollout-engine-mutations-'));

/**
 * A fresh `codex app-server` on a home the engine changed. Codex keeps its own cache of thread
 * metadata (state_5.sqlite: which file is a thread's current one, timestamps, the preview it saw
 * when it forked); it never learns of files another writer adds, so it is removed first and
 * Codex rebuilds it from the rollouts, as it does for a missing cache.
 */
export async function openFreshCodex(home: CompatHome): Promise<ColdCodex> {
  for (const f of readdirSync(home.codexHome)) if (f.startsWith('state_5.sqlite')) rmSync(join(home.codexHome, f), { force: true });
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
  return (JSON.parse(run.stderr) as { error: { message: string } }).error.message;
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
}

async function allPages(server: AppServer, method: string, params: Record<string, unknown>): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: any[]; nextCursor: string | null } = await server.request(method, { ...params, limit: 100, ...(cursor === null ? {} : { cursor }) });
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
export async function codexViews(server: AppServer, threadId: string): Promise<ThreadViews> {
  const { turns: _none, ...thread } = (await server.typed.request('thread/read', { threadId, includeTurns: false })).thread;
  const since = server.mark();
  await server.request('thread/resume', { threadId });
  await new Promise((r) => setTimeout(r, 200));
  const replay = server.notifications.slice(since).find((n) => n.method === 'thread/tokenUsage/updated' && (n.params as any).threadId === threadId);
  const readTurns = (await server.typed.request('thread/read', { threadId, includeTurns: true })).thread.turns;
  const turns = await allPages(server, 'thread/turns/list', { threadId, itemsView: 'full', sortDirection: 'asc' });
  let items: ThreadViews['items'];
  try {
    items = await allPages(server, 'thread/items/list', { threadId, sortDirection: 'asc' });
  } catch (error) {
    if (!(error instanceof AppServerError)) throw error;
    items = { error: `${error.code} ${error.rpcMessage}` };
  }
  return { thread, readTurns, turns, items, tokenUsage: replay?.params ?? null };
}

/** `rollout-engine serve` on a home: our JSON-RPC server, initialized. */
export async function openEngineServer(home: CompatHome): Promise<StdioRpcClient> {
  const client = spawnRpcServer(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', home.codexHome]);
  const init = await client.request('initialize', { clientInfo: { name: 'rollout_engine_compat', version: '0.1.0' }, capabilities: { experimentalApi: true } });
  if (!('result' in init)) throw new Error(`serve initialize: ${JSON.stringify(init)}`);
  client.notify('initialized');
  return client;
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
    const page: { data: any[]; nextCursor: string | null } = await rpc(client, method, { ...params, limit: 100, ...(cursor === null ? {} : { cursor }) });
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
  return { thread, readTurns, turns, items, tokenUsage: usage.tokenUsage === null ? null : usage };
}

/** Codex's unix-second timestamps are its clock a few ms off the rollout's: one second of skew is accepted. */
const SKEW: Readonly<Record<string, number>> = { createdAt: -1 };

/**
 * Fields Codex answers from its thread cache (state_5.sqlite), which a fresh Codex rebuilds from
 * the files with rules of its own: file times for `updatedAt`, the time it loads a thread for
 * `recencyAt`, the first user message of whichever of the thread's files it scans for `preview`,
 * no `name` (names reach the cache only when set through Codex). Codex writes them live for the
 * changes it makes itself, and the engine answers what Codex answers then (the thread/read compat
 * suite checks these fields on homes Codex wrote); here they are left out.
 */
const CACHE_ONLY = ['updatedAt', 'recencyAt', 'preview', 'name'];

function comparableThread(codex: Record<string, any>, ours: Record<string, any>): [unknown, unknown] {
  const c: Record<string, any> = { ...codex, status: null };
  const o: Record<string, any> = { ...ours, status: null };
  for (const [k, skew] of Object.entries(SKEW)) if (typeof c[k] === 'number' && c[k] - o[k] === skew) o[k] = c[k];
  for (const k of CACHE_ONLY) o[k] = c[k];
  return [c, o];
}

/** Every difference between Codex's views and ours, as readable lines ('' when they agree). */
export function viewDifferences(label: string, codex: ThreadViews, ours: ThreadViews): string {
  const parts: string[] = [];
  const [ct, ot] = comparableThread(codex.thread, ours.thread);
  const check = (what: string, e: unknown, a: unknown) => {
    const d = jsonDifferences(e, a, 8);
    if (d.length > 0) parts.push(`${label} ${what}:\n${describeDifferences(d)}`);
  };
  check('thread/read', ct, ot);
  check('thread/read includeTurns', codex.readTurns, ours.readTurns);
  check('thread/turns/list', codex.turns, ours.turns);
  // On purpose (README): Codex refuses thread/items/list on legacy threads, which we serve.
  const legacyRefusal = !Array.isArray(codex.items) && codex.items.error.startsWith('-32601');
  if (!legacyRefusal) check('thread/items/list', codex.items, ours.items);
  check('thread/tokenUsage/updated', codex.tokenUsage, ours.tokenUsage);
  return parts.join('\n');
}
