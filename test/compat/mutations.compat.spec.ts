// The engine mutates homes real Codex wrote (fork, revert, rollback, review); a fresh real
// `codex app-server` on the result must read every changed or new thread exactly as we do
// (thread/read, every turns page, every items page, the replayed token usage), continue the
// threads we forked or reverted (thread/resume + turn/start against the mock model), and still
// agree with us afterwards.
import { expect } from 'chai';
import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { appendEvents } from '../../adapters/driven/jsonl/writers/writer.js';
import type { ColdCodex } from './compatHomes.js';
import {
  codexViews,
  engine,
  engineRefusal,
  engineValue,
  engineViews,
  freshRoot,
  openEngineServer,
  openFreshCodex,
  viewDifferences,
} from './mutationHarness.js';
import { buildCompatHomes } from './scenarios.js';
import type { CompatHome } from './scenarios.js';

const lines = (path: string): any[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

describe('compat: mutations written by the engine, read and continued by codex app-server 0.169.0', function () {
  this.timeout(180_000);
  let root: string;
  let homes: CompatHome[];
  const home = (key: string): CompatHome => homes.find((h) => h.key === key)!;
  const threadOf = (h: CompatHome, label: string): string => h.threads.find((t) => t.label === label)!.id;
  const turnIds = async (h: CompatHome, threadId: string): Promise<string[]> =>
    ((await engineValue(h, 'read', threadId)).turns as Array<{ id: string }>).map((t) => t.id);

  before(async function () {
    this.timeout(300_000);
    root = freshRoot();
    homes = await buildCompatHomes(root, { scenarios: ['chat', 'fork', 'revert', 'review'], concurrency: 2 });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /**
   * A fresh Codex on `h`: every thread in `check` reads like ours; then each in `continued` gets a
   * turn from Codex, and all of them still read like ours.
   */
  async function agreeWithCodex(
    h: CompatHome,
    check: ReadonlyArray<string>,
    continued: ReadonlyArray<string> = [],
  ): Promise<void> {
    const problems: string[] = [];
    const compare = async (when: string) => {
      const codex = await openFreshCodex(h);
      const ours = await openEngineServer(h);
      try {
        for (const id of check) {
          const ourViews = await engineViews(ours, id);
          const d = viewDifferences(
            `${h.key} ${when} ${id}`,
            await codexViews(codex.server, id, ourViews.tokenUsage !== null),
            ourViews,
          );
          if (d !== '') problems.push(d);
        }
        for (const id of when === 'after our mutation' ? continued : []) {
          const turn = await codex.server.runTurn(id, `Codex continues ${id.slice(-4)}.`);
          expect(turn.status, `codex turn on ${id}`).to.equal('completed');
        }
      } finally {
        await ours.close();
        await codex.stop();
      }
    };
    await compare('after our mutation');
    if (continued.length > 0) await compare('after codex continued');
    expect(problems, problems.join('\n')).to.deep.equal([]);
  }

  it('fork, paginated: reference forks (whole, lastTurnId, beforeTurnId, fork of a fork, by path) in O(1) lines', async () => {
    const h = home('fork-paginated');
    const source = threadOf(h, 'source');
    const [t1, t2, t3] = await turnIds(h, source);
    const whole = await engineValue(h, 'fork', source, '--exclude-turns');
    const last2 = await engineValue(h, 'fork', source, '--last-turn-id', t2!);
    const before3 = await engineValue(h, 'fork', source, '--before-turn-id', t3!, '--exclude-turns');
    const ofFork = await engineValue(h, 'fork', last2.thread.id, '--exclude-turns');
    const sourceFile = (await engineValue(h, 'read', source)).path as string;
    const byPath = await engineValue(h, 'fork', '--path', sourceFile, '--last-turn-id', t1!, '--exclude-turns');

    for (const f of [whole, last2, before3, ofFork, byPath]) {
      const file = lines(f.thread.path);
      expect(
        file.map((l) => l.type),
        f.thread.path,
      ).to.deep.equal(['session_meta', 'event_msg']);
      const meta = file[0].payload;
      expect(meta.id).to.equal(f.thread.id);
      expect(meta.session_id).to.equal(f.thread.id);
      expect(meta.history_base.end_ordinal_exclusive).to.equal(file[0].ordinal);
      expect(meta.forked_from_ordinal_exclusive).to.equal(file[0].ordinal);
      expect(file[1].ordinal).to.equal(file[0].ordinal + 1);
      expect(file[1].payload.thread_id).to.equal(f.thread.id);
    }
    expect(lines(ofFork.thread.path)[0].payload.history_base.thread_id, 'fork of a fork points at the fork').to.equal(
      last2.thread.id,
    );
    expect(last2.thread.turns.map((t: { id: string }) => t.id)).to.deep.equal([t1, t2]);
    // lastTurnId T2 and beforeTurnId T3 cut at the same place.
    expect(lines(last2.thread.path)[0].payload.history_base).to.deep.equal(
      lines(before3.thread.path)[0].payload.history_base,
    );

    expect(await engineRefusal(h, 'fork', source, '--last-turn-id', 'no-such-turn')).to.include(
      'turn not found: no-such-turn',
    );
    expect(
      await engineRefusal(h, 'fork', '--path', `${h.codexHome}/sessions/../../work/${basename(sourceFile)}`),
    ).to.include('".."');
    const link = join(
      dirname(sourceFile),
      `rollout-2020-01-01T00-00-00-${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}.jsonl`,
    );
    symlinkSync(join(h.codexHome, '..', 'work'), link);
    expect(await engineRefusal(h, 'fork', '--path', link)).to.include('not a rollout file of this CODEX_HOME');
    rmSync(link);

    await agreeWithCodex(
      h,
      [whole, last2, before3, ofFork, byPath].map((f) => f.thread.id),
      [last2.thread.id, ofFork.thread.id],
    );
  });

  it('fork, legacy: a copy of the history up to the cut, as Codex makes it', async () => {
    const h = home('fork-legacy');
    const source = threadOf(h, 'source');
    const [t1] = await turnIds(h, source);
    const f = await engineValue(h, 'fork', source, '--last-turn-id', t1!);
    const file = lines(f.thread.path);
    const src = lines((await engineValue(h, 'read', source)).path);
    expect(file[0].payload.forked_from_id).to.equal(source);
    expect(file[0].payload).to.not.have.property('history_base');
    expect(file[1].payload.id, 'the source session_meta is copied second').to.equal(source);
    expect(file[1].payload.multi_agent_version).to.equal('v1');
    const copied = file.slice(2, -1);
    const strip = (l: any) => JSON.stringify({ ...l, timestamp: '' });
    expect(copied.map(strip)).to.deep.equal(src.slice(1, copied.length + 1).map(strip));
    expect(file[file.length - 1].payload.type).to.equal('thread_settings_applied');
    expect(f.thread.turns.map((t: { id: string }) => t.id)).to.deep.equal([t1]);
    await agreeWithCodex(h, [f.thread.id], [f.thread.id]);
  });

  it("revert: a revision file Codex follows, with backwards cursors; legacy refused with Codex's words", async () => {
    const h = home('revert-paginated');
    const main = threadOf(h, 'main');
    const before = await turnIds(h, main);
    const dropped = before[before.length - 1]!;
    const r = await engineValue(h, 'revert', main, '--before-turn-id', dropped);
    expect(basename(r.written.path)).to.match(
      new RegExp(`^rollout-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}-${main}_[0-9a-f-]{36}\\.jsonl$`),
    );
    const file = lines(r.written.path);
    expect(file[0].payload.id).to.equal(main);
    expect(file[0].payload.history_base.end_ordinal_exclusive).to.equal(file[0].ordinal);
    expect(r.thread.turns).to.deep.equal([]);
    expect(r.thread.path).to.equal(r.written.path);
    expect(await turnIds(h, main)).to.deep.equal(before.slice(0, -1));
    expect(await engineRefusal(h, 'revert', main, '--before-turn-id', dropped)).to.include(
      `turn not found: ${dropped}`,
    );

    let codex: ColdCodex | undefined;
    try {
      codex = await openFreshCodex(h);
      await codex.server.request('thread/resume', { threadId: main, excludeTurns: true });
      const turns = await codex.server.typed.request('thread/turns/list', {
        threadId: main,
        sortDirection: 'desc',
        limit: 1,
        itemsView: 'notLoaded',
      });
      const items = await codex.server.typed.request('thread/items/list', {
        threadId: main,
        sortDirection: 'desc',
        limit: 1,
      });
      expect(r.turnsBackwardsCursor).to.equal(turns.backwardsCursor);
      expect(r.itemsBackwardsCursor).to.equal(items.backwardsCursor);
    } finally {
      await codex?.stop();
    }
    await agreeWithCodex(h, [main], [main]);

    const legacy = home('revert-legacy');
    const lmain = threadOf(legacy, 'main');
    const codexSaid = legacy.refusals.find((x) => x.label === 'revert-legacy')!;
    expect(codexSaid.message).to.equal('thread/revert only supports paginated threads');
    expect(
      await engineRefusal(legacy, 'revert', lmain, '--before-turn-id', (await turnIds(legacy, lmain))[1]!),
    ).to.include(codexSaid.message);
  });

  it('rollback: the legacy marker and the paginated revision both read like Codex', async () => {
    const legacy = home('chat-legacy');
    const lmain = threadOf(legacy, 'main');
    const lbefore = await turnIds(legacy, lmain);
    const lr = await engineValue(legacy, 'rollback', lmain, '--num-turns', '2');
    expect(lr.thread.turns.map((t: { id: string }) => t.id)).to.deep.equal(lbefore.slice(0, -2));
    const tail = lines(lr.written.path).pop();
    expect(tail.payload).to.deep.equal({ type: 'thread_rolled_back', num_turns: 2 });
    expect(tail).to.not.have.property('ordinal');
    expect(await engineRefusal(legacy, 'rollback', lmain, '--num-turns', '0')).to.include('numTurns must be >= 1');
    await agreeWithCodex(legacy, [lmain]);

    const paginated = home('chat-paginated');
    const pmain = threadOf(paginated, 'main');
    const pbefore = await turnIds(paginated, pmain);
    const pr = await engineValue(paginated, 'rollback', pmain, '--num-turns', '1');
    expect(pr.thread.turns.map((t: { id: string }) => t.id)).to.deep.equal(pbefore.slice(0, -1));
    expect(basename(pr.written.path)).to.include(`${pmain}_`);
    await agreeWithCodex(paginated, [pmain], [pmain]);
  });

  for (const mode of ['paginated', 'legacy'] as const) {
    it(`review, ${mode}: inline (its result appended later) and detached, in a new review thread`, async () => {
      const h = home(`review-${mode}`);
      const main = threadOf(h, 'main');
      const inline = await engineValue(h, 'review', main, '--custom', 'Review the README.');
      expect(inline.reviewThreadId).to.equal(main);
      expect(inline.turn).to.include({ id: inline.turn.id, status: 'inProgress', itemsView: 'notLoaded' });
      expect(inline.turn.items[0].content[0].text).to.equal('Review the README.');
      // The review's result arrives later, as Codex writes it (here straight through the writer).
      const ms = Date.now();
      const now = new Date(ms).toISOString();
      const T = inline.turn.id;
      const output = {
        findings: [],
        overall_correctness: 'patch is correct',
        overall_explanation: 'Looks fine.',
        overall_confidence_score: 0.9,
      };
      const result =
        mode === 'paginated'
          ? [
              {
                type: 'item_completed',
                thread_id: main,
                turn_id: T,
                item: { type: 'ExitedReviewMode', id: `${T.slice(0, -4)}e0e0`, review_output: output },
                started_at_ms: ms,
                completed_at_ms: ms,
              },
              {
                type: 'item_completed',
                thread_id: main,
                turn_id: T,
                item: { type: 'AgentMessage', id: `msg_${T}`, content: [{ type: 'Text', text: 'Looks fine.' }] },
                started_at_ms: ms,
                completed_at_ms: ms,
              },
              {
                type: 'task_complete',
                root_turn_id: T,
                turn_id: T,
                last_agent_message: null,
                started_at: Math.floor(ms / 1000),
                completed_at: Math.floor(ms / 1000),
                duration_ms: 1,
              },
            ]
          : [
              { type: 'exited_review_mode', turn_id: T, item_id: `${T.slice(0, -4)}e0e0`, review_output: output },
              { type: 'agent_message', message: 'Looks fine.', phase: null, memory_citation: null },
              {
                type: 'task_complete',
                turn_id: T,
                last_agent_message: null,
                started_at: Math.floor(ms / 1000),
                completed_at: Math.floor(ms / 1000),
                duration_ms: 1,
              },
            ];
      const appended = await appendEvents(
        inline.written.path,
        result.map((payload) => ({ timestamp: now, type: 'event_msg', payload })),
        'any',
        { historyMode: mode },
      )();
      expect(appended._tag).to.equal('Right');
      const detached = await engineValue(h, 'review', main, '--uncommitted', '--delivery', 'detached');
      expect(detached.reviewThreadId).to.not.equal(main);
      const meta = lines(detached.written.path)[0].payload;
      expect(meta).to.include({ parent_thread_id: main, forked_from_id: main, session_id: main });
      expect(meta.thread_source).to.equal(mode === 'paginated' ? 'subagent' : undefined);
      expect(meta.source).to.deep.equal({ subagent: 'review' });
      const read = await engine(h, 'read', detached.reviewThreadId);
      expect(read.ok && (read.value as any).turns.at(-1).items[0]).to.include({
        type: 'enteredReviewMode',
        review: 'current changes',
      });
      await agreeWithCodex(h, [main, detached.reviewThreadId]);
    });
  }
});
