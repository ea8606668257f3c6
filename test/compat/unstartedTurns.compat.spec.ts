// Issue 69, a paginated turn Codex never started: hand-written paginated threads (RolloutWriter, in
// 0.169.0's format) where an `item_completed`, a `task_complete` or a `turn_aborted` names a turn no
// `task_started` opened (another turn's id, or its own whose `task_started` Codex's serde refuses),
// beside a review turn as Codex writes one (no `task_started`: its `EnteredReviewMode` item opens it,
// as in the review scenario's home). A cold Codex projects each thread (thread/resume, as when it
// writes one), then it and ours are asked every history read (historyComparison.ts: thread/read with
// turns, thread/turns/list and its cursors, thread/items/list and /read), and the turn never started
// by its own id. Codex's answers are the oracle. The rule: domain/thread/turnRules.ts (itemCompleted).
import { expect } from 'chai';
import { writeDatedRollout } from '../fixtures/legacyRollout.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { compatCodexVersion } from './appServer.js';
import { compareHome } from './historyComparison.js';
import type { Step } from './historyComparison.js';
import { useProjectedHome } from './mutationHarness.js';
import type { WrittenFile } from './mutationHarness.js';

const idOf = (n: number): string => `019a0000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const START_MS = Date.UTC(2026, 10, 20, 9, 0, 0);
/** The turn id no `task_started` names. */
const NEVER = 'turn-never-started';

interface Case {
  readonly label: string;
  /** The thread's lines after its meta. */
  readonly write: (w: RolloutWriter) => void;
}

/** A turn_context as Codex 0.169.0 writes one (every field its `TurnContextItem` requires: test/fuzz/fuzzHome.ts). */
const context = (w: RolloutWriter, turnId: string): RolloutWriter =>
  w.push('turn_context', {
    turn_id: turnId,
    root_turn_id: turnId,
    disabled_plugin_ids: [],
    cwd: '/work/project',
    approval_policy: 'never',
    approvals_reviewer: 'user',
    permission_profile: { type: 'disabled' },
    model: 'mock-model',
    collaboration_mode: {
      mode: 'default',
      settings: { model: 'mock-model', reasoning_effort: null, developer_instructions: null },
    },
    multi_agent_version: 'v1',
    realtime_active: false,
    summary: 'none',
    sandbox_policy: { type: 'danger-full-access' },
  });
const user = (w: RolloutWriter, turnId: string, text: string): RolloutWriter =>
  w.responseMessage('user', text).item(turnId, { type: 'UserMessage', id: `u-${turnId}`, content: w.userText(text) });
const answer = (w: RolloutWriter, turnId: string, text: string, itemTurn = turnId): RolloutWriter =>
  w
    .item(itemTurn, { type: 'AgentMessage', id: `msg-${turnId}`, content: [{ type: 'Text', text }] })
    .responseMessage('assistant', text);
/** A turn's start, context and items, not ended. */
const open = (w: RolloutWriter, turnId: string, text: string): RolloutWriter =>
  user(context(w.taskStarted(turnId), turnId), turnId, text);
/** A whole turn: started, its context, the user's message, reasoning, the answer, its end. */
const chat = (w: RolloutWriter, turnId: string, text: string, reply: string): RolloutWriter =>
  answer(
    open(w, turnId, text).item(turnId, {
      type: 'Reasoning',
      id: `rs-${turnId}`,
      summary_text: [`Thinking: ${text}`],
      raw_content: [],
    }),
    turnId,
    reply,
  ).taskComplete(turnId);
/** A review turn as 0.169.0 writes one: no task_started; entered, exited, the answer, its end (the review scenario's lines). */
const review = (w: RolloutWriter, turnId: string): RolloutWriter =>
  w
    .item(turnId, {
      type: 'EnteredReviewMode',
      id: `enter-${turnId}`,
      target: { type: 'custom', instructions: 'Review it.' },
      user_facing_hint: 'Review it.',
    })
    .item(turnId, {
      type: 'ExitedReviewMode',
      id: `exit-${turnId}`,
      review_output: {
        findings: [],
        overall_correctness: 'patch is correct',
        overall_explanation: 'Fine.',
        overall_confidence_score: 0.8,
      },
    })
    .item(turnId, { type: 'AgentMessage', id: `msg-${turnId}`, content: [{ type: 'Text', text: 'Reviewed.' }] })
    .taskComplete(turnId);

/** A task_started of turn NEVER that Codex's serde refuses: ModeKind has no such name. */
const refusedStart = (w: RolloutWriter): RolloutWriter =>
  w.push('event_msg', {
    type: 'task_started',
    turn_id: NEVER,
    started_at: 1795200000,
    model_context_window: 190000,
    collaboration_mode_kind: 'unknown_mode',
  });

const CASES: readonly Case[] = [
  { label: 'control', write: (w) => chat(chat(w, 't1', 'one', 'A1'), 't2', 'two', 'A2') },
  // An item naming a turn never started: while another turn is open, and between turns.
  {
    label: 'item-while-open',
    write: (w) => chat(answer(open(w, 't1', 'one'), 't1', 'A1', NEVER).taskComplete('t1'), 't2', 'two', 'A2'),
  },
  {
    label: 'item-between',
    write: (w) => chat(answer(chat(w, 't1', 'one', 'A1'), 'x', 'stray', NEVER), 't2', 'two', 'A2'),
  },
  // An end naming a turn never started: while another turn is open (that turn's own end never comes), and between turns.
  {
    label: 'complete-while-open',
    write: (w) => chat(answer(open(w, 't1', 'one'), 't1', 'A1').taskComplete(NEVER), 't2', 'two', 'A2'),
  },
  { label: 'complete-between', write: (w) => chat(chat(w, 't1', 'one', 'A1').taskComplete(NEVER), 't2', 'two', 'A2') },
  {
    label: 'aborted-while-open',
    write: (w) => chat(answer(open(w, 't1', 'one'), 't1', 'A1').turnAborted(NEVER), 't2', 'two', 'A2'),
  },
  { label: 'aborted-between', write: (w) => chat(chat(w, 't1', 'one', 'A1').turnAborted(NEVER), 't2', 'two', 'A2') },
  // A turn whose task_started Codex's serde refuses (ModeKind has no such name): its items and end name a turn it never started.
  {
    label: 'start-refused',
    write: (w) => {
      chat(w, 't1', 'one', 'A1');
      refusedStart(w);
      chat(answer(user(context(w, NEVER), NEVER, 'two'), NEVER, 'A2').taskComplete(NEVER), 't3', 'three', 'A3');
    },
  },
  // ... and one that never ends: nothing but its items names it.
  {
    label: 'start-refused-open',
    write: (w) => {
      chat(w, 't1', 'one', 'A1');
      refusedStart(w);
      answer(user(context(w, NEVER), NEVER, 'two'), NEVER, 'A2');
    },
  },
  // Review turns: one alone, one whose items and end come while another turn runs (the review scenario's sub-agent interleave).
  { label: 'review', write: (w) => chat(review(chat(w, 't1', 'one', 'A1'), 'r1'), 't2', 'two', 'A2') },
  {
    label: 'review-interleaved',
    write: (w) => {
      chat(w, 't1', 'one', 'A1').item('r1', {
        type: 'EnteredReviewMode',
        id: 'enter-r1',
        target: { type: 'uncommittedChanges' },
        user_facing_hint: 'current changes',
      });
      answer(open(w, 'sub', 'review this'), 'sub', 'sub answer').taskComplete('sub');
      chat(
        w
          .item('r1', { type: 'AgentMessage', id: 'msg-r1', content: [{ type: 'Text', text: 'Reviewed.' }] })
          .taskComplete('r1'),
        't2',
        'two',
        'A2',
      );
    },
  },
  // A review turn that never ended: its entered item, an answer, no end.
  {
    label: 'review-open',
    write: (w) =>
      chat(
        chat(w, 't1', 'one', 'A1')
          .item('r1', {
            type: 'EnteredReviewMode',
            id: 'enter-r1',
            target: { type: 'uncommittedChanges' },
            user_facing_hint: 'current changes',
          })
          .item('r1', { type: 'AgentMessage', id: 'msg-r1', content: [{ type: 'Text', text: 'Reviewing.' }] }),
        't2',
        'two',
        'A2',
      ),
  },
  // An exited-review item alone names a turn never started, as an entered one does.
  {
    label: 'exited-review-only',
    write: (w) =>
      chat(
        chat(w, 't1', 'one', 'A1')
          .item(NEVER, { type: 'ExitedReviewMode', id: 'exit-x', review_output: null })
          .item(NEVER, { type: 'AgentMessage', id: 'msg-x', content: [{ type: 'Text', text: 'after exit' }] })
          .taskComplete(NEVER),
        't2',
        'two',
        'A2',
      ),
  },
  // A review turn's item before its entered item, and a turn's item before its task_started.
  {
    label: 'review-item-first',
    write: (w) =>
      chat(
        review(
          chat(w, 't1', 'one', 'A1').item('r1', {
            type: 'AgentMessage',
            id: 'early-r1',
            content: [{ type: 'Text', text: 'early' }],
          }),
          'r1',
        ),
        't2',
        'two',
        'A2',
      ),
  },
  {
    label: 'item-before-start',
    write: (w) =>
      chat(
        chat(w, 't1', 'one', 'A1').item('t2', {
          type: 'AgentMessage',
          id: 'early-t2',
          content: [{ type: 'Text', text: 'early' }],
        }),
        't2',
        'two',
        'A2',
      ),
  },
  // A turn already ended, named again: by an end, by a start (with an item), by an abort then a complete.
  {
    label: 'abort-after-complete',
    write: (w) => chat(chat(w, 't1', 'one', 'A1'), 't2', 'two', 'A2').turnAborted('t1'),
  },
  {
    label: 'complete-after-complete',
    write: (w) =>
      chat(chat(w, 't1', 'one', 'A1').wait(5000), 't2', 'two', 'A2').taskComplete('t1', {
        message: 'late failure',
        codex_error_info: null,
      }),
  },
  {
    label: 'complete-after-abort',
    write: (w) =>
      chat(
        answer(open(w, 't1', 'one'), 't1', 'A1')
          .turnAborted('t1')
          .wait(5000)
          .taskComplete('t1'),
        't2',
        'two',
        'A2',
      ),
  },
  // Items after a turn's end: of a started turn ended (above), of one interrupted, of a review turn (made by its end).
  {
    label: 'item-after-abort',
    write: (w) =>
      chat(
        answer(open(w, 't1', 'one'), 't1', 'A1')
          .turnAborted('t1')
          .item('t1', { type: 'AgentMessage', id: 'late-t1', content: [{ type: 'Text', text: 'late' }] }),
        't2',
        'two',
        'A2',
      ),
  },
  {
    label: 'item-after-review',
    write: (w) =>
      chat(
        review(chat(w, 't1', 'one', 'A1'), 'r1').item('r1', {
          type: 'AgentMessage',
          id: 'late-r1',
          content: [{ type: 'Text', text: 'late' }],
        }),
        't2',
        'two',
        'A2',
      ),
  },
  // An end's own times: its started_at another than its start's, or none.
  {
    label: 'end-start-times',
    write: (w) => {
      answer(open(w, 't1', 'one'), 't1', 'A1').push('event_msg', {
        type: 'task_complete',
        turn_id: 't1',
        last_agent_message: null,
        started_at: 1700000000,
        completed_at: 1795300000,
        duration_ms: 7,
      });
      answer(open(w, 't2', 'two'), 't2', 'A2').push('event_msg', {
        type: 'task_complete',
        turn_id: 't2',
        last_agent_message: null,
        completed_at: 1795300001,
        duration_ms: 8,
      });
      answer(open(w, 't3', 'three'), 't3', 'A3').push('event_msg', {
        type: 'turn_aborted',
        turn_id: 't3',
        reason: 'interrupted',
        started_at: 1700000002,
      });
    },
  },
  {
    label: 'start-after-complete',
    write: (w) =>
      chat(
        chat(w, 't1', 'one', 'A1')
          .wait(5000)
          .taskStarted('t1')
          .item('t1', { type: 'AgentMessage', id: 'late-t1', content: [{ type: 'Text', text: 'late' }] }),
        't2',
        'two',
        'A2',
      ),
  },
];

const writeHome = (codexHome: string): WrittenFile[] =>
  CASES.map((c, i) => {
    const id = idOf(i + 1);
    const startMs = START_MS + i * 3_600_000;
    const w = new RolloutWriter('paginated', id, { startMs });
    w.sessionMeta({ model_provider: 'mock' });
    c.write(w);
    const [content, at] = [w.text(), new Date(w.nowMs())];
    return { path: writeDatedRollout(codexHome, id, startMs, content, at), content, at };
  });

/** The turn never started, asked by its id: its items listed and read, asc and desc. */
const neverSteps = (threadId: string): Step[] => [
  { label: 'items of the turn never started', method: 'thread/items/list', params: { threadId, turnId: NEVER } },
  {
    label: 'items of the turn never started desc',
    method: 'thread/items/list',
    params: { threadId, turnId: NEVER, sortDirection: 'desc', limit: 1 },
    walk: 4,
  },
  {
    label: 'items/read of the turn never started',
    method: 'thread/items/read',
    params: { threadId, turnId: NEVER, itemIds: ['msg-t1', 'msg-x', `msg-${NEVER}`, `u-${NEVER}`] },
  },
];

describe(`compat: a paginated turn Codex never started (issue 69) (codex app-server ${compatCodexVersion()})`, function () {
  this.timeout(900_000);
  const home = useProjectedHome(
    writeHome,
    CASES.map((_, i) => idOf(i + 1)),
    'UNSTARTED_KEEP',
  );

  it('items and ends naming a turn never started, and review turns, read as Codex reads them', async () => {
    const comparison = await compareHome(
      { key: 'unstarted', ...home(), threads: CASES.map((c, i) => ({ id: idOf(i + 1), label: c.label })) },
      { extraSteps: (threadId) => neverSteps(threadId) },
    );
    const perCase = CASES.map((c, i) => {
      const t = comparison.byThread.get(idOf(i + 1));
      return `${c.label} ${t?.equal ?? 0}/${t?.compared ?? 0}`;
    });
    process.stderr.write(
      `  turns never started: ${comparison.compared - comparison.problems.length}/${comparison.compared} answers equal (${perCase.join(', ')})\n`,
    );
    expect(comparison.problems, comparison.problems.join('\n')).to.deep.equal([]);
  });
});
