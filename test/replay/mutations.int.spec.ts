import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { forkThread } from '../../replay/mutations/forkThread.js';
import { revertThread } from '../../replay/mutations/revertThread.js';
import { rollbackThread } from '../../replay/mutations/rollbackThread.js';
import { startReview } from '../../replay/mutations/startReview.js';
import { readTokenUsage } from '../../replay/tokens/readTokenUsage.js';
import { useTempDir } from '../fixtures/tempDir.js';
import type { MutationHome } from './mutationHome.js';
import { chatThread, left, openMutationHome, readTurns, right, rolloutName, writeRollout } from './mutationHome.js';

const P = 'cccccccc-0000-7000-8000-000000000001';
const L = 'cccccccc-0000-7000-8000-000000000002';
const RUNNING = 'cccccccc-0000-7000-8000-000000000003';

const lines = (path: string): any[] =>
  fs
    .readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

describe('mutations on real files and LMDB (fork, revert, rollback, review, token replay)', function () {
  this.timeout(120_000);
  const dir = useTempDir('re-mutations-');
  let m: MutationHome;

  before(async () => {
    writeRollout(dir(), rolloutName(P), chatThread('paginated', P, 3).text());
    writeRollout(dir(), rolloutName(L), chatThread('legacy', L, 3).text());
    const running = chatThread('paginated', RUNNING, 2);
    running
      .taskStarted('r3')
      .turnContext('r3')
      .item('r3', { type: 'UserMessage', id: 'u-r3', content: running.userText('still running') });
    writeRollout(dir(), rolloutName(RUNNING), running.text());
    m = await openMutationHome(dir());
  });
  after(async () => m.close());

  it('a paginated fork is its two lines, numbered from the cut, whatever the history; ids kept', async () => {
    const f = await right(forkThread(m.ports, { threadId: P }));
    const file = lines(f.written.path);
    expect(file.map((l) => [l.type, l.ordinal])).to.deep.equal([
      ['session_meta', file[0].ordinal],
      ['event_msg', file[0].ordinal + 1],
    ]);
    const meta = file[0].payload;
    expect(meta).to.include({
      id: f.thread.id,
      session_id: f.thread.id,
      forked_from_id: P,
      forked_from_ordinal_exclusive: file[0].ordinal,
      multi_agent_version: 'v1',
    });
    expect(meta.history_base).to.deep.equal({
      thread_id: P,
      end_ordinal_exclusive: file[0].ordinal,
      end_byte_offset: fs.statSync(nodePath.join(dir(), 'sessions/2026/11/21', rolloutName(P))).size,
    });
    expect(Object.keys(meta).indexOf('forked_from_id')).to.equal(Object.keys(meta).indexOf('id') + 1);
    expect(Object.keys(meta).indexOf('history_base')).to.equal(Object.keys(meta).indexOf('history_mode') + 1);
    expect(file[1].payload).to.deep.equal({
      type: 'thread_settings_applied',
      thread_id: f.thread.id,
      thread_settings: { model: 'mock-model', cwd: '/work/project' },
    });
    expect(f.thread.turns.map((t) => t.id)).to.deep.equal(['t1', 't2', 't3']);
    expect(f.thread.turns.flatMap((t) => t.items.map((i) => i.id))).to.include('msg-t2');
    expect(f.thread.forkedFromId).to.equal(P);
  });

  it("refuses an in-progress lastTurnId and an unknown turn with Codex's words; closes a running last turn in a whole fork", async () => {
    expect(await left(forkThread(m.ports, { threadId: RUNNING, lastTurnId: 'r3' }))).to.deep.equal({
      _tag: 'Rejected',
      reason: "lastTurnId 'r3' identifies an in-progress turn",
    });
    expect(await left(forkThread(m.ports, { threadId: P, lastTurnId: 'nope' }))).to.deep.include({
      _tag: 'NotFound',
      what: 'turn',
      id: 'nope',
    });
    const f = await right(forkThread(m.ports, { threadId: RUNNING }));
    const file = lines(f.written.path);
    expect(file.map((l) => l.payload.type)).to.deep.equal([
      undefined,
      'thread_settings_applied',
      'message',
      'turn_aborted',
    ]);
    expect(file[3].payload).to.include({ turn_id: 'r3', reason: 'interrupted' });
    expect(f.thread.turns.at(-1)).to.include({ id: 'r3', status: 'interrupted' });
    const before = await right(forkThread(m.ports, { threadId: RUNNING, beforeTurnId: 'r3', excludeTurns: true }));
    expect(lines(before.written.path)).to.have.length(2);
  });

  it('forks by path only inside sessions/ or archived_sessions/', async () => {
    const inside = nodePath.join(dir(), 'sessions/2026/11/21', rolloutName(P));
    const byPath = await right(forkThread(m.ports, { path: inside, lastTurnId: 't1', excludeTurns: true }));
    expect(lines(byPath.written.path)[0].payload.history_base.thread_id).to.equal(P);
    expect(
      await left(forkThread(m.ports, { path: `${dir()}/sessions/../sessions/2026/11/21/${rolloutName(P)}` })),
    ).to.include({ _tag: 'InvalidArgument' });
    const outside = nodePath.join(dir(), rolloutName(P));
    fs.copyFileSync(inside, outside);
    expect(await left(forkThread(m.ports, { path: outside }))).to.include({ _tag: 'InvalidArgument' });
    const link = nodePath.join(dir(), 'sessions/2026/11/21', `rollout-2026-11-21T15-00-00-${P.slice(0, -1)}9.jsonl`);
    fs.symlinkSync(outside, link);
    expect(await left(forkThread(m.ports, { path: link }))).to.include({ _tag: 'InvalidArgument' });
    fs.rmSync(link);
  });

  it('a legacy fork copies the lines below the cut with the fork time, then its settings', async () => {
    const f = await right(forkThread(m.ports, { threadId: L, lastTurnId: 't2' }));
    const file = lines(f.written.path);
    const src = lines(nodePath.join(dir(), 'sessions/2026/11/21', rolloutName(L)));
    expect(file[0].payload).to.not.have.property('history_base');
    expect(file[0]).to.not.have.property('ordinal');
    expect(file[1].payload).to.include({ id: L, multi_agent_version: 'v1' });
    const copied = file.slice(2, -1);
    expect(new Set(copied.map((l) => l.timestamp))).to.deep.equal(new Set([file[0].timestamp]));
    const strip = (l: any) => JSON.stringify({ ...l, timestamp: '' });
    expect(copied.map(strip)).to.deep.equal(src.slice(1, 1 + copied.length).map(strip));
    expect(copied.at(-1).payload).to.include({ type: 'task_complete', turn_id: 't2' });
    expect(f.thread.turns.map((t) => t.id)).to.deep.equal(['t1', 't2']);
  });

  it("revert: a revision referencing the cut, Codex's cursors; legacy refused word for word", async () => {
    const r = await right(revertThread(m.ports, { threadId: P, beforeTurnId: 't3' }));
    expect(nodePath.basename(r.written.path)).to.match(
      new RegExp(
        `^rollout-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-${P}_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\.jsonl$`,
      ),
    );
    const meta = lines(r.written.path)[0];
    expect(meta.payload.id).to.equal(P);
    expect(meta.payload.history_base.end_ordinal_exclusive).to.equal(meta.ordinal);
    expect(r.thread.path).to.equal(r.written.path);
    expect(r.thread.turns).to.deep.equal([]);
    expect(JSON.parse(r.turnsBackwardsCursor!)).to.deep.equal({
      requestedThreadId: P,
      rolloutOrdinal: JSON.parse(r.turnsBackwardsCursor!).rolloutOrdinal,
      includeAnchor: true,
      scope: { kind: 'turns' },
    });
    expect(JSON.parse(r.itemsBackwardsCursor!).scope).to.deep.equal({ kind: 'itemsByCreatedAtOrdinal' });
    expect((await readTurns(m, P)).map((t) => t.id)).to.deep.equal(['t1', 't2']);
    expect(await left(revertThread(m.ports, { threadId: P, beforeTurnId: 't3' }))).to.deep.include({
      _tag: 'NotFound',
      id: 't3',
    });
    expect(await left(revertThread(m.ports, { threadId: L, beforeTurnId: 't2' }))).to.deep.equal({
      _tag: 'Rejected',
      reason: 'thread/revert only supports paginated threads',
    });
  });

  it('rollback: a legacy marker, cumulative; a paginated revision; N past the start drops all; N < 1 refused', async () => {
    expect(await left(rollbackThread(m.ports, { threadId: L, numTurns: 0 }))).to.deep.equal({
      _tag: 'Rejected',
      reason: 'numTurns must be >= 1',
    });
    const r1 = await right(rollbackThread(m.ports, { threadId: L, numTurns: 1 }));
    expect(r1.thread.turns.map((t) => t.id)).to.deep.equal(['t1', 't2']);
    expect(lines(r1.written!.path).at(-1).payload).to.deep.equal({ type: 'thread_rolled_back', num_turns: 1 });
    const r2 = await right(rollbackThread(m.ports, { threadId: L, numTurns: 1 }));
    expect(r2.thread.turns.map((t) => t.id)).to.deep.equal(['t1']);
    const p = await right(rollbackThread(m.ports, { threadId: P, numTurns: 9 }));
    expect(p.thread.turns).to.deep.equal([]);
    expect(nodePath.basename(p.written!.path)).to.include(`${P}_`);
    const none = await right(rollbackThread(m.ports, { threadId: P, numTurns: 1 }));
    expect(none.written).to.equal(null);
  });

  it('review: inline appends the entered-review item; detached forks a review thread; an empty prompt is refused', async () => {
    expect(
      await left(
        startReview(m.ports, { threadId: RUNNING, target: { type: 'custom', instructions: '  ' }, delivery: 'inline' }),
      ),
    ).to.deep.equal({
      _tag: 'Rejected',
      reason: 'Review prompt cannot be empty',
    });
    const inline = await right(
      startReview(m.ports, { threadId: RUNNING, target: { type: 'baseBranch', branch: 'main' }, delivery: 'inline' }),
    );
    const last = lines(inline.written.path).at(-1);
    expect(last.payload.item).to.deep.include({
      type: 'EnteredReviewMode',
      target: { type: 'baseBranch', branch: 'main' },
      user_facing_hint: "changes against 'main'",
    });
    expect(last.ordinal).to.equal(lines(inline.written.path).at(-2).ordinal + 1);
    expect(inline.turn.items[0]).to.deep.include({ type: 'userMessage', id: inline.turn.id });
    const detached = await right(
      startReview(m.ports, {
        threadId: RUNNING,
        target: { type: 'commit', sha: '0123456789abcdef', title: 'Fix it' },
        delivery: 'detached',
      }),
    );
    const meta = lines(detached.written.path)[0].payload;
    expect(meta).to.include({
      parent_thread_id: RUNNING,
      session_id: RUNNING,
      thread_source: 'subagent',
      multi_agent_version: 'disabled',
    });
    expect(meta.source).to.deep.equal({ subagent: 'review' });
    const turns = await readTurns(m, detached.reviewThreadId);
    expect(turns.at(-1)!.items).to.deep.include.members([
      {
        type: 'enteredReviewMode',
        id: turns.at(-1)!.items[0]!.id,
        review: 'commit 0123456: Fix it',
        startedAtMs: turns.at(-1)!.items[0]!.startedAtMs,
        completedAtMs: turns.at(-1)!.items[0]!.completedAtMs,
      },
    ]);
  });

  it('token usage: the last token_count, named after its turn; inherited through a revision, not through a reference fork', async () => {
    const T = 'cccccccc-0000-7000-8000-000000000004';
    writeRollout(dir(), rolloutName(T), chatThread('paginated', T, 3, 'k').text());
    const root = await right(readTokenUsage(m.ports, { threadId: T }));
    expect(root).to.deep.include({ threadId: T, turnId: 'k3' });
    expect(root!.tokenUsage.total.totalTokens).to.equal(100);
    const f = await right(forkThread(m.ports, { threadId: T, lastTurnId: 'k2' }));
    expect(f.tokenUsage).to.deep.include({ threadId: f.thread.id, turnId: 'k2' });
    expect(await right(readTokenUsage(m.ports, { threadId: f.thread.id }))).to.equal(null);
    await right(revertThread(m.ports, { threadId: T, beforeTurnId: 'k3' }));
    expect(await right(readTokenUsage(m.ports, { threadId: T }))).to.deep.include({ turnId: 'k2' });
  });
});
