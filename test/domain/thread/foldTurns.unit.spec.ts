import { expect } from 'chai';
import { RolloutWriter } from '../../fixtures/rolloutLines.js';
import { foldLines } from '../../fixtures/foldLines.js';

describe('foldTurns (paginated)', () => {
  it('builds ordered turns with items, times and statuses', () => {
    const w = new RolloutWriter('paginated', 'T').sessionMeta();
    w.chatTurn('t1', 'hello', 'hi there');
    w.taskStarted('t2').item('t2', { type: 'UserMessage', id: 'u2', content: w.userText('boom') });
    w.taskComplete('t2', {
      message: 'We’re currently experiencing high demand',
      codex_error_info: 'internal_server_error',
    });
    w.taskStarted('t3')
      .item('t3', { type: 'UserMessage', id: 'u3', content: w.userText('stop') })
      .turnAborted('t3');
    const turns = foldLines('paginated', w.lines);
    expect(turns.map((t) => [t.id, t.status])).to.deep.equal([
      ['t1', 'completed'],
      ['t2', 'failed'],
      ['t3', 'interrupted'],
    ]);
    expect(turns[0]!.items.map((i) => i.type)).to.deep.equal(['userMessage', 'reasoning', 'agentMessage']);
    expect(turns[0]!.items[2]).to.include({ type: 'agentMessage', id: 'msg-t1', text: 'hi there', phase: null });
    expect(turns[0]!.items[0]!.startedAtMs).to.be.a('number');
    expect(turns[1]!.error).to.deep.equal({
      message: 'We’re currently experiencing high demand',
      codexErrorInfo: 'internalServerError',
      additionalDetails: null,
      misalignment: null,
    });
    expect(turns[2]!.error).to.equal(null);
    expect(turns[2]!.durationMs).to.equal(400);
  });

  it('positions a review turn without task_started at its task_complete, after the leaked phantom turn', () => {
    const w = new RolloutWriter('paginated', 'P').sessionMeta();
    w.chatTurn('t1', 'q', 'a');
    w.item('rev', { type: 'EnteredReviewMode', id: 'e1', target: { type: 'custom' }, user_facing_hint: 'Review it.' });
    w.taskStarted('child', 'rev').item(
      'child',
      { type: 'UserMessage', id: 'cu', content: w.userText('Review it.') },
      'CHILD',
    );
    w.item('rev', {
      type: 'ExitedReviewMode',
      id: 'x1',
      review_output: {
        findings: [],
        overall_correctness: 'ok',
        overall_explanation: 'Fine.',
        overall_confidence_score: 0.9,
      },
    });
    w.item('rev', { type: 'AgentMessage', id: 'am', content: [{ type: 'Text', text: 'Fine.' }] });
    w.taskComplete('rev');
    const turns = foldLines('paginated', w.lines);
    expect(turns.map((t) => [t.id, t.rootTurnId, t.status])).to.deep.equal([
      ['t1', 't1', 'completed'],
      ['child', 'rev', 'interrupted'],
      ['rev', 'rev', 'completed'],
    ]);
    expect(turns[2]!.items.map((i) => [i.type, 'review' in i ? i.review : i.id])).to.deep.equal([
      ['enteredReviewMode', 'Review it.'],
      ['exitedReviewMode', 'Fine.'],
      ['agentMessage', 'am'],
    ]);
    expect(turns[1]!.completedAt).to.equal(null);
  });

  it('renders command executions like Codex (shell-quoted argv, actions, ms duration, null empty output)', () => {
    const w = new RolloutWriter('paginated', 'C').sessionMeta();
    w.taskStarted('t1').item('t1', {
      type: 'CommandExecution',
      id: 'call_1',
      process_id: '42',
      command: ['/bin/bash', '-lc', "cat 'a b' && ls src"],
      cwd: 'file:///work/project',
      parsed_cmd: [
        { type: 'read', cmd: 'cat a', name: 'a', path: 'a' },
        { type: 'list_files', cmd: 'ls src', path: 'src' },
        { type: 'search', cmd: 'rg x', query: 'x', path: null },
      ],
      source: 'unified_exec_startup',
      status: 'completed',
      aggregated_output: '',
      exit_code: 0,
      duration: { secs: 1, nanos: 250_999_999 },
    });
    w.taskComplete('t1');
    const [turn] = foldLines('paginated', w.lines);
    expect(turn!.items[0]).to.deep.include({
      type: 'commandExecution',
      command: `/bin/bash -lc "cat 'a b' && ls src"`,
      cwd: '/work/project',
      processId: '42',
      source: 'unifiedExecStartup',
      aggregatedOutput: null,
      exitCode: 0,
      durationMs: 1250,
    });
    expect((turn!.items[0] as { commandActions: unknown }).commandActions).to.deep.equal([
      { type: 'read', command: 'cat a', name: 'a', path: '/work/project/a' },
      { type: 'listFiles', command: 'ls src', path: 'src' },
      { type: 'search', command: 'rg x', query: 'x', path: null },
    ]);
  });

  it('replaces an item completed twice in place', () => {
    const w = new RolloutWriter('paginated', 'R').sessionMeta();
    w.taskStarted('t1');
    w.item('t1', { type: 'AgentMessage', id: 'm', content: [{ type: 'Text', text: 'draft' }] });
    w.item('t1', { type: 'UserMessage', id: 'u', content: w.userText('x') });
    w.item('t1', { type: 'AgentMessage', id: 'm', content: [{ type: 'Text', text: 'final' }] });
    w.taskComplete('t1');
    const [turn] = foldLines('paginated', w.lines);
    expect(turn!.items.map((i) => ('text' in i ? i.text : i.id))).to.deep.equal(['final', 'u']);
  });

  it('reports a known kind with a broken payload instead of dropping it silently', async () => {
    const { emptyTurnFold, foldTurnEvent } = await import('../../../domain/thread/foldTurns.js');
    const { classifyRolloutLine } = await import('../../../domain/rollout/event.js');
    const { makeRolloutLine } = await import('../../../domain/rollout/line.js');
    const s = emptyTurnFold('paginated');
    const line = makeRolloutLine({
      timestamp: 't',
      ordinal: 1,
      type: 'event_msg',
      payload: { type: 'task_started', turn_id: 7 },
    });
    foldTurnEvent(s, classifyRolloutLine(line), {
      rolloutId: 'r',
      line: 1,
      byteOffset: 10,
      byteLength: 5,
      ordinal: 1,
      seq: 1,
    });
    expect(s.invalid).to.have.length(1);
    expect(s.invalid[0]!.reason).to.match(/event_msg\/task_started: turn_id: expected string/);
  });
});

describe('foldTurns (legacy)', () => {
  it("copies an agent message's questions, and shows no item for one with a moderation (0.169.0, measured)", () => {
    const w = new RolloutWriter('legacy', 'Q').sessionMeta();
    w.taskStarted('t1').push('event_msg', {
      type: 'user_message',
      message: 'one',
      images: [],
      local_images: [],
      text_elements: [],
    });
    w.push('event_msg', {
      type: 'agent_message',
      message: 'asked',
      questions: [{ title: 'Which?', options: ['a'] }, { title: 'Else?' }],
    });
    w.push('event_msg', {
      type: 'agent_message',
      message: 'moderated',
      moderation: { moderated: false, display: null },
    });
    w.push('event_msg', { type: 'agent_message', message: 'plain', moderation: null }).taskComplete('t1');
    const [turn] = foldLines('legacy', w.lines);
    expect(turn!.items.map((i) => [i.id, i.type === 'agentMessage' ? i.text : i.type])).to.deep.equal([
      ['item-1', 'userMessage'],
      ['item-2', 'asked'],
      ['item-3', 'plain'],
    ]);
    expect(turn!.items[1]).to.deep.include({
      moderation: null,
      questions: [
        { title: 'Which?', options: ['a'] },
        { title: 'Else?', options: null },
      ],
    });
  });

  it('numbers items item-N across the whole thread and merges consecutive reasoning', () => {
    const w = new RolloutWriter('legacy', 'L').sessionMeta();
    w.chatTurn('t1', 'one', 'A1');
    w.taskStarted('t2').push('event_msg', {
      type: 'user_message',
      message: 'two',
      images: [],
      local_images: [],
      text_elements: [],
    });
    w.push('event_msg', { type: 'agent_reasoning', text: 'r1' }).push('event_msg', {
      type: 'agent_reasoning',
      text: 'r2',
    });
    w.push('event_msg', { type: 'agent_message', message: 'A2' }).taskComplete('t2');
    const turns = foldLines('legacy', w.lines);
    expect(turns.map((t) => t.items.map((i) => i.id))).to.deep.equal([
      ['item-1', 'item-2', 'item-3'],
      ['item-4', 'item-5', 'item-6'],
    ]);
    expect(turns[1]!.items[1]).to.deep.equal({
      type: 'reasoning',
      id: 'item-5',
      summary: ['r1', 'r2'],
      content: [],
      startedAtMs: null,
      completedAtMs: null,
    });
    expect(turns[0]!.items[0]).to.deep.equal({
      type: 'userMessage',
      id: 'item-1',
      clientId: null,
      content: [{ type: 'text', text: 'one', text_elements: [] }],
      startedAtMs: null,
      completedAtMs: null,
    });
  });

  it('puts a legacy review turn before its phantom turn and routes review items by turn id', () => {
    const w = new RolloutWriter('legacy', 'LR').sessionMeta();
    w.push('event_msg', {
      type: 'entered_review_mode',
      target: { type: 'uncommittedChanges' },
      user_facing_hint: 'current changes',
      turn_id: 'rev',
      item_id: 'e-id',
    });
    w.taskStarted('child', 'rev');
    w.push('event_msg', {
      type: 'user_message',
      message: 'Review the current code changes',
      images: [],
      local_images: [],
      text_elements: [],
    });
    w.push('event_msg', {
      type: 'exited_review_mode',
      turn_id: 'rev',
      item_id: 'x-id',
      review_output: {
        findings: [
          {
            title: '[P2] A',
            body: 'b1',
            code_location: { absolute_file_path: '/p/f.ts', line_range: { start: 1, end: 2 } },
          },
          {
            title: '[P1] B',
            body: 'b2\nmore',
            code_location: { absolute_file_path: '/p/g.ts', line_range: { start: 3, end: 3 } },
          },
        ],
        overall_explanation: '  Two issues.  ',
      },
    });
    w.push('event_msg', { type: 'agent_message', message: 'done' }).taskComplete('rev');
    const turns = foldLines('legacy', w.lines);
    expect(turns.map((t) => [t.id, t.status])).to.deep.equal([
      ['rev', 'completed'],
      ['child', 'interrupted'],
    ]);
    expect(turns[0]!.items.map((i) => i.id)).to.deep.equal(['e-id', 'x-id']);
    expect((turns[0]!.items[1] as { review: string }).review).to.equal(
      'Two issues.\n\nFull review comments:\n\n- [P2] A — /p/f.ts:1-2\n  b1\n\n- [P1] B — /p/g.ts:3-3\n  b2\n  more',
    );
    expect(turns[1]!.items.map((i) => i.type)).to.deep.equal(['userMessage', 'agentMessage']);
  });

  it('applies thread_rolled_back cumulatively and reuses item-N ids after it', () => {
    const w = new RolloutWriter('legacy', 'RB').sessionMeta();
    w.chatTurn('t1', 'one', 'A1').chatTurn('t2', 'two', 'A2').chatTurn('t3', 'three', 'A3');
    w.push('event_msg', { type: 'thread_rolled_back', num_turns: 1 });
    w.push('event_msg', { type: 'thread_rolled_back', num_turns: 1 });
    w.chatTurn('t4', 'four', 'A4');
    const turns = foldLines('legacy', w.lines);
    expect(turns.map((t) => t.id)).to.deep.equal(['t1', 't4']);
    expect(turns[1]!.items.map((i) => i.id)).to.deep.equal(['item-4', 'item-5', 'item-6']);
  });

  it('a thread_rolled_back line in a paginated thread drops no turn (Codex 0.169.0 shows them; the differential fuzzer found it)', () => {
    const w = new RolloutWriter('paginated', 'RBP').sessionMeta();
    w.chatTurn('t1', 'one', 'A1').chatTurn('t2', 'two', 'A2');
    w.push('event_msg', { type: 'thread_rolled_back', num_turns: 1 });
    expect(foldLines('paginated', w.lines).map((t) => t.id)).to.deep.equal(['t1', 't2']);
  });

  it('a rollback larger than the history clears every turn, and an out-of-turn error fails nothing', () => {
    const w = new RolloutWriter('legacy', 'RB2').sessionMeta();
    w.chatTurn('t1', 'one', 'A1');
    w.push('event_msg', { type: 'error', message: 'nope' });
    w.push('event_msg', { type: 'thread_rolled_back', num_turns: 99 });
    expect(foldLines('legacy', w.lines)).to.deep.equal([]);
  });

  it('a turn_aborted naming another turn interrupts the open one, stamping its times only on an implicit turn (0.169.0, measured: fuzzer 20261160:201:3)', () => {
    const w = new RolloutWriter('legacy', 'AB').sessionMeta();
    // Opened by its task_started: interrupted, its times left as they were.
    w.taskStarted('t1').push('event_msg', { type: 'user_message', message: 'x' });
    w.turnAborted('elsewhere');
    // Implicit (a user message opens it): the abort's times.
    w.push('event_msg', { type: 'user_message', message: 'y' });
    w.turnAborted('elsewhere');
    // Naming no turn at all: the open turn takes the abort's times.
    w.taskStarted('t3').push('event_msg', { type: 'user_message', message: 'z' });
    w.push('event_msg', { type: 'turn_aborted', reason: 'interrupted', completed_at: 1795269720, duration_ms: 7 });
    const turns = foldLines('legacy', w.lines);
    expect(turns.map((t) => [t.status, t.completedAt, t.durationMs])).to.deep.equal([
      ['interrupted', null, null],
      ['interrupted', turns[1]!.completedAt, 400],
      ['interrupted', 1795269720, 7],
    ]);
    expect(turns[1]!.completedAt).to.be.a('number');
  });

  it('an error event fails no turn: the turn ends as its task_complete says (Codex does not read the line back, policy.rs)', () => {
    const w = new RolloutWriter('legacy', 'E').sessionMeta();
    w.taskStarted('t1').push('event_msg', { type: 'user_message', message: 'x' });
    w.push('event_msg', { type: 'error', message: 'rollback refused', codex_error_info: 'thread_rollback_failed' });
    w.push('event_msg', {
      type: 'error',
      message: 'stream broke',
      codex_error_info: { response_stream_disconnected: { http_status_code: 502 } },
    });
    w.taskComplete('t1');
    w.taskStarted('t2').push('event_msg', { type: 'user_message', message: 'y' });
    w.push('event_msg', { type: 'error', message: 'stream broke' });
    w.turnAborted('t2');
    const [done, aborted] = foldLines('legacy', w.lines);
    expect([done!.status, done!.error]).to.deep.equal(['completed', null]);
    expect([aborted!.status, aborted!.error]).to.deep.equal(['interrupted', null]);
  });
});
