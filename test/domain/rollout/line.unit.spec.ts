import { expect } from 'chai';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { decodeRolloutLine, encodeRolloutLine, makeRolloutLine } from '../../../domain/rollout/line.js';
import { classifyRolloutLine } from '../../../domain/rollout/event.js';

const jsonValue = fc.jsonValue({ maxDepth: 3 });

describe('rollout line codec', () => {
  it('re-encodes any decodable line to its identical bytes (unknown kinds and fields kept)', () => {
    fc.assert(
      fc.property(
        fc.record(
          { timestamp: fc.string(), type: fc.string(), payload: jsonValue },
          { requiredKeys: ['timestamp', 'type', 'payload'] },
        ),
        fc.dictionary(
          fc.string().filter((k) => !['timestamp', 'type', 'payload', 'ordinal', 'metadata', '__proto__'].includes(k)),
          jsonValue,
          { maxKeys: 3 },
        ),
        fc.boolean(),
        (env, extra, spaced) => {
          const text = JSON.stringify({ ...env, ...extra }, null, spaced ? 1 : undefined).replace(/\n/g, ' ');
          const d = decodeRolloutLine(text);
          expect(E.isRight(d)).to.equal(true);
          if (E.isRight(d)) expect(encodeRolloutLine(d.right)).to.equal(text);
        },
      ),
    );
  });

  it('writes new lines with Codex key order and compact JSON', () => {
    const l = makeRolloutLine({
      type: 'event_msg',
      payload: { type: 'x' },
      ordinal: 3,
      timestamp: '2026-11-21T14:00:00.000Z',
      metadata: { a: 1 },
    });
    expect(l.raw).to.equal(
      '{"timestamp":"2026-11-21T14:00:00.000Z","ordinal":3,"type":"event_msg","payload":{"type":"x"},"metadata":{"a":1}}',
    );
    expect(makeRolloutLine({ type: 't', payload: null, timestamp: 'z' }).raw).to.equal(
      '{"timestamp":"z","type":"t","payload":null}',
    );
  });

  it('explains why a line is not a rollout line', () => {
    const notJson = decodeRolloutLine('{"timestamp":');
    expect(E.isLeft(notJson) && notJson.left).to.match(/^not JSON:/);
    const noType = decodeRolloutLine('{"timestamp":"t","payload":{}}');
    expect(E.isLeft(noType) && noType.left).to.match(/^not a rollout line: type: expected string/);
  });

  it('classifies each known kind and keeps unknown kinds as other', () => {
    const kind = (type: string, payload: unknown) =>
      classifyRolloutLine(makeRolloutLine({ timestamp: 't', type, payload })).kind;
    expect(kind('session_meta', { id: 'x' })).to.equal('sessionMeta');
    expect(kind('turn_context', { model: 'm' })).to.equal('turnContext');
    expect(kind('world_state', { full: true })).to.equal('worldState');
    expect(kind('compacted', { message: 'm' })).to.equal('compacted');
    expect(kind('token_usage_record', { usage: { total_tokens: 1 } })).to.equal('tokenUsageRecord');
    expect(kind('response_item', { type: 'message', role: 'user', content: [] })).to.equal('responseItem');
    expect(kind('response_item', { type: 'web_search_call' })).to.equal('other');
    expect(kind('event_msg', { type: 'task_started', turn_id: 't' })).to.equal('taskStarted');
    expect(kind('event_msg', { type: 'thread_rolled_back', num_turns: 2 })).to.equal('threadRolledBack');
    expect(
      kind('event_msg', { type: 'item_completed', turn_id: 't', item: { type: 'Plan', id: 'p', text: 'a plan' } }),
    ).to.equal('itemCompleted');
    expect(
      kind('event_msg', { type: 'item_completed', turn_id: 't', item: { type: 'BrandNewItem', id: 'p' } }),
    ).to.equal('itemCompleted');
    expect(kind('event_msg', { type: 'item_completed', turn_id: 't', item: { type: 'FileChange', id: 'p' } })).to.equal(
      'invalid',
    );
    expect(kind('event_msg', { type: 'patch_apply_end', call_id: 'c', changes: {} })).to.equal('patchApplyEnd');
    expect(
      kind('event_msg', { type: 'mcp_tool_call_end', call_id: 'c', invocation: { server: 's', tool: 't' } }),
    ).to.equal('mcpToolCallEnd');
    expect(kind('event_msg', { type: 'web_search_end', call_id: 'c', query: 'q' })).to.equal('webSearchEnd');
    expect(kind('event_msg', { type: 'mcp_tool_call_end', call_id: 'c' })).to.equal('invalid');
    expect(kind('event_msg', { type: 'brand_new_event' })).to.equal('other');
    expect(kind('brand_new_kind', {})).to.equal('other');
    expect(kind('event_msg', { type: 'item_completed', turn_id: 't', item: { type: 'AgentMessage' } })).to.equal(
      'invalid',
    );
  });

  it("reads a user message's client id, image details and audio as Codex's serde does, and refuses what it refuses", () => {
    const kind = (payload: Record<string, unknown>) =>
      classifyRolloutLine(
        makeRolloutLine({
          timestamp: 't',
          type: 'event_msg',
          payload: { type: 'user_message', message: 'm', ...payload },
        }),
      ).kind;
    // protocol.rs UserMessageEvent: Option<String>, Vec<Option<ImageDetail>> (default), Option<Vec<String>>, Vec<PathBuf> (default).
    expect(
      kind({
        client_id: 'c',
        image_details: ['low', null],
        local_image_details: [],
        audio: ['a'],
        local_audio: ['/x.wav'],
      }),
    ).to.equal('userMessage');
    expect(kind({ client_id: null, audio: null })).to.equal('userMessage');
    // 0.169.0 refuses each and drops the message (measured on the first four, 2026-11-26; the last two by the same types).
    for (const bad of [
      { image_details: null },
      { image_details: ['ultra'] },
      { local_audio: null },
      { audio: [5] },
      { local_image_details: ['ultra'] },
      { client_id: 7 },
    ]) {
      expect(kind(bad), JSON.stringify(bad)).to.equal('invalid');
    }
  });
  it("reads an extension's web search and image generation as Codex's serde does, and refuses what it refuses", () => {
    const kind = (item: Record<string, unknown>) =>
      classifyRolloutLine(
        makeRolloutLine({
          timestamp: 't',
          type: 'event_msg',
          payload: { type: 'item_completed', turn_id: 't', item: { type: 'Extension', ...item } },
        }),
      ).kind;
    const search = (fields: Record<string, unknown>) => ({ kind: 'web.search', id: 'w', ...fields });
    const image = (fields: Record<string, unknown>) => ({
      kind: 'image_gen.generation',
      id: 'i',
      status: 'completed',
      ...fields,
    });
    // ext/items/src/web_search.rs, image_generation.rs; 0.169.0's image item also has fileId | result, inputImages, generationId.
    for (const good of [
      search({ query: 'q' }),
      search({ query: 'q', action: { type: 'search', query: null }, results: [1, 'a'] }),
      search({ query: 'q', action: { type: 'whatever' } }),
      image({
        result: 'r',
        savedPath: '/a/../b.png',
        inputImages: [],
        failure: { type: 'usageLimitExceeded', limitId: 'l' },
      }),
      image({ fileId: 7, result: 'r' }),
      image({ fileId: 'f', generationId: null }),
    ])
      expect(kind(good), JSON.stringify(good)).to.equal('itemCompleted');
    // 0.169.0 drops each line (measured: compat passThroughFields, 2026-11-26).
    for (const bad of [
      search({}),
      search({ query: null }),
      search({ query: 'q', action: { type: 'search', query: 5 } }),
      search({ query: 'q', action: { url: 'no type' } }),
      search({ query: 'q', results: {} }),
      image({}),
      image({ result: 'r', savedPath: 'rel.png' }),
      image({ result: 'r', savedPath: 'file:///a.png' }),
      image({ result: 'r', inputImages: null }),
      image({ result: 'r', inputImages: [{ path: '/a.png' }] }),
      image({ result: 'r', failure: { type: 'somethingNew' } }),
      image({ result: 'r', status: 5 }),
    ])
      expect(kind(bad), JSON.stringify(bad)).to.equal('invalid');
    // A kind the app-server has no wrapper for is not rendered, not refused.
    expect(
      classifyRolloutLine(
        makeRolloutLine({
          timestamp: 't',
          type: 'event_msg',
          payload: { type: 'item_completed', turn_id: 't', item: { type: 'Extension', kind: 'other.kind', id: 'o' } },
        }),
      ),
    ).to.deep.include({ kind: 'itemCompleted', item: null });
  });
  it("reads an agent message's questions and moderation as 0.169.0's serde does, and refuses what it refuses", () => {
    const item = (fields: Record<string, unknown>) =>
      classifyRolloutLine(
        makeRolloutLine({
          timestamp: 't',
          type: 'event_msg',
          payload: { type: 'item_completed', turn_id: 't', item: { type: 'AgentMessage', id: 'a', ...fields } },
        }),
      ).kind;
    const event = (fields: Record<string, unknown>) =>
      classifyRolloutLine(
        makeRolloutLine({
          timestamp: 't',
          type: 'event_msg',
          payload: { type: 'agent_message', message: 'm', ...fields },
        }),
      ).kind;
    for (const good of [
      { questions: [{ title: 'T' }, { title: 'U', options: ['a'] }], moderation: null },
      {
        moderation: {
          moderated: true,
          display: { action: 'a', block_type: 'ignored', blockType: null },
          note: 'ignored',
        },
      },
      { questions: null, moderation: { moderated: false } },
      // A display 0.169.0 cannot read: the line reads, 0.171.0 has an item for it (each version
      // reads the display at its answer: protocol/itemDeltas.ts; measured: itemDeltas.compat).
      { moderation: { moderated: true, display: { blockType: 'x' } } },
      { moderation: { moderated: true, display: { action: 'a', cyberTrustedAccess: 'no' } } },
      { moderation: { moderated: true, display: { mode: 'block', version: 1, reason: { kind: 'cyber' } } } },
    ])
      expect(item(good), JSON.stringify(good)).to.equal('itemCompleted');
    // 0.169.0 drops each line (measured: compat passThroughFields, 2026-11-26); 0.171.0 too, one without `moderated` (measured).
    for (const bad of [
      { questions: [{ title: 'T', hint: 'x' }] },
      { questions: [{ options: ['a'] }] },
      { questions: [{ title: 'T', options: ['a', 1] }] },
      { moderation: { display: null } },
      { moderation: { moderated: 'yes' } },
    ])
      expect(item(bad), JSON.stringify(bad)).to.equal('invalid');
    expect(event({ questions: [{ title: 'T', options: null }] })).to.equal('agentMessage');
    expect(event({ questions: [{ title: 'T', hint: 'x' }] })).to.equal('invalid');
    // Any moderation reads (the message is then shown by no item: the fold).
    expect(event({ moderation: 'flagged' })).to.equal('agentMessage');
  });
  it("reads image generations and tool outputs as 0.169.0's serde does, and refuses what it refuses", () => {
    const kind = (payload: Record<string, unknown>) =>
      classifyRolloutLine(makeRolloutLine({ timestamp: 't', type: 'event_msg', payload })).kind;
    const end = (fields: Record<string, unknown>) =>
      kind({ type: 'image_generation_end', call_id: 'c', status: 'completed', ...fields });
    const item = (it: Record<string, unknown>) => kind({ type: 'item_completed', turn_id: 't', item: it });
    const image = (fields: Record<string, unknown>) =>
      item({ type: 'ImageGeneration', id: 'i', status: 'completed', ...fields });
    const output = (out: unknown) => item({ type: 'FunctionCallOutput', id: 'f', name: 'n', output: out });
    for (const good of [
      { result: 'r', saved_path: '/a/../b.png', input_images: [] },
      { fileId: 'f' },
      { fileId: 5, result: 'r', file_id: 'ignored' },
    ])
      expect(end(good), JSON.stringify(good)).to.equal('imageGenerationEnd');
    expect(image({ result: 'r', saved_path: null, fileId: 'ignored' })).to.equal('itemCompleted');
    expect(
      output([
        { type: 'input_image', file_id: 'f' },
        { type: 'input_audio', audio_url: 'a' },
      ]),
    ).to.equal('itemCompleted');
    // 0.169.0 drops each line (measured: compat passThroughFields, 2026-11-26).
    for (const bad of [
      { file_id: 'f' },
      { result: 'r', saved_path: 'rel.png' },
      { result: 'r', input_images: null },
      { result: 'r', failure: { type: 'usage_limit_exceeded' } },
      { result: 'r', input_images: [{ path: 'rel.png', sha256: 's' }] },
    ])
      expect(end(bad), JSON.stringify(bad)).to.equal('invalid');
    expect(image({ fileId: 'f' })).to.equal('invalid');
    expect(image({ result: 'r', saved_path: 'file:///a.png' })).to.equal('invalid');
    for (const bad of [
      { text: 'x' },
      [{ type: 'input_file', file_id: 'f' }],
      [{ type: 'input_text', text: 5 }],
      [{ type: 'input_image', image_url: 'u', detail: 'ultra' }],
      [{ type: 'input_image' }],
    ])
      expect(output(bad), JSON.stringify(bad)).to.equal('invalid');
  });
});
