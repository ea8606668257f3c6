// The history read API of `rollout-engine serve` against the real `codex app-server` 0.169.0, both
// cold on the same generated CODEX_HOME: thread/list, thread/read, thread/turns/list and
// thread/items/list, with every view, both directions, page walks that follow each server's own
// cursors, item anchors, deferred output and the error cases.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { spawnRpcServer } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { AppServerError } from './appServer.js';
import { BUILD_TIMEOUT_MS, openColdCodex, sharedCompatHomes, type CompatFixture } from './compatHomes.js';
import { ENGINE_CLI_PATH } from './engineCli.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import { allThreads, SCENARIOS, type CompatHome } from './scenarios.js';
import { normaliseHistoryAnswer as normalise } from './historyAnswers.js';
import { ClockOracle } from './clockOracle.js';

type Ask = (method: string, params: unknown) => Promise<RpcAnswer>;

interface Step {
  readonly label: string;
  readonly method: string;
  readonly params: Record<string, unknown>;
  /** Follow `nextCursor` (each server its own) this many more pages. */
  readonly walk?: number;
}

const stepsFor = (threadId: string, turnIds: readonly string[], itemIds: ReadonlyArray<{ turnId: string; itemId: string }>): Step[] => {
  const t = { threadId };
  const steps: Step[] = [
    { label: 'read', method: 'thread/read', params: { ...t, includeTurns: false } },
    { label: 'read+turns', method: 'thread/read', params: { ...t, includeTurns: true } },
    { label: 'turns default', method: 'thread/turns/list', params: t },
    { label: 'turns limit 0', method: 'thread/turns/list', params: { ...t, limit: 0 } },
    { label: 'turns bad cursor', method: 'thread/turns/list', params: { ...t, cursor: 'not-a-cursor' } },
    { label: 'items default', method: 'thread/items/list', params: t },
    { label: 'items desc walk', method: 'thread/items/list', params: { ...t, sortDirection: 'desc', limit: 7 }, walk: 30 },
    { label: 'items asc walk', method: 'thread/items/list', params: { ...t, limit: 5 }, walk: 40 },
    { label: 'items unknown turn', method: 'thread/items/list', params: { ...t, turnId: 'no-such-turn' } },
    // The threads this one spawned (a review's sub-agent), directly and below it; filters only Codex's state DB can meet.
    { label: 'list children', method: 'thread/list', params: { parentThreadId: threadId, sourceKinds: ALL_SOURCE_KINDS } },
    { label: 'list descendants', method: 'thread/list', params: { ancestorThreadId: threadId, sourceKinds: ALL_SOURCE_KINDS } },
    { label: 'list attached', method: 'thread/list', params: { attachedToThreadId: threadId } },
    { label: 'list section', method: 'thread/list', params: { sectionId: 'no-such-section', sortKey: 'section_position' } },
    { label: 'list no originators', method: 'thread/list', params: { originators: [] } },
    { label: 'items thread-wide deferOutput', method: 'thread/items/list', params: { ...t, deferOutput: { commandExecution: true, mcpToolCall: true } } },
  ];
  for (const view of ['notLoaded', 'summary', 'full'])
    for (const sortDirection of ['asc', 'desc'])
      steps.push({ label: `turns ${view} ${sortDirection} walk`, method: 'thread/turns/list', params: { ...t, itemsView: view, sortDirection, limit: 20 }, walk: 5 });
  steps.push({ label: 'turns l2 desc walk', method: 'thread/turns/list', params: { ...t, itemsView: 'notLoaded', sortDirection: 'desc', limit: 2 }, walk: 40 });
  // Every turn of a short thread (each of the rich scenario's turns holds another kind of item);
  // of a long one the first, second (the tool scenario's failing command) and last.
  const pageTurns = turnIds.length <= 12 ? turnIds : [...new Set([turnIds[0], turnIds[1], turnIds[turnIds.length - 1]])].filter((x): x is string => x !== undefined);
  for (const turnId of pageTurns) {
    steps.push({ label: `items of turn ${turnId}`, method: 'thread/items/list', params: { ...t, turnId, deferOutput: { commandExecution: true, mcpToolCall: true } } });
    steps.push({ label: `items of turn ${turnId} desc l1`, method: 'thread/items/list', params: { ...t, turnId, sortDirection: 'desc', limit: 1 }, walk: 10 });
  }
  // thread/items/read: some ids of a turn, asked out of order, one twice, one unknown; an unknown turn; too many ids.
  const firstTurn = itemIds[0]?.turnId;
  const ofFirst = itemIds.filter((i) => i.turnId === firstTurn).map((i) => i.itemId);
  for (const turnId of pageTurns) {
    const ofTurn = itemIds.filter((i) => i.turnId === turnId).map((i) => i.itemId);
    if (ofTurn.length === 0) continue;
    steps.push({
      label: `items/read some of ${turnId}`,
      method: 'thread/items/read',
      params: { ...t, turnId, itemIds: [...ofTurn].reverse().concat('no-such-item', ofTurn[0]!) },
    });
  }
  if (firstTurn !== undefined) {
    steps.push({ label: 'items/read unknown turn', method: 'thread/items/read', params: { ...t, turnId: 'no-such-turn', itemIds: ofFirst } });
    steps.push({ label: 'items/read none', method: 'thread/items/read', params: { ...t, turnId: firstTurn, itemIds: [] } });
  }
  const anchor = itemIds[1] ?? itemIds[0];
  if (anchor) {
    for (const sortDirection of ['asc', 'desc'])
      steps.push({
        label: `items anchor ${sortDirection}`,
        method: 'thread/items/list',
        params: { ...t, turnId: anchor.turnId, cursor: { type: 'item', itemId: anchor.itemId }, sortDirection },
      });
  }
  return steps;
};

const ALL_SOURCE_KINDS = ['cli', 'vscode', 'exec', 'appServer', 'subAgent', 'subAgentReview', 'subAgentCompact', 'subAgentThreadSpawn', 'subAgentOther', 'unknown'];

const LIST_STEPS: Step[] = [
  { label: 'list default', method: 'thread/list', params: {} },
  { label: 'list all sources', method: 'thread/list', params: { sourceKinds: ALL_SOURCE_KINDS } },
  { label: 'list archived', method: 'thread/list', params: { archived: true } },
  { label: 'list provider other', method: 'thread/list', params: { modelProviders: ['openai'] } },
  { label: 'list search', method: 'thread/list', params: { searchTerm: 'turn 1' } },
  // Sub-agents as the file scan lists them and as the state DB does: a review's or a spawned
  // sub-agent names its parent in the first, not in the second.
  { label: 'list all sources from the state DB', method: 'thread/list', params: { sourceKinds: ALL_SOURCE_KINDS, useStateDbOnly: true } },
  { label: 'list all sources search', method: 'thread/list', params: { sourceKinds: ALL_SOURCE_KINDS, searchTerm: 'Review' } },
  { label: 'list all sources search sub-agent', method: 'thread/list', params: { sourceKinds: ALL_SOURCE_KINDS, searchTerm: 'Sub-agent' } },
  ...(['created_at', 'updated_at', 'recency_at'] as const).flatMap((sortKey) =>
    (['asc', 'desc'] as const).map((sortDirection) => ({
      label: `list ${sortKey} ${sortDirection}`,
      method: 'thread/list',
      params: { sortKey, sortDirection, limit: 2, useStateDbOnly: true },
      walk: 10,
    })),
  ),
];

/** The `cwd` filter as a client may spell the threads' folder: exactly, with a trailing slash, doubled slashes, one of several. */
const cwdSteps = (workDir: string): Step[] => [
  { label: 'list cwd', method: 'thread/list', params: { cwd: workDir } },
  { label: 'list cwd trailing slash', method: 'thread/list', params: { cwd: `${workDir}/` } },
  { label: 'list cwd doubled slash', method: 'thread/list', params: { cwd: workDir.replace('/', '//') } },
  { label: 'list cwd one of two', method: 'thread/list', params: { cwd: ['/nowhere', `${workDir}/`] } },
  { label: 'list cwd elsewhere', method: 'thread/list', params: { cwd: `${workDir}-other` } },
];

/**
 * A thread id no home has: Codex's words for it differ by method (`thread not loaded` for the
 * reads, `no rollout found for thread id` for thread/fork), ours must be the same. (thread/items/list
 * is left out: Codex answers an unknown id as a legacy thread, -32601, which we serve.)
 */
const UNKNOWN_THREAD = '00000000-0000-7000-8000-0000000000ff';
const UNKNOWN_THREAD_STEPS: Step[] = [
  { label: 'read unknown thread', method: 'thread/read', params: { threadId: UNKNOWN_THREAD, includeTurns: true } },
  { label: 'turns unknown thread', method: 'thread/turns/list', params: { threadId: UNKNOWN_THREAD } },
  { label: 'fork unknown thread', method: 'thread/fork', params: { threadId: UNKNOWN_THREAD } },
];

/** Run a step on one server, following its own cursors; the answers, page by page. */
const runStep = async (ask: Ask, step: Step): Promise<RpcAnswer[]> => {
  const pages: RpcAnswer[] = [];
  let params = step.params;
  for (let i = 0; i <= (step.walk ?? 0); i += 1) {
    const a = await ask(step.method, params);
    pages.push(a);
    const next = 'result' in a ? (a.result as { nextCursor?: unknown }).nextCursor : undefined;
    if (typeof next !== 'string') break;
    params = { ...step.params, cursor: next };
  }
  return pages;
};

const codexAsk =
  (server: Awaited<ReturnType<typeof openColdCodex>>['server']): Ask =>
  async (method, params) => {
    try {
      return { result: await server.request(method, params) };
    } catch (error) {
      if (error instanceof AppServerError) return { error: { code: error.code, message: error.rpcMessage } };
      throw error;
    }
  };

/**
 * Where we differ on purpose (README, compatibility): Codex refuses thread/items/list and read on legacy
 * threads, which we serve; Codex's file-scanning thread/list repeats a reverted thread once per
 * rollout file, where we list each thread once (as its useStateDbOnly list does).
 */
const deliberate = (home: CompatHome, method: string, codex: RpcAnswer): boolean => {
  if (home.mode === 'legacy' && (method === 'thread/items/list' || method === 'thread/items/read') && 'error' in codex && codex.error.code === -32601) return true;
  if (method !== 'thread/list' || !('result' in codex)) return false;
  const ids = ((codex.result as { data?: Array<{ id: string }> }).data ?? []).map((d) => d.id);
  return new Set(ids).size < ids.length;
};

/** Answers compared and found equal, per method, over every home (printed after the suite: the closing notes cite it). */
const equalByMethod = new Map<string, number>();

const compareHome = async (home: CompatHome): Promise<{ compared: number; problems: string[]; byMethod: Map<string, number> }> => {
  const indexDir = mkdtempSync(join(tmpdir(), 'compat-history-index-'));
  const codex = await openColdCodex(home);
  const ours: StdioRpcClient = spawnRpcServer(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', home.codexHome, '--index-dir', indexDir]);
  const problems: string[] = [];
  const byMethod = new Map<string, number>();
  let compared = 0;
  try {
    await ours.request('initialize', { clientInfo: { name: 'compat', version: '0' }, capabilities: { experimentalApi: true } });
    ours.notify('initialized');
    const askCodex = codexAsk(codex.server);
    const askOurs: Ask = (m, p) => ours.request(m, p);
    const oracle = new ClockOracle(home.codexHome);
    const check = async (label: string, step: Step): Promise<void> => {
      const [c, o] = await Promise.all([runStep(askCodex, step), runStep(askOurs, step)]);
      for (let i = 0; i < Math.max(c.length, o.length); i += 1) {
        const ca = c[i];
        const oa = o[i];
        if (ca === undefined || oa === undefined) {
          problems.push(`${label} page ${i}: codex gave ${c.length} pages, ours ${o.length}`);
          break;
        }
        if (deliberate(home, step.method, c[0]!)) break;
        compared += 1;
        const { expected, actual } = normalise(oracle, step.method, step.params, ca, oa);
        const d = jsonDifferences(expected, actual, 6);
        if (d.length > 0) problems.push(`${label} page ${i} ${JSON.stringify(step.params)}\n${describeDifferences(d)}`);
        else byMethod.set(step.method, (byMethod.get(step.method) ?? 0) + 1);
      }
    };
    for (const step of [...LIST_STEPS, ...cwdSteps(home.workDir), ...UNKNOWN_THREAD_STEPS]) await check(`${home.key} ${step.label}`, step);
    for (const ref of allThreads(home)) {
      const read = await askCodex('thread/read', { threadId: ref.id, includeTurns: true });
      const turns = 'result' in read ? ((read.result as { thread: { turns: Array<{ id: string; items: Array<{ id: string }> }> } }).thread.turns ?? []) : [];
      const items = turns.flatMap((t) => t.items.map((i) => ({ turnId: t.id, itemId: i.id })));
      for (const step of stepsFor(
        ref.id,
        turns.map((t) => t.id),
        items,
      ))
        await check(`${home.key} ${ref.label} ${step.label}`, step);
    }
  } finally {
    await ours.close();
    await codex.stop();
    rmSync(indexDir, { recursive: true, force: true });
  }
  return { compared, problems, byMethod };
};

describe('compat: history API (rollout-engine serve vs codex app-server 0.169.0, cold)', function () {
  this.timeout(300_000);
  let fixture: CompatFixture;

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    fixture = await sharedCompatHomes();
  });

  after(() => {
    const total = [...equalByMethod.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(`    history API answers equal to codex's, every home: ${total} (${[...equalByMethod].map(([m, n]) => `${m} ${n}`).join(', ')})\n`);
  });

  for (const scenario of SCENARIOS) {
    for (const mode of scenario.modes) {
      const key = `${scenario.name}-${mode}`;
      it(`${key}: list, read, turns and items pages equal codex's`, async function () {
        const home = fixture.homes.find((h) => h.key === key);
        expect(home, `home ${key} was built`).to.not.equal(undefined);
        const { compared, problems, byMethod } = await compareHome(home!);
        for (const [m, n] of byMethod) equalByMethod.set(m, (equalByMethod.get(m) ?? 0) + n);
        process.stdout.write(`      ${key}: ${compared} answers compared; equal: ${[...byMethod].map(([m, n]) => `${m} ${n}`).join(', ')}\n`);
        expect(compared, 'answers compared').to.be.greaterThan(0);
        if (problems.length > 0) expect.fail(`${problems.length} of ${compared} answers differ:\n${problems.slice(0, 12).join('\n')}`);
      });
    }
  }
});
