// `serve --upstream codex`: the engine answers history from its index and passes everything else
// to a real `codex app-server` it spawns on the same home. A client that speaks to the engine
// only (as `codex --remote` does) initializes and sees the upstream's Codex, reads accounts and
// models, lists threads (ours), resumes a thread and runs a turn (the upstream's, with its
// notifications), then pages that turn from the engine; with the upstream killed, history keeps
// answering and the upstream comes back at the next request.
import { spawnSync, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import type { WebSocketRpcClient } from '../fixtures/webSocketRpcClient.js';
import { appServerEnv, compatCodexVersion, resolveCodexCommand } from './appServer.js';
import { chatHomeWithMock, startUpstreamServe } from './upstreamServe.js';
import type { UpstreamServe } from './upstreamServe.js';
import type { MockResponses } from './mockResponses.js';
import { openColdCodex } from './compatHomes.js';

import type { CompatHome } from './scenarios.js';
import { skipUnmet } from '../fixtures/skipUnmet.js';
import { hasTmux, tmuxTui, until } from './tmuxTui.js';

/** The pids of `parent`'s children (the spawned upstream). */
const childrenOf = (parent: number): number[] => {
  const ps = spawnSync('ps', ['-o', 'pid=', '--ppid', String(parent)], { encoding: 'utf8' });
  // ps exits 1, printing nothing, when no process matched: no children. Anything else is a failure.
  if (ps.status === 1 && ps.stdout === '') return [];
  if (ps.status !== 0)
    throw new Error(
      `ps --ppid ${parent}: exit ${ps.status} ${ps.signal ?? ''} ${ps.error?.message ?? ''} ${ps.stderr}`,
    );
  return ps.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
};

describe(`compat: serve --upstream codex (a real codex app-server behind the engine, ${compatCodexVersion()})`, function () {
  this.timeout(180_000);
  let root: string;
  let home: CompatHome;
  let mock: MockResponses;
  let upstream: UpstreamServe | undefined;
  let serve: ChildProcess | undefined;
  let client: WebSocketRpcClient | undefined;
  let serveUrl = '';
  let init: { userAgent: string };

  before(async function () {
    this.timeout(180_000);
    root = mkdtempSync(join(tmpdir(), 'compat-upstream-'));
    ({ home, mock } = await chatHomeWithMock(root));
    upstream = await startUpstreamServe(home, resolveCodexCommand(), 'warn');
    serve = upstream.process;
    serveUrl = upstream.url;
    client = upstream.client;
    // Initialized here, so each case runs alone too (`--grep`).
    init = await answer('initialize', {
      clientInfo: { name: 'rollout_engine_compat', version: '0.1.0' },
      capabilities: { experimentalApi: true },
    });
    client!.notify('initialized');
  });

  after(async () => {
    await upstream?.stop();
    await mock?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const answer = async (method: string, params: unknown): Promise<any> => {
    const a = await client!.request(method, params);
    if ('error' in a) throw new Error(`${method}: ${a.error.code} ${a.error.message}`);
    return a.result;
  };

  it("initializes as the upstream's Codex, forwards what the engine does not answer, and pages the upstream's new turn from the engine", async () => {
    // The upstream's user agent: no "older service" warning in a real client.
    expect(init.userAgent)
      .to.match(new RegExp(`^rollout_engine_compat/${compatCodexVersion().replaceAll('.', '\\.')} `))
      .and.not.contain('rollout-engine/');
    expect(await answer('account/read', {})).to.have.property('account');
    expect((await answer('model/list', {})).data).to.be.an('array');
    const main = home.threads.find((t) => t.label === 'main')!.id;
    const listed = await answer('thread/list', {});
    expect(listed.data.map((t: { id: string }) => t.id)).to.include(main);

    await answer('thread/resume', { threadId: main });
    const started = await answer('turn/start', {
      threadId: main,
      input: [{ type: 'text', text: 'A turn through the upstream.', text_elements: [] }],
    });
    const turnId = started.turn.id as string;
    await until('turn/completed from the upstream', () =>
      client!.notifications.some(
        (n) => n.method === 'turn/completed' && (n.params as { turn: { id: string } }).turn.id === turnId,
      ),
    );
    // Read your writes: the engine's next page of the thread holds the turn the upstream just ran.
    const page = await answer('thread/turns/list', {
      threadId: main,
      sortDirection: 'desc',
      limit: 1,
      itemsView: 'full',
    });
    expect(page.data[0].id).to.equal(turnId);
    expect(JSON.stringify(page.data[0].items)).to.contain('A turn through the upstream.');
  });

  it('a thread just started through the upstream (no rollout yet) is read as Codex reads it: thread/read and thread/turns/list answered by the upstream, not "thread not loaded"', async () => {
    const started = await answer('thread/start', {});
    const threadId = started.thread.id as string;
    const read = await client!.request('thread/read', { threadId });
    expect(read, JSON.stringify(read)).to.have.nested.property('result.thread.id', threadId);
    // Its turns are Codex's to answer too, in Codex's words (0.169.0 has none to page before the first user message).
    const turns = await client!.request('thread/turns/list', { threadId });
    expect(turns).to.deep.equal({
      error: {
        code: -32600,
        message: `thread ${threadId} is not materialized yet; thread/turns/list is unavailable before first user message`,
      },
    });
  });

  it('the real Codex TUI on the engine: the resume picker lists and searches, a thread opens with its history, a new turn runs (upstream) and is paged from the engine; fork and archive --remote work', async function () {
    skipUnmet(this, hasTmux(), 'tmux', 'apt-get install tmux; npm test installs it when it can');
    const main = home.threads.find((t) => t.label === 'main')!.id;
    const env = { ...appServerEnv({ codexHome: home.codexHome }), TERM: 'xterm-256color' };
    const tui = tmuxTui(`upstream-${process.pid}`, resolveCodexCommand(), env, home.workDir);
    const seen = tui.seen;
    try {
      tui.start(['resume', '--remote', serveUrl]);
      await seen('the resume picker', 'Resume a previous session');
      await seen('the chat thread by its name', 'Compat chat thread');
      // Type-to-search goes to the engine's thread/list (searchTerm, which looks in titles and previews).
      tui.keys('-l', 'fact number');
      await seen('the search term', 'Search: fact number');
      await seen('the thread found', 'Compat chat thread');
      tui.keys('Enter');
      await seen('the thread history', /Answer #\d+ to "Turn 4: tell me fact number 4\."/);
      tui.paste('Hello from the real TUI');
      await seen('the prompt pasted', '› Hello from the real TUI');
      tui.keys('Enter');
      await seen("the upstream's answer", /Answer #\d+ to "Hello from the real TUI"/);
      await until('the engine to page the TUI turn', async () => {
        const page = await answer('thread/turns/list', {
          threadId: main,
          sortDirection: 'desc',
          limit: 1,
          itemsView: 'full',
        });
        return JSON.stringify(page.data[0].items).includes('Hello from the real TUI');
      });
    } finally {
      tui.stop();
    }
    // `codex fork --remote`: a new thread, forked by the upstream, listed by the engine.
    const before = new Set(((await answer('thread/list', {})).data as Array<{ id: string }>).map((t) => t.id));
    try {
      tui.start(['fork', main, '--remote', serveUrl]);
      await seen('the forked thread', /Answer #\d+ to "Turn 4: tell me fact number 4\."/);
    } finally {
      tui.stop();
    }
    await until("the fork in the engine's list", async () =>
      ((await answer('thread/list', {})).data as Array<{ id: string }>).some((t) => !before.has(t.id)),
    );
    // `codex archive --remote` (no TUI): the engine archives, the thread leaves the list.
    const codex = resolveCodexCommand();
    execFileSync(codex.file, [...codex.args, 'archive', main, '--remote', serveUrl], {
      env,
      cwd: home.workDir,
      stdio: 'ignore',
      timeout: 30_000,
    });
    const archived = ((await answer('thread/list', { archived: true })).data as Array<{ id: string }>).map((t) => t.id);
    expect(archived).to.include(main);
    await answer('thread/unarchive', { threadId: main });
  });

  /** A new thread the upstream starts and runs one turn in (the mock answers): a thread Codex's state DB has a row for. */
  const threadWithTurn = async (text: string): Promise<{ id: string; path: string }> => {
    const thread = await answer('thread/start', { cwd: home.workDir });
    const id = thread.thread.id as string;
    const started = await answer('turn/start', { threadId: id, input: [{ type: 'text', text, text_elements: [] }] });
    const turnId = started.turn.id as string;
    await until('turn/completed', () =>
      client!.notifications.some(
        (n) => n.method === 'turn/completed' && (n.params as { turn: { id: string } }).turn.id === turnId,
      ),
    );
    return { id, path: thread.thread.path as string };
  };

  it("lists every thread on disk, also those Codex's state DB lost (a deleted row; a rollout restored from a backup after Codex deleted the thread: openai/codex #20165 and others): useStateDbOnly through the engine, where plain codex app-server leaves them out", async () => {
    const main = home.threads.find((t) => t.label === 'main')!.id;
    // Restored from a backup: Codex deleted the thread (its file and its row), the file came back.
    const restored = await threadWithTurn('A thread restored from a backup.');
    const backup = readFileSync(restored.path);
    await answer('thread/delete', { threadId: restored.id });
    expect(existsSync(restored.path), 'the deleted rollout').to.equal(false);
    mkdirSync(dirname(restored.path), { recursive: true });
    writeFileSync(restored.path, backup);
    const db = openSqlite(join(home.codexHome, 'state_5.sqlite'), { mustExist: false, timeoutMs: 5000 });
    try {
      // Lost: the row is gone, the rollout is not.
      db.prepare('DELETE FROM threads WHERE id = ?').run(main);
      expect(
        db.prepare('SELECT count(*) AS n FROM threads WHERE id = ?').get(restored.id),
        'the restored thread has no row',
      ).to.deep.equal({ n: 0 });
    } finally {
      db.close();
    }
    const everyKind = {
      useStateDbOnly: true,
      limit: 100,
      sourceKinds: ['cli', 'vscode', 'exec', 'appServer'] as Array<'cli' | 'vscode' | 'exec' | 'appServer'>,
    };
    const plain = await openColdCodex(home);
    try {
      const codexIds = (await plain.server.typed.request('thread/list', everyKind)).data.map((t) => t.id);
      expect(codexIds, 'plain codex app-server').to.not.include.members([main]);
      expect(codexIds, 'plain codex app-server').to.not.include.members([restored.id]);
    } finally {
      await plain.stop();
    }
    const ours = ((await answer('thread/list', everyKind)).data as Array<{ id: string }>).map((t) => t.id);
    expect(ours, 'through the engine').to.include.members([main, restored.id]);
  });

  it('the upstream killed mid-turn: the turn ends failed for the client, history keeps answering, and the upstream comes back at the next request', async () => {
    // A turn the model never answers: it runs until the upstream is killed.
    const thread = await answer('thread/start', { cwd: home.workDir });
    mock.replyTo(thread.thread.id, { kind: 'stall' });
    const started = await answer('turn/start', {
      threadId: thread.thread.id,
      input: [{ type: 'text', text: 'A turn that will not finish.', text_elements: [] }],
    });
    const turnId = started.turn.id as string;
    await until('turn/started', () =>
      client!.notifications.some(
        (n) => n.method === 'turn/started' && (n.params as { turn: { id: string } }).turn.id === turnId,
      ),
    );
    const [upstreamPid] = childrenOf(serve!.pid!);
    expect(upstreamPid, 'the spawned codex app-server').to.be.a('number');
    // Its whole tree: a package's launcher (a node script) runs the native binary as its child, which holds the pipes too.
    const tree = (pid: number): number[] => [pid, ...childrenOf(pid).flatMap(tree)];
    for (const pid of tree(upstreamPid!).reverse()) process.kill(pid, 'SIGKILL');
    await until('the upstream to be gone', () => !childrenOf(serve!.pid!).includes(upstreamPid!));
    const ended = () =>
      client!.notifications.find(
        (n) => n.method === 'turn/completed' && (n.params as { turn: { id: string } }).turn.id === turnId,
      );
    await until('the turn to end for the client', () => ended() !== undefined, 10_000);
    const turn = (ended()!.params as { turn: { status: string; error: { message: string } } }).turn;
    expect(turn.status).to.equal('failed');
    expect(turn.error.message).to.contain('stopped during this turn');
    const listed = await answer('thread/list', {});
    expect(listed.data.length).to.be.greaterThan(0);
    // The next forwarded request restarts it (its initialize replayed on a new link).
    expect(await answer('account/read', {})).to.have.property('account');
    const [again] = childrenOf(serve!.pid!);
    expect(again).to.be.a('number').and.not.equal(upstreamPid);
  });
});
