// One transcript sent to the real `codex app-server --listen ws://127.0.0.1:PORT`, to ours over
// WebSocket and to ours over stdio, each on its own copy of a home the real codex wrote: equal
// answers and the same notifications, normalising only what is inherently variable (clock
// readings, the ids and paths of what the transcript creates). Extend `TRANSCRIPT` to cover a
// new method.
import type { ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { initializedServe, handshake } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer } from '../fixtures/stdioRpcClient.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { connectWebSocketRpc } from '../fixtures/webSocketRpcClient.js';
import { spawnListening } from '../fixtures/listeningServer.js';
import type { ListeningServer } from '../fixtures/listeningServer.js';
import { appServerEnv, resolveCodexCommand, writeCodexConfig } from './appServer.js';
import { BUILD_TIMEOUT_MS } from './compatHomes.js';
import { ENGINE_CLI_PATH } from './engineCli.js';
import { normaliseHistoryAnswer } from './historyAnswers.js';
import { ClockOracle } from './clockOracle.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import { SCENARIOS, buildScenarioHome } from './scenarios.js';
import type { CompatHome } from './scenarios.js';

/** What a step's params may use: the home's thread and what earlier answers said. */
interface Known {
  readonly threadId: string;
  turnIds: string[];
}

interface TranscriptStep {
  readonly label: string;
  readonly method: string;
  readonly params: (k: Known) => Record<string, unknown>;
  /** Follow this server's own `nextCursor` this many more pages. */
  readonly walk?: number;
  /** Read what later steps need from the answer. */
  readonly learn?: (k: Known, result: any) => void;
  /**
   * Why this step is compared between our two transports only, not with Codex: a known difference
   * in what the server does (not in how it is carried), left to the part of the engine it belongs to.
   */
  readonly notWithCodex?: string;
}

const FORK_LOADS =
  'Codex loads the thread it forks (status idle, environments, a thread/started with them); we answer it notLoaded';
const REVERT_LOADED =
  'Codex reverts only a thread it has loaded (thread/resume, which we do not serve): "thread not found" on a cold one';

/** The transcript, in order; a step that changes the home (fork, revert) is followed by reads that show it. */
export const TRANSCRIPT: ReadonlyArray<TranscriptStep> = [
  { label: 'list', method: 'thread/list', params: () => ({}) },
  { label: 'list walk', method: 'thread/list', params: () => ({ limit: 1, sortKey: 'created_at' }), walk: 3 },
  { label: 'read', method: 'thread/read', params: (k) => ({ threadId: k.threadId }) },
  {
    label: 'read with turns',
    method: 'thread/read',
    params: (k) => ({ threadId: k.threadId, includeTurns: true }),
    learn: (k, r) => (k.turnIds = (r.thread.turns as Array<{ id: string }>).map((t) => t.id)),
  },
  {
    label: 'turns notLoaded walk',
    method: 'thread/turns/list',
    params: (k) => ({ threadId: k.threadId, itemsView: 'notLoaded', limit: 2 }),
    walk: 5,
  },
  {
    label: 'turns summary desc',
    method: 'thread/turns/list',
    params: (k) => ({ threadId: k.threadId, itemsView: 'summary', sortDirection: 'desc' }),
  },
  {
    label: 'turns full',
    method: 'thread/turns/list',
    params: (k) => ({ threadId: k.threadId, itemsView: 'full', limit: 3 }),
    walk: 3,
  },
  { label: 'items walk', method: 'thread/items/list', params: (k) => ({ threadId: k.threadId, limit: 4 }), walk: 10 },
  {
    label: 'items of a turn desc',
    method: 'thread/items/list',
    params: (k) => ({ threadId: k.threadId, turnId: k.turnIds[1], sortDirection: 'desc', limit: 2 }),
    walk: 5,
  },
  { label: 'fork', method: 'thread/fork', params: (k) => ({ threadId: k.threadId }), notWithCodex: FORK_LOADS },
  { label: 'list after fork', method: 'thread/list', params: () => ({}), notWithCodex: FORK_LOADS },
  {
    label: 'revert',
    method: 'thread/revert',
    params: (k) => ({ threadId: k.threadId, beforeTurnId: k.turnIds[k.turnIds.length - 1] }),
    notWithCodex: REVERT_LOADED,
  },
  {
    label: 'turns after revert',
    method: 'thread/turns/list',
    params: (k) => ({ threadId: k.threadId, itemsView: 'summary' }),
    notWithCodex: REVERT_LOADED,
  },
  {
    label: 'unknown thread',
    method: 'thread/read',
    params: () => ({ threadId: '00000000-0000-7000-8000-0000000000ff' }),
  },
];

const HANDSHAKE = { clientInfo: { name: 'compat', version: '0' } };

/** Notifications a Codex process sends of itself (its sandbox check, remote control), not in answer to the transcript. */
const CODEX_OWN = new Set(['configWarning', 'remoteControl/status/changed']);

type Ask = (method: string, params: unknown) => Promise<RpcAnswer>;
interface Exchange {
  readonly label: string;
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly answers: RpcAnswer[];
  readonly notifications: Array<{ method: string; params: unknown }>;
}

/** Run the transcript on one server; each step's answers (page by page) and the notifications that came with them. */
const runTranscript = async (
  ask: Ask,
  received: Array<{ method: string; params: unknown }>,
  settle: () => Promise<void>,
  threadId: string,
): Promise<Exchange[]> => {
  const known: Known = { threadId, turnIds: [] };
  const out: Exchange[] = [];
  for (const step of TRANSCRIPT) {
    const base = step.params(known);
    const answers: RpcAnswer[] = [];
    const seen = received.length;
    let params = base;
    for (let i = 0; i <= (step.walk ?? 0); i++) {
      const a = await ask(step.method, params);
      answers.push(a);
      const next = 'result' in a ? (a.result as { nextCursor?: unknown }).nextCursor : undefined;
      if (typeof next !== 'string') break;
      params = { ...base, cursor: next };
    }
    await settle();
    if (step.learn !== undefined && 'result' in answers[0]!) step.learn(known, answers[0].result);
    out.push({
      label: step.label,
      method: step.method,
      params: base,
      answers,
      notifications: received.slice(seen).filter((n) => !CODEX_OWN.has(n.method)),
    });
  }
  return out;
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TIMING = new Set(['createdAt', 'updatedAt', 'recencyAt', 'startedAt', 'completedAt', 'durationMs']);

/**
 * What is inherently variable made fixed: the copy's own folder is `<HOME>`; an id the home did not
 * have (the fork's thread, the revert's file) becomes `<new-N>` in order of appearance; clock
 * readings of the threads the transcript created are dropped.
 */
const invariant = (
  value: unknown,
  home: string,
  knownIds: ReadonlySet<string>,
  fresh: Map<string, string>,
): unknown => {
  const named = JSON.stringify(value)
    .split(home)
    .join('<HOME>')
    .replace(UUID, (id) => {
      if (knownIds.has(id)) return id;
      if (!fresh.has(id)) fresh.set(id, `<new-${fresh.size}>`);
      return fresh.get(id)!;
    });
  if (!named.includes('<new-')) return JSON.parse(named);
  // A created file's name and folder, and a cursor, hold the moment it was created.
  const text = named
    .replace(/sessions\/\d{4}\/\d\d\/\d\d\/rollout-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-/g, 'sessions/<day>/rollout-<time>-')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<time>');
  return JSON.parse(text, (k, v: unknown) => (TIMING.has(k) ? 0 : v));
};

/** The ids the home holds before the transcript: every uuid in its rollout files' names and lines. */
const idsOf = (codexHome: string): Set<string> => {
  const ids = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.jsonl'))
        for (const m of `${e.name}\n${readFileSync(join(dir, e.name), 'utf8')}`.match(UUID) ?? []) ids.add(m);
    }
  };
  walk(join(codexHome, 'sessions'));
  return ids;
};

/** Two exchanges compared: answers with the history normalisation, then invariant forms; notifications by method and params. */
const differences = (
  theirs: Exchange[],
  ours: Exchange[],
  theirHome: string,
  ourHome: string,
  knownIds: ReadonlySet<string>,
  withCodex: boolean,
): string[] => {
  const problems: string[] = [];
  const [freshTheirs, freshOurs] = [new Map<string, string>(), new Map<string, string>()];
  const oracle = new ClockOracle(theirHome);
  theirs.forEach((t, i) => {
    const o = ours[i]!;
    if (withCodex && TRANSCRIPT[i]!.notWithCodex !== undefined) return;
    if (t.answers.length !== o.answers.length)
      problems.push(`${t.label}: codex gave ${t.answers.length} pages, ours ${o.answers.length}`);
    t.answers.forEach((ta, p) => {
      const oa = o.answers[p];
      if (oa === undefined) return;
      const { expected, actual } = normaliseHistoryAnswer(oracle, TRANSCRIPT[i]!.method, t.params, ta, oa);
      const d = jsonDifferences(
        invariant(expected, theirHome, knownIds, freshTheirs),
        invariant(actual, ourHome, knownIds, freshOurs),
        6,
      );
      if (d.length > 0) problems.push(`${t.label} page ${p}\n${describeDifferences(d)}`);
    });
    const d = jsonDifferences(
      invariant(t.notifications, theirHome, knownIds, freshTheirs),
      invariant(o.notifications, ourHome, knownIds, freshOurs),
      6,
    );
    if (d.length > 0) problems.push(`${t.label} notifications\n${describeDifferences(d)}`);
  });
  return problems;
};

describe('compat: one transcript to codex app-server over WebSocket, ours over WebSocket and over stdio', function () {
  this.timeout(300_000);
  const rootOf = useTempDir('ws-differential-');
  let home: CompatHome;
  const children: ChildProcess[] = [];

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    home = await buildScenarioHome(
      SCENARIOS.find((s) => s.name === 'chat')!,
      'paginated',
      rootOf(),
    );
  });
  after(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  /** Start a server listening on a port of its own, run the transcript over WebSocket, stop it. */
  const overWebSocket = async (
    start: () => Promise<ListeningServer>,
    threadId: string,
    peer: 'ours' | 'codex',
  ): Promise<Exchange[]> => {
    const { child, url } = await start();
    children.push(child);
    const client = await connectWebSocketRpc(url, {}, peer);
    await handshake(client, HANDSHAKE);
    const exchanges = await runTranscript(client.request, client.notifications, () => client.settle(), threadId);
    client.close();
    child.kill('SIGTERM');
    return exchanges;
  };

  /** A copy of the built home for one of our servers (each changes its own: fork, revert); Codex keeps the original, whose state DB names its files. */
  const copyFor = (name: string): string => {
    const dir = join(rootOf(), name);
    // Times kept: a file's mtime is data Codex and ours read (updatedAt); a copy a second later answered 1 s off (CI at c0cb98d).
    cpSync(join(home.codexHome, '..'), dir, { recursive: true, preserveTimestamps: true });
    return join(dir, 'home');
  };

  it('answers alike and notifies alike: thread/list, read, turns and items pages, fork, revert', async () => {
    const threadId = home.threads[0]!.id;
    const knownIds = idsOf(home.codexHome);
    const [wsHome, stdioHome] = [copyFor('ours-ws'), copyFor('ours-stdio')];

    const codexHome = home.codexHome;
    writeCodexConfig(codexHome, 9);
    const codex = resolveCodexCommand();
    const codexExchanges = await overWebSocket(
      () =>
        spawnListening(codex.file, [...codex.args, 'app-server'], {
          env: appServerEnv({ codexHome, userHome: join(codexHome, '..', 'user-home') }),
          cwd: join(codexHome, '..', 'work'),
        }),
      threadId,
      'codex',
    );
    const wsExchanges = await overWebSocket(
      () => spawnListening(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', wsHome]),
      threadId,
      'ours',
    );

    const oursStdio = await initializedServe(stdioHome, HANDSHAKE);
    const stdioExchanges = await runTranscript(
      oursStdio.request,
      oursStdio.notifications,
      () => oursStdio.settle(),
      threadId,
    );
    await oursStdio.close();

    expect(
      codexExchanges.some((e) => e.notifications.length > 0),
      'the transcript makes Codex notify',
    ).to.equal(true);
    const reverted = wsExchanges.find((e) => e.method === 'thread/revert')?.answers[0];
    expect(reverted, `ours reverted: ${JSON.stringify(reverted)}`).to.have.property('result');
    const problems = [
      ...differences(codexExchanges, wsExchanges, codexHome, wsHome, knownIds, true).map(
        (p) => `ours over WebSocket: ${p}`,
      ),
      ...differences(codexExchanges, stdioExchanges, codexHome, stdioHome, knownIds, true).map(
        (p) => `ours over stdio: ${p}`,
      ),
      ...differences(stdioExchanges, wsExchanges, stdioHome, wsHome, knownIds, false).map(
        (p) => `ours over WebSocket vs stdio: ${p}`,
      ),
    ];
    if (problems.length > 0) expect.fail(`${problems.length} differences:\n${problems.slice(0, 12).join('\n')}`);
  });
});
