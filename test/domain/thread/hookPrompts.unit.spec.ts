import { expect } from 'chai';
import { foldLines } from '../../fixtures/foldLines.js';
import { hookPromptFragmentsOf, parseHookPromptFragment } from '../../../domain/thread/hookPrompt.js';

// A Stop hook's continuation as Codex 0.169.0 records it (the compat items scenario): a paginated
// `HookPrompt` item with camelCase fragments (codex-rs/protocol/src/items.rs `HookPromptFragment`),
// and in both modes a user-role `<hook_prompt>` model-context message, which a legacy thread shows as
// the hook prompt item (codex-rs app-server-protocol thread_history.rs `handle_response_item`).
const TURN = 'turn-1';
const RUN = 'stop:0:/home/u/.codex/config.toml';
const line = (type: string, payload: Record<string, unknown>): string =>
  JSON.stringify({ timestamp: '2026-11-25T14:11:35.824Z', type, payload });
const prompt = (parts: unknown[], id: string | null = 'msg_hook_1'): string =>
  line('response_item', { type: 'message', ...(id === null ? {} : { id }), role: 'user', content: parts });
const XML = `<hook_prompt hook_run_id="${RUN}">Check the work &amp; report &lt;results&gt; once more.</hook_prompt>`;
const TEXT = 'Check the work & report <results> once more.';
const turnItems = (mode: 'paginated' | 'legacy', lines: string[]) =>
  foldLines(mode, [
    line('event_msg', { type: 'task_started', turn_id: TURN }),
    line('event_msg', { type: 'user_message', message: 'Do it.' }),
    ...lines,
    line('event_msg', { type: 'agent_message', message: 'Checked again.' }),
    line('event_msg', { type: 'task_complete', turn_id: TURN }),
  ]).flatMap((t) => t.items);

describe('hook prompts', () => {
  it('reads a paginated HookPrompt item by its camelCase run id', () => {
    const turns = foldLines('paginated', [
      line('event_msg', { type: 'task_started', turn_id: TURN }),
      line('event_msg', {
        type: 'item_completed',
        turn_id: TURN,
        item: { type: 'HookPrompt', id: 'msg_hook_1', fragments: [{ text: TEXT, hookRunId: RUN }] },
        started_at_ms: 1795615895824,
        completed_at_ms: 1795615895824,
      }),
    ]);
    expect(turns[0]!.items).to.deep.equal([
      {
        type: 'hookPrompt',
        id: 'msg_hook_1',
        fragments: [{ text: TEXT, hookRunId: RUN }],
        startedAtMs: 1795615895824,
        completedAtMs: 1795615895824,
      },
    ]);
  });

  it('shows a legacy <hook_prompt> user message as a hook prompt item, taking no item-N number', () => {
    expect(turnItems('legacy', [prompt([{ type: 'input_text', text: XML }])])).to.deep.equal([
      {
        type: 'userMessage',
        id: 'item-1',
        clientId: null,
        content: [{ type: 'text', text: 'Do it.', text_elements: [] }],
        startedAtMs: null,
        completedAtMs: null,
      },
      {
        type: 'hookPrompt',
        id: 'msg_hook_1',
        fragments: [{ text: TEXT, hookRunId: RUN }],
        startedAtMs: null,
        completedAtMs: null,
      },
      {
        type: 'agentMessage',
        moderation: null,
        id: 'item-2',
        text: 'Checked again.',
        phase: null,
        memoryCitation: null,
        delivery: null,
        questions: null,
        startedAtMs: null,
        completedAtMs: null,
      },
    ]);
    // A paginated thread takes its items from item events only.
    expect(turnItems('paginated', [prompt([{ type: 'input_text', text: XML }])]).map((i) => i.type)).to.not.include(
      'hookPrompt',
    );
  });

  it('takes a message as a hook prompt only when every part is one', () => {
    const two = `<hook_prompt hook_run_id="b">Then summarize.</hook_prompt>`;
    expect(
      hookPromptFragmentsOf([
        { type: 'input_text', text: ` ${XML}\n` },
        { type: 'input_text', text: two },
      ]),
    ).to.deep.equal([
      { text: TEXT, hookRunId: RUN },
      { text: 'Then summarize.', hookRunId: 'b' },
    ]);
    expect(
      hookPromptFragmentsOf([
        { type: 'input_text', text: XML },
        { type: 'input_text', text: 'plain' },
      ]),
    ).to.equal(null);
    expect(hookPromptFragmentsOf([{ type: 'input_image', image_url: 'data:x' }])).to.equal(null);
    expect(hookPromptFragmentsOf([])).to.equal(null);
    expect(parseHookPromptFragment('<hook_prompt hook_run_id="  ">x</hook_prompt>')).to.equal(null);
    expect(parseHookPromptFragment('<hook_prompt hook_run_id="r">a &bogus; b</hook_prompt>')).to.equal(null);
    expect(parseHookPromptFragment('<hook_prompt hook_run_id="r&amp;s">&#x41;&#66;</hook_prompt>')).to.deep.equal({
      text: 'AB',
      hookRunId: 'r&s',
    });
    expect(
      turnItems('legacy', [prompt([{ type: 'input_text', text: 'Just a user message.' }])]).map((i) => i.type),
    ).to.deep.equal(['userMessage', 'agentMessage']);
    // Codex names an id-less hook prompt anew at every read; here after its line, the same every time.
    expect(turnItems('legacy', [prompt([{ type: 'input_text', text: XML }], null)])[1]).to.include({
      type: 'hookPrompt',
      id: 'hook-prompt-2',
    });
  });
});
