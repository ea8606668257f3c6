import { expect } from 'chai';
import { RolloutWriter } from '../../fixtures/rolloutLines.js';
import { foldLines } from '../../fixtures/foldLines.js';
import type { HistoryMode } from '../../../domain/rollout/historyMode.js';

// The kinds the compat suite cannot make the binary write here, built from the exact shapes in
// codex-rs's own tests: the legacy `image_generation_end` of rollout/src/policy.rs
// (`persists_image_generation_end_events_in_limited_mode`), the `ImageGeneration` item of
// protocol/src/items.rs, and the `FunctionCallOutput` item of rollout/src/persistence tests
// (`persisted_function_call_output_replaces_inline_media_in_both_history_modes`). Sub-agent
// activity is compared with the binary (rich scenario); its legacy shapes are checked here too.
const MODES: readonly HistoryMode[] = ['paginated', 'legacy'];

const userTurn = (w: RolloutWriter, turnId: string, text: string): RolloutWriter => {
  w.taskStarted(turnId);
  if (w.mode === 'paginated')
    return w.item(turnId, { type: 'UserMessage', id: `u-${turnId}`, content: w.userText(text) });
  return w.push('event_msg', { type: 'user_message', message: text, images: [], local_images: [], text_elements: [] });
};

const FUNCTION_OUTPUT = {
  type: 'FunctionCallOutput',
  id: 'function-1',
  name: 'view_image',
  namespace: 'functions',
  output: [
    { type: 'input_text', text: 'kept' },
    { type: 'input_text', text: '[inline tool image omitted from persisted history]' },
    { type: 'input_text', text: '[inline tool audio omitted from persisted history]' },
    { type: 'encrypted_content', encrypted_content: 'kept encrypted' },
  ],
};

describe('sub-agent activity, image generation and function call output items', () => {
  it('renders a legacy image_generation_end as an imageGeneration item of the open turn, keyed by its call id', () => {
    const w = new RolloutWriter('legacy', 'L').sessionMeta();
    userTurn(w, 't1', 'Draw it.');
    w.push('event_msg', {
      type: 'image_generation_end',
      call_id: 'ig_123',
      status: 'completed',
      revised_prompt: 'final prompt',
      result: 'Zm9v',
      saved_path: null,
    });
    w.taskComplete('t1');
    const [turn] = foldLines('legacy', w.lines);
    expect(turn!.items.map((i) => i.id)).to.deep.equal(['item-1', 'ig_123']);
    // Key order as 0.169.0 answers a legacy read (measured; the compat suite compares it too).
    expect(Object.entries(turn!.items[1]!)).to.deep.equal(
      Object.entries({
        type: 'imageGeneration',
        id: 'ig_123',
        status: 'completed',
        revisedPrompt: 'final prompt',
        result: 'Zm9v',
        transparentBackground: null,
        failure: null,
        generationId: null,
        startedAtMs: null,
        completedAtMs: null,
      }),
    );
  });

  it('renders a paginated ImageGeneration item with its saved path, leaving out what Codex leaves out', () => {
    const w = new RolloutWriter('paginated', 'P').sessionMeta();
    userTurn(w, 't1', 'Draw it.');
    w.item('t1', {
      type: 'ImageGeneration',
      id: 'ig_1',
      status: 'completed',
      revised_prompt: 'prompt',
      result: '',
      saved_path: '/tmp/./image-1.png',
    });
    // Fields items.rs ImageGenerationItem does not have (camelCase, the legacy event's) are ignored,
    // and a line without `result` is dropped (0.169.0, measured: compat passThroughFields).
    w.item('t1', {
      type: 'ImageGeneration',
      id: 'ig_2',
      status: 'completed',
      result: 'r',
      fileId: 'file_9',
      transparentBackground: true,
      generation_id: 'gen_2',
    });
    w.item('t1', { type: 'ImageGeneration', id: 'ig_3', status: 'completed', fileId: 'file_9' });
    w.taskComplete('t1');
    const [turn] = foldLines('paginated', w.lines);
    const [first, second, third] = turn!.items.slice(1);
    expect(Object.keys(first!)).to.deep.equal([
      'type',
      'id',
      'status',
      'revisedPrompt',
      'result',
      'transparentBackground',
      'failure',
      'savedPath',
      'generationId',
      'startedAtMs',
      'completedAtMs',
    ]);
    expect(first).to.deep.include({
      type: 'imageGeneration',
      revisedPrompt: 'prompt',
      savedPath: '/tmp/image-1.png',
      result: '',
      transparentBackground: null,
    });
    expect(second).to.deep.include({
      revisedPrompt: null,
      result: 'r',
      transparentBackground: null,
      generationId: null,
    });
    expect(second).not.to.have.property('fileId');
    expect(third).to.equal(undefined);
  });

  it('shows no item for a paginated item of type Sleep: Codex has no such TurnItem (its sleep is an Extension item, extensionItems.unit)', () => {
    // codex-rs/protocol/src/items.rs: TurnItem has no Sleep variant; the clock's sleep is
    // TurnItem::Extension of kind clock.sleep. An unknown item type is not rendered.
    const w = new RolloutWriter('paginated', 'Z').sessionMeta();
    userTurn(w, 't1', 'Wait.');
    w.item('t1', { type: 'Sleep', id: 's1', duration_ms: 50 }).item('t1', { type: 'Sleep', id: 's2', durationMs: 60 });
    w.taskComplete('t1');
    const [turn] = foldLines('paginated', w.lines);
    expect(turn!.items.map((i) => i.type)).to.deep.equal(['userMessage']);
  });

  for (const mode of MODES) {
    it(`renders a FunctionCallOutput item_completed line in the turn it names (${mode})`, () => {
      const w = new RolloutWriter(mode, 'F').sessionMeta();
      userTurn(w, 't1', 'Look at it.');
      w.taskComplete('t1');
      // Written after the turn's end, as Codex writes a legacy thread's completions.
      w.item('t1', FUNCTION_OUTPUT);
      const [turn] = foldLines(mode, w.lines);
      expect(turn!.items[1]).to.deep.include({
        type: 'functionCallOutput',
        id: 'function-1',
        name: 'view_image',
        namespace: 'functions',
        output: FUNCTION_OUTPUT.output,
      });
      expect(turn!.items[1]!.completedAtMs).to.be.a('number');
    });
  }

  it('reads a legacy sub_agent_activity into the open turn: its event id, completed when it occurred', () => {
    const w = new RolloutWriter('legacy', 'S').sessionMeta();
    userTurn(w, 't1', 'Spawn a helper.');
    w.push('event_msg', {
      type: 'sub_agent_activity',
      model: 'mock-model',
      reasoning_effort: null,
      event_id: 'call_spawn',
      occurred_at_ms: 1234,
      agent_thread_id: 'child',
      agent_path: '/root/helper',
      kind: 'started',
    });
    w.taskComplete('t1');
    w.item('t1', {
      type: 'SubAgentActivity',
      model: null,
      reasoning_effort: null,
      id: 'subagent-completed-x',
      kind: 'completed',
      agent_thread_id: 'child',
      agent_path: '/root/helper',
    });
    const [turn] = foldLines('legacy', w.lines);
    expect(turn!.items.map((i) => i.id)).to.deep.equal(['item-1', 'call_spawn', 'subagent-completed-x']);
    expect(turn!.items[1]).to.deep.equal({
      type: 'subAgentActivity',
      model: 'mock-model',
      reasoningEffort: null,
      id: 'call_spawn',
      kind: 'started',
      agentThreadId: 'child',
      agentPath: '/root/helper',
      startedAtMs: null,
      completedAtMs: 1234,
    });
    expect(turn!.items[2]!.startedAtMs).to.be.a('number');
  });

  it('takes from legacy item_completed lines only the kinds no legacy event stands for, and no empty plan', () => {
    const w = new RolloutWriter('legacy', 'K').sessionMeta();
    userTurn(w, 't1', 'Plan it.');
    w.item('t1', {
      type: 'AgentMessage',
      id: 'a1',
      content: [{ type: 'Text', text: 'shown by agent_message instead' }],
    });
    w.item('t1', { type: 'Plan', id: 'p0', text: '' });
    w.item('t1', { type: 'Plan', id: 'p1', text: '1. do it' });
    w.taskComplete('t1');
    const [turn] = foldLines('legacy', w.lines);
    expect(turn!.items.map((i) => [i.type, i.id])).to.deep.equal([
      ['userMessage', 'item-1'],
      ['plan', 'p1'],
    ]);
  });
});
