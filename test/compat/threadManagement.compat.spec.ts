// Differential test of thread management over stdio: the same transcript (threadManagementTranscript.ts)
// goes to the real `codex app-server` 0.169.0 on a home it wrote, and to `rollout-engine serve` on
// the same home as it was before Codex touched it (same absolute paths). Answers, notifications
// (and their place around the answer) and the on-disk effects must be equal, normalising only
// what is inherently variable: times, and the random revisions of read states (compared by the
// order they appear in).
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { appServerEnv, resolveCodexCommand, writeCodexConfig } from './appServer.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import { MockResponses } from './mockResponses.js';
import { freshRoot } from './mutationHarness.js';
import { buildScenarioHome, SCENARIOS } from './scenarios.js';
import type { CompatHome } from './scenarios.js';
import { spawnRpcServer, handshake } from '../fixtures/stdioRpcClient.js';
import { connectWebSocketRpc } from '../fixtures/webSocketRpcClient.js';
import { spawnListening } from '../fixtures/listeningServer.js';
import type { StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import type { Seen, TranscriptStep } from './threadManagementTranscript.js';
import { ENGINE_CLI_PATH } from './engineCli.js';
import { THREAD_MANAGEMENT_TRANSCRIPT, UNKNOWN_THREAD } from './threadManagementTranscript.js';

/** What one step gave: the answer, and everything that arrived from the request to the barrier after it, in order (`answer` marks the answer's place). */
interface StepRecord {
  readonly label: string;
  readonly answer: unknown;
  readonly arrived: ReadonlyArray<string>;
  readonly notifications: ReadonlyArray<{ readonly method: string; readonly params: unknown }>;
}

/** The turn ids of a home's one thread, oldest first, from its rollout's task_started lines. */
const turnIdsOf = (codexHome: string): string[] => {
  const ids: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.jsonl'))
        for (const l of readFileSync(p, 'utf8').split('\n'))
          if (l.includes('"task_started"'))
            ids.push((JSON.parse(l) as { payload: { turn_id: string } }).payload.turn_id);
    }
  };
  walk(join(codexHome, 'sessions'));
  return ids;
};

/** Codex's own notices that say nothing about the history (remote control status, model warnings). */
const UNRELATED = new Set(['remoteControl/status/changed', 'warning', 'account/rateLimits/updated']);

/** What the transcript needs of a client, over stdio or WebSocket. */
type TranscriptClient = Pick<StdioRpcClient, 'request' | 'notifications' | 'received' | 'settle'>;

/**
 * Codex's archive of a loaded thread reports its unload from two tasks (the archive and the thread's
 * listener); on a busy machine both `thread/status/changed` notLoaded arrive. A notification equal to
 * the one just before it says nothing new: Codex's side keeps one.
 */
function withoutRepeats(record: StepRecord): StepRecord {
  const notifications = record.notifications.filter(
    (n, i, all) => i === 0 || JSON.stringify(n) !== JSON.stringify(all[i - 1]),
  );
  let dropped = record.notifications.length - notifications.length;
  const arrived = record.arrived.filter((r, i, all) => {
    const repeat = i > 0 && r !== 'answer' && r === all[i - 1] && dropped > 0;
    if (repeat) dropped--;
    return !repeat;
  });
  return { ...record, arrived, notifications };
}

/**
 * Waits until the notifications `methods` (a multiset) have arrived since the `from`th. Codex sends
 * some of a request's notifications from another task after its answer, so no request of ours is
 * a barrier for them: the Codex run waits, by name, for those ours sent in the same step (at most
 * 10 s; one Codex never sends shows as a difference), then for the barrier.
 */
async function untilArrived(client: TranscriptClient, from: number, methods: readonly string[]): Promise<void> {
  const deadline = Date.now() + 60_000; // a hang bound, not a speed verdict
  const missing = (): boolean => {
    const got = client.notifications.slice(from).map((n) => n.method);
    return methods.some((m) => methods.filter((x) => x === m).length > got.filter((x) => x === m).length);
  };
  while (missing() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

async function runTranscript(
  client: TranscriptClient,
  steps: ReadonlyArray<TranscriptStep>,
  threadId: string,
  turnIds: ReadonlyArray<string>,
  expected?: ReadonlyArray<StepRecord>,
): Promise<StepRecord[]> {
  const answers: Record<string, any> = {};
  const out: StepRecord[] = [];
  await client.settle();
  for (const [i, s] of steps.entries()) {
    const seen: Seen = { threadId, turnIds, answers };
    const [fromNote, fromArrived] = [client.notifications.length, client.received.length];
    const a = await client.request(s.method, s.params(seen));
    if (expected !== undefined)
      await untilArrived(
        client,
        fromNote,
        expected[i]!.notifications.map((n) => n.method),
      );
    await client.settle();
    answers[s.label] = 'result' in a ? a.result : a.error;
    out.push({
      label: s.label,
      answer: a,
      arrived: client.received
        .slice(fromArrived)
        .map((r) => (r.startsWith('answer ') ? 'answer' : r))
        .filter((r) => !UNRELATED.has(r)),
      notifications: client.notifications.slice(fromNote).filter((n) => !UNRELATED.has(n.method)),
    });
  }
  return out;
}

/** Rollout files (relative path → sha256), Codex's name log with its times left out. */
interface DiskState {
  readonly files: Record<string, string>;
  readonly sessionIndex: unknown[];
}

/** Every rollout file of a home (sessions and archived), with its stat. */
function rolloutFilesOf(codexHome: string): Array<{ path: string; name: string; mtimeMs: number }> {
  const out: Array<{ path: string; name: string; mtimeMs: number }> = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (e.endsWith('.jsonl')) out.push({ path: p, name: e, mtimeMs: st.mtimeMs });
    }
  };
  walk(join(codexHome, 'sessions'));
  walk(join(codexHome, 'archived_sessions'));
  return out;
}

/** Each rollout file's modification time by name (a moved file keeps its name). */
const rolloutMtimes = (codexHome: string): Map<string, number> =>
  new Map(rolloutFilesOf(codexHome).map((f) => [f.name, f.mtimeMs]));

/**
 * The rollout files (hash of their bytes, and whether their modification time moved since the
 * pristine home: Codex's unarchive touches the file it restores) and `session_index.jsonl`.
 */
function diskState(codexHome: string, pristineMtimes: ReadonlyMap<string, number>): DiskState {
  const files: Record<string, string> = {};
  for (const f of rolloutFilesOf(codexHome)) {
    const before = pristineMtimes.get(f.name);
    const time = before === undefined ? 'new' : f.mtimeMs > before ? 'touched' : 'kept';
    files[relative(codexHome, f.path)] = `${createHash('sha256').update(readFileSync(f.path)).digest('hex')} ${time}`;
  }
  const index = join(codexHome, 'session_index.jsonl');
  const sessionIndex = existsSync(index)
    ? readFileSync(index, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const { updated_at, ...rest } = JSON.parse(l) as Record<string, unknown>;
          expect(String(updated_at), 'updated_at as Codex writes it').to.match(
            /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?Z$/,
          );
          return rest;
        })
    : [];
  return { files, sessionIndex };
}

/** Times (unix seconds), and `thread/list`'s backwards cursor, which is a time too. */
const TIMES = new Set(['createdAt', 'updatedAt', 'recencyAt', 'backwardsCursor']);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
/** Where a rollout file's name carries its creation time. */
const NAME_TIME = /rollout-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-/g;

/** Every UUID of a home's rollouts and name log: the ids a transcript did not make. */
function idsIn(codexHome: string): Set<string> {
  const ids = new Set<string>();
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.jsonl')) for (const m of readFileSync(p, 'utf8').matchAll(UUID)) ids.add(m[0]);
    }
  };
  walk(codexHome);
  return ids;
}

/**
 * The records with what is inherently variable made comparable: times blanked; ids made during
 * the run (the fork's, read-state revisions, random in Codex) named by their first appearance,
 * and the creation time in new files' names blanked. Before the first rename, thread names are
 * left out: Codex's cache, rebuilt from the files, has none until one is set through it (we read
 * `session_index.jsonl`).
 */
function normalised(records: ReadonlyArray<StepRecord>, known: ReadonlySet<string>): unknown {
  const fresh = new Map<string, string>();
  const named = (v: string, kind: string): string => {
    if (!fresh.has(v)) fresh.set(v, `<${kind} ${fresh.size + 1}>`);
    return fresh.get(v)!;
  };
  const renamedAt = records.findIndex((r) => r.label === 'name');
  const walk = (v: unknown, beforeRename: boolean, key?: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, beforeRename));
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          walk(k, beforeRename),
          k === 'name' && beforeRename ? '<before rename>' : walk(x, beforeRename, k),
        ]),
      );
    if (key !== undefined && TIMES.has(key) && v !== null) return '<time>';
    if (key === 'revision' && typeof v === 'string' && !v.startsWith('initial:')) return named(v, 'revision');
    if (typeof v !== 'string') return v;
    const ids = v.replace(UUID, (id) => (known.has(id) ? id : named(id, 'new id')));
    return ids === v ? v : ids.replace(NAME_TIME, 'rollout-<time>-');
  };
  return records.map((r, i) => walk(r, i < renamedAt));
}

describe('compat: thread management, the same transcript to codex app-server 0.169.0 and to ours (stdio and WebSocket)', function () {
  this.timeout(300_000);
  let root: string;
  let home: CompatHome;
  let pristine: string;
  let threadId: string;
  let turnIds: string[];

  before(async function () {
    this.timeout(300_000);
    root = freshRoot();
    home = await buildScenarioHome(
      SCENARIOS.find((s) => s.name === 'chat')!,
      'paginated',
      root,
    );
    threadId = home.threads.find((t) => t.label === 'main')!.id;
    // Codex's cache of the live run holds read receipts no rollout records (published while its turns ran): both sides start from the files.
    for (const f of readdirSync(home.codexHome))
      if (f.startsWith('state_5.sqlite')) rmSync(join(home.codexHome, f), { force: true });
    turnIds = turnIdsOf(home.codexHome);
    pristine = join(root, 'pristine-home');
    cpSync(home.codexHome, pristine, { recursive: true, preserveTimestamps: true });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** The transcript on a copy of the home as it was before any run (same absolute paths), on Codex or on ours, over stdio or WebSocket, initialized with `capabilities`. */
  async function runOn(
    side: 'codex' | 'ours',
    steps: ReadonlyArray<TranscriptStep>,
    capabilities: Record<string, unknown>,
    transport: 'stdio' | 'ws' = 'stdio',
    expected?: ReadonlyArray<StepRecord>,
  ): Promise<{ records: StepRecord[]; disk: DiskState }> {
    rmSync(home.codexHome, { recursive: true, force: true });
    cpSync(pristine, home.codexHome, { recursive: true, preserveTimestamps: true });
    const mock = side === 'codex' ? await MockResponses.start() : undefined;
    if (mock !== undefined) writeCodexConfig(home.codexHome, mock.port);
    const cmd = resolveCodexCommand();
    const [file, args, env, cwd] =
      side === 'codex'
        ? [cmd.file, [...cmd.args, 'app-server'], appServerEnv({ codexHome: home.codexHome }), home.workDir]
        : [process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', home.codexHome], process.env, undefined];
    let client: TranscriptClient & { readonly notify: (method: string) => void };
    let close: () => Promise<void>;
    if (transport === 'stdio') {
      const stdio = spawnRpcServer(file, args, { env, ...(cwd === undefined ? {} : { cwd }) });
      [client, close] = [stdio, () => stdio.close()];
    } else {
      const { child, url } = await spawnListening(file, args, { env, ...(cwd === undefined ? {} : { cwd }) });
      const ws = await connectWebSocketRpc(url, {}, side);
      client = { ...ws, settle: () => ws.settle() };
      close = async () => {
        ws.close();
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      };
    }
    try {
      const init = await handshake(client, {
        clientInfo: { name: 'rollout_engine_compat', version: '0.1.0' },
        capabilities,
      });
      expect(init, `${side} initialize`).to.have.property('result');
      const records = await runTranscript(client, steps, threadId, turnIds, expected);
      return {
        records: side === 'codex' ? records.map(withoutRepeats) : records,
        disk: diskState(home.codexHome, rolloutMtimes(pristine)),
      };
    } finally {
      await close();
      await mock?.stop();
    }
  }

  /** Every difference between the two runs, step by step, then the files. */
  const differences = (
    codex: { records: StepRecord[]; disk: DiskState },
    ours: { records: StepRecord[]; disk: DiskState },
  ): string[] => {
    const problems: string[] = [];
    const known = new Set([...idsIn(pristine), UNKNOWN_THREAD]);
    const [c, o] = [normalised(codex.records, known) as StepRecord[], normalised(ours.records, known) as StepRecord[]];
    for (let i = 0; i < c.length; i++) {
      const d = jsonDifferences(c[i], o[i], 8);
      if (d.length > 0) problems.push(`step ${c[i]!.label}:\n${describeDifferences(d)}`);
    }
    const dd = jsonDifferences(codex.disk, ours.disk, 8);
    if (dd.length > 0) problems.push(`files:\n${describeDifferences(dd)}`);
    return problems;
  };

  it('answers, notifications around each answer, and the files left behind are Codex’s', async () => {
    const ours = await runOn('ours', THREAD_MANAGEMENT_TRANSCRIPT, { experimentalApi: true });
    const codex = await runOn('codex', THREAD_MANAGEMENT_TRANSCRIPT, { experimentalApi: true }, 'stdio', ours.records);
    expect(codex.records.find((r) => r.label === 'archive')!.arrived, 'the transcript saw notifications').to.deep.equal(
      ['answer', 'thread/archived'],
    );
    const problems = differences(codex, ours);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('over WebSocket: codex app-server --listen ws:// and ours over WebSocket give the same answers, notifications and files as ours over stdio', async () => {
    const oursWs = await runOn('ours', THREAD_MANAGEMENT_TRANSCRIPT, { experimentalApi: true }, 'ws');
    const codex = await runOn('codex', THREAD_MANAGEMENT_TRANSCRIPT, { experimentalApi: true }, 'ws', oursWs.records);
    const oursStdio = await runOn('ours', THREAD_MANAGEMENT_TRANSCRIPT, { experimentalApi: true }, 'stdio');
    expect(codex.records.find((r) => r.label === 'archive')!.arrived, 'the transcript saw notifications').to.deep.equal(
      ['answer', 'thread/archived'],
    );
    const problems = [
      ...differences(codex, oursWs).map((p) => `ours over WebSocket: ${p}`),
      ...differences(oursStdio, oursWs).map((p) => `ours over WebSocket vs stdio: ${p}`),
    ];
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('initialize.capabilities.optOutNotificationMethods: the methods named are not sent to that connection, as Codex', async () => {
    const steps = THREAD_MANAGEMENT_TRANSCRIPT.filter((s) => ['name', 'archive', 'unarchive'].includes(s.label));
    const capabilities = {
      experimentalApi: true,
      optOutNotificationMethods: ['thread/name/updated', 'thread/archived'],
    };
    const ours = await runOn('ours', steps, capabilities);
    const codex = await runOn('codex', steps, capabilities, 'stdio', ours.records);
    expect(codex.records.map((r) => r.arrived)).to.deep.equal([
      ['answer'],
      ['answer'],
      ['answer', 'thread/unarchived'],
    ]);
    const problems = differences(codex, ours);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });
});
