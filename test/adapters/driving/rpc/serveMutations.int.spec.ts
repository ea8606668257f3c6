// The mutation methods of `rollout-engine serve`: Codex's answer shapes, its refusal words and
// codes, and the notifications Codex sends with them (deprecation notice, token usage, started,
// reverted).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { initializedServe } from '../../../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../../../fixtures/stdioRpcClient.js';
import { runEngineCli } from '../../../compat/engineCli.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';

const P = 'ffffffff-0000-7000-8000-000000000001';
const L = 'ffffffff-0000-7000-8000-000000000002';

describe('rollout-engine serve: thread/fork, thread/revert, thread/rollback, review/start, thread/tokenUsage/read', function () {
  this.timeout(120_000);
  let home: string;
  let server: StdioRpcClient;
  const ask = async (method: string, params: unknown): Promise<any> => server.request(method, params);
  const since = (n: number) => server.notifications.slice(n);

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'serve-mut-'));
    writeRollout(home, rolloutName(P), chatThread('paginated', P, 3).text());
    writeRollout(home, rolloutName(L), chatThread('legacy', L, 2).text());
    server = await initializedServe(home, {
      capabilities: { experimentalApi: true },
    });
  });
  after(async () => {
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('thread/fork answers the fork with its settings; the notice goes before the answer, token usage and thread/started after it, as Codex orders them', async () => {
    const n = server.notifications.length;
    const m = server.received.length;
    const r = await ask('thread/fork', { threadId: P, lastTurnId: 't2' });
    await server.settle();
    expect(server.received.slice(m).map((x) => x.replace(/^answer .*/, 'answer'))).to.deep.equal([
      'deprecationNotice',
      'answer',
      'thread/tokenUsage/updated',
      'thread/started',
    ]);
    expect(r.result.thread).to.include({ forkedFromId: P, historyMode: 'paginated' });
    expect(r.result.thread.turns.map((t: { id: string }) => t.id)).to.deep.equal(['t1', 't2']);
    expect(r.result).to.include({ model: 'mock-model', cwd: '/work/project' });
    const notes = since(n);
    expect(notes.map((x) => x.method)).to.deep.equal([
      'deprecationNotice',
      'thread/tokenUsage/updated',
      'thread/started',
    ]);
    expect(notes[1]!.params).to.deep.include({ threadId: r.result.thread.id, turnId: 't2' });
    const quiet = server.notifications.length;
    const excluded = await ask('thread/fork', { threadId: P, excludeTurns: true });
    await server.settle();
    expect(excluded.result.thread.turns).to.deep.equal([]);
    expect(since(quiet).map((x) => x.method)).to.deep.equal(['thread/started']);
    expect(await ask('thread/fork', { threadId: P, lastTurnId: 'no-such-turn' })).to.deep.equal({
      error: { code: -32600, message: 'turn not found: no-such-turn' },
    });
  });

  it('rollout-engine fork --json prints what thread/fork answers (the fork held loaded, with its settings)', async () => {
    // Each fork is a new thread: its id, file and times are the only differences.
    const same = (answer: any): unknown => {
      const {
        id,
        sessionId: _session,
        path: _path,
        createdAt: _created,
        updatedAt: _updated,
        recencyAt: _recency,
        ...thread
      } = answer.thread;
      return JSON.parse(
        JSON.stringify({ ...answer, thread })
          .split(id)
          .join('<fork>'),
      );
    };
    const rpc = await ask('thread/fork', { threadId: L, lastTurnId: 't1' });
    const cli = await runEngineCli(['fork', L, '--last-turn-id', 't1', '--codex-home', home, '--json']);
    expect(cli.exitCode, cli.stderr).to.equal(0);
    const printed = JSON.parse(cli.stdout);
    expect(Object.keys(printed)).to.deep.equal(Object.keys(rpc.result));
    expect(printed.thread).to.include({ canAcceptDirectInput: true });
    expect(same(printed)).to.deep.equal(same(rpc.result));
  });

  it('thread/revert answers thread and backwards cursors, then thread/reverted; legacy refused as Codex does', async () => {
    const n = server.notifications.length;
    const r = await ask('thread/revert', { threadId: P, beforeTurnId: 't3' });
    await server.settle();
    expect(Object.keys(r.result)).to.deep.equal(['thread', 'turnsBackwardsCursor', 'itemsBackwardsCursor']);
    expect(r.result.thread.turns).to.deep.equal([]);
    expect(since(n)).to.deep.equal([{ method: 'thread/reverted', params: { threadId: P } }]);
    const page = await ask('thread/turns/list', {
      threadId: P,
      cursor: r.result.turnsBackwardsCursor,
      sortDirection: 'asc',
      itemsView: 'notLoaded',
    });
    expect(page.result.data.map((t: { id: string }) => t.id)).to.deep.equal(['t2']);
    expect(await ask('thread/revert', { threadId: L, beforeTurnId: 't1' })).to.deep.equal({
      error: { code: -32600, message: 'thread/revert only supports paginated threads' },
    });
  });

  it('thread/rollback answers the thread with the turns left; numTurns 0 refused', async () => {
    const r = await ask('thread/rollback', { threadId: L, numTurns: 1 });
    expect(r.result.thread.turns.map((t: { id: string }) => t.id)).to.deep.equal(['t1']);
    expect(await ask('thread/rollback', { threadId: L, numTurns: 0 })).to.deep.equal({
      error: { code: -32600, message: 'numTurns must be >= 1' },
    });
  });

  it("review/start inline and detached answer {turn, reviewThreadId}; a bad target is refused in Codex's words", async () => {
    const inline = await ask('review/start', { threadId: P, target: { type: 'uncommittedChanges' } });
    expect(inline.result.reviewThreadId).to.equal(P);
    expect(inline.result.turn).to.include({ status: 'inProgress', itemsView: 'notLoaded', rootTurnId: null });
    const detached = await ask('review/start', {
      threadId: P,
      target: { type: 'custom', instructions: 'Look at it.' },
      delivery: 'detached',
    });
    expect(detached.result.reviewThreadId).to.not.equal(P);
    const read = await ask('thread/read', { threadId: detached.result.reviewThreadId });
    expect(read.result.thread).to.include({ parentThreadId: P, forkedFromId: P });
    expect(read.result.thread.source).to.deep.equal({ subAgent: 'review' });
    expect((await ask('review/start', { threadId: P, target: { type: 'sideways' } })).error).to.deep.equal({
      code: -32600,
      message:
        'Invalid request: unknown variant `sideways`, expected one of `uncommittedChanges`, `baseBranch`, `commit`, `custom`',
    });
  });

  it('thread/tokenUsage/read answers what thread/resume replays', async () => {
    const r = await ask('thread/tokenUsage/read', { threadId: L });
    expect(r.result).to.deep.include({ threadId: L, turnId: 't1' });
    expect(r.result.tokenUsage.total.totalTokens).to.equal(100);
    const fork = (await ask('thread/fork', { threadId: P, excludeTurns: true })).result.thread.id;
    expect((await ask('thread/tokenUsage/read', { threadId: fork })).result).to.deep.equal({
      threadId: fork,
      turnId: null,
      tokenUsage: null,
    });
  });
});
