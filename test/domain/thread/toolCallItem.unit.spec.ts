import { expect } from 'chai';
import { answerAt } from '../../../protocol/itemDeltas.js';
import {
  collabAgentStatesOf,
  durationMsOf,
  fileChangeItem,
  functionCallOutputOf,
  mcpOutcomeOf,
  mcpToolCallItem,
  patchStatusOf,
  webSearchItem,
} from '../../../domain/thread/toolCallItem.js';
import type { FunctionCallOutputContentItem } from '../../../domain/rollout/kinds/toolCallItems.js';
import { legacyUserContent, mapPaginatedItem, userInputOf } from '../../../domain/thread/mapItem.js';
import type { KnownTurnItem } from '../../../domain/rollout/kinds/itemCompleted.js';
import { normalizedAbsolutePath } from '../../../domain/rollout/kinds/common.js';

// The shapes the compat suite checks against the real binary (test/compat rich scenario), and the
// variants no scenario makes Codex write: an MCP transport error, other web search actions,
// deleted and moved files, agent states with and without a message.
describe('tool-call items as the API shows them', () => {
  it('lists a patch by path in byte order, each with its kind and diff', () => {
    const item = fileChangeItem(
      'call_1',
      {
        '/w/b.txt': { type: 'delete', content: 'gone\n' },
        '/w/A.txt': { type: 'update', unified_diff: '@@ -1 +1 @@\n-a\n+b\n', move_path: '/w/C.txt' },
        '/w/a.txt': { type: 'add', content: 'new\n' },
      },
      'completed',
    );
    expect(item).to.deep.equal({
      type: 'fileChange',
      id: 'call_1',
      changes: [
        { path: '/w/A.txt', kind: { type: 'update', move_path: '/w/C.txt' }, diff: '@@ -1 +1 @@\n-a\n+b\n' },
        { path: '/w/a.txt', kind: { type: 'add' }, diff: 'new\n' },
        { path: '/w/b.txt', kind: { type: 'delete' }, diff: 'gone\n' },
      ],
      status: 'completed',
    });
    expect(patchStatusOf(undefined, false)).to.equal('failed');
    expect(patchStatusOf(undefined, undefined)).to.equal('completed');
    expect(fileChangeItem('x', {}, 'in_progress')).to.include({ status: 'inProgress' });
  });

  it("reads a legacy MCP result (Rust's Ok / Err) as status, result and error", () => {
    const ok = mcpOutcomeOf({ Ok: { content: [{ type: 'text', text: 'hi' }], isError: false } });
    expect(ok.status).to.equal('completed');
    expect(mcpOutcomeOf({ Ok: { content: [], isError: true } }).status).to.equal('failed');
    const err = mcpOutcomeOf({ Err: 'tool call failed: connection closed' });
    const item = mcpToolCallItem({
      id: 'c',
      server: 's',
      tool: 't',
      arguments: {},
      duration: { secs: 1, nanos: 999_999_999 },
      ...err,
    });
    expect(item).to.deep.include({
      status: 'failed',
      result: null,
      error: { message: 'tool call failed: connection closed' },
      durationMs: 1999,
    });
    const okItem = mcpToolCallItem({ id: 'c', server: 's', tool: 't', arguments: { a: 1 }, duration: null, ...ok });
    expect(okItem).to.deep.include({
      result: { content: [{ type: 'text', text: 'hi' }], structuredContent: null, _meta: null },
      error: null,
      durationMs: null,
      appContext: null,
    });
    expect(Object.keys(okItem)).to.deep.equal([
      'type',
      'id',
      'server',
      'tool',
      'status',
      'arguments',
      'appContext',
      'mcpAppUi',
      'pluginId',
      'readOnlyHint',
      'result',
      'error',
      'durationMs',
    ]);
  });

  it('maps every web search action the Responses API names', () => {
    expect(webSearchItem('w', 'q', { type: 'search', query: 'q', queries: ['q', 'r'] }, undefined)).to.deep.include({
      action: { type: 'search', query: 'q', queries: ['q', 'r'] },
    });
    expect(webSearchItem('w', '', { type: 'open_page', url: 'https://example.com' }, undefined)).to.deep.include({
      action: { type: 'openPage', url: 'https://example.com' },
    });
    expect(webSearchItem('w', '', { type: 'find_in_page', url: 'u', pattern: 'p' }, undefined)).to.deep.include({
      action: { type: 'findInPage', url: 'u', pattern: 'p' },
    });
    expect(webSearchItem('w', '', { type: 'something_new' }, undefined)).to.deep.include({ action: { type: 'other' } });
    expect(webSearchItem('w', null, null, null)).to.deep.equal({
      type: 'webSearch',
      id: 'w',
      query: '',
      action: null,
      results: null,
    });
  });

  it("passes a web search's results through as opaque JSON (items.rs `results: Option<Vec<JsonValue>>`)", () => {
    const results = [{ title: 't', url: 'https://example.com', extra: { any: [1, null] } }, 'a string result'];
    expect(webSearchItem('w', 'q', null, results)).to.deep.equal({
      type: 'webSearch',
      id: 'w',
      query: 'q',
      action: null,
      results,
    });
    expect(webSearchItem('w', 'q', null, [])).to.deep.include({ results: [] });
  });

  it('reads sub-agent states written as a name or as {name: message}', () => {
    expect(
      collabAgentStatesOf({
        a: 'pending_init',
        b: { completed: 'done' },
        c: { errored: 'boom' },
        d: { completed: null },
        e: 'not_found',
      }),
    ).to.deep.equal({
      a: { status: 'pendingInit', message: null },
      b: { status: 'completed', message: 'done' },
      c: { status: 'errored', message: 'boom' },
      d: { status: 'completed', message: null },
      e: { status: 'notFound', message: null },
    });
    expect(durationMsOf({ secs: 0, nanos: 1_999_999 })).to.equal(1);
  });

  it('renders user input as the API does in both history modes', () => {
    expect(userInputOf({ type: 'image', image_url: 'data:x' })).to.deep.equal({
      type: 'image',
      url: 'data:x',
      detail: null,
    });
    expect(Object.keys(userInputOf({ type: 'local_image', path: '/p.png' }))).to.deep.equal(['type', 'detail', 'path']);
    expect(
      userInputOf({
        type: 'text',
        text: 'hi $s',
        text_elements: [{ byte_range: { start: 3, end: 5 }, placeholder: '$s' }],
      }),
    ).to.deep.equal({
      type: 'text',
      text: 'hi $s',
      text_elements: [{ byteRange: { start: 3, end: 5 }, placeholder: '$s' }],
    });
    expect(userInputOf({ type: 'mention', name: 'README.txt', path: '/w/README.txt' })).to.deep.equal({
      type: 'mention',
      name: 'README.txt',
      path: '/w/README.txt',
    });
    expect(legacyUserContent({ message: 'look', images: ['data:y'], local_images: ['/q.png'] })).to.deep.equal([
      { type: 'text', text: 'look', text_elements: [] },
      { type: 'image', url: 'data:y', detail: null },
      { type: 'localImage', detail: null, path: '/q.png' },
    ]);
  });

  it("renders a legacy user message's image details and audio as thread_history.rs build_user_inputs does", () => {
    const content = legacyUserContent({
      message: '  ',
      images: ['data:a', 'https://example.com/b.png'],
      image_details: ['low'],
      local_images: ['/p.png', '/q.png'],
      local_image_details: [null, 'original'],
      audio: ['data:audio/wav;base64,UklGRg=='],
      local_audio: ['/clip.wav'],
    });
    // Text left out (only whitespace); details by index, a missing or null one none; audio last.
    expect(content).to.deep.equal([
      { type: 'image', url: 'data:a', detail: 'low' },
      { type: 'image', url: 'https://example.com/b.png', detail: null },
      { type: 'localImage', detail: null, path: '/p.png' },
      { type: 'localImage', detail: 'original', path: '/q.png' },
      { type: 'audio', url: 'data:audio/wav;base64,UklGRg==' },
      { type: 'localAudio', path: '/clip.wav' },
    ]);
    expect(legacyUserContent({ message: 'hi', audio: null })).to.deep.equal([
      { type: 'text', text: 'hi', text_elements: [] },
    ]);
  });
  it("renders an extension's web search and image generation as 0.169.0 answers them (v2/item.rs passes the extension's item through)", () => {
    const map = (item: Record<string, unknown>) => mapPaginatedItem({ type: 'Extension', ...item } as KnownTurnItem);
    expect(
      map({ kind: 'web.search', id: 'w', query: 'q', action: { type: 'findInPage', url: 'u', rank: 1 } }),
    ).to.deep.equal({
      type: 'webSearch',
      id: 'w',
      query: 'q',
      action: { type: 'findInPage', url: 'u', pattern: null },
      results: null,
    });
    expect(
      map({ kind: 'web.search', id: 'w', query: 'q', action: { type: 'open_page' }, results: [] }),
    ).to.deep.include({ action: { type: 'other' }, results: [] });
    expect(
      map({
        kind: 'image_gen.generation',
        id: 'i',
        status: 'completed',
        fileId: 'f',
        result: 'r',
        savedPath: '/a/./b/../c.png/',
        inputImages: [],
      }),
    ).to.deep.equal({
      type: 'imageGeneration',
      id: 'i',
      status: 'completed',
      revisedPrompt: null,
      fileId: 'f',
      transparentBackground: null,
      failure: null,
      savedPath: '/a/c.png',
      generationId: null,
    });
    expect(
      map({
        kind: 'image_gen.generation',
        id: 'i',
        status: 'failed',
        result: '',
        failure: { type: 'usageLimitExceeded', limitId: 'l' },
      }),
    ).to.deep.include({
      result: '',
      failure: { type: 'usageLimitExceeded', limitId: 'l', resetsAt: null },
    });
  });

  it('normalises an absolute path as AbsolutePathBuf does (absolutize.rs normalize_path)', () => {
    expect(['/a/b', '/a/./b/', '/a/../b', '/..//a', '/', '/a/b/../../..'].map(normalizedAbsolutePath)).to.deep.equal([
      '/a/b',
      '/a/b',
      '/b',
      '/a',
      '/',
      '/',
    ]);
  });
  it("copies a paginated agent message's questions as 0.169.0 answers them, its moderation as the line has it (each version reads it: itemDeltas)", () => {
    const display = { action: 'collapse', blockType: 'cyber', extra: 1 };
    const item = mapPaginatedItem({
      type: 'AgentMessage',
      id: 'a',
      content: [{ type: 'Text', text: 'hi' }],
      questions: [{ title: 'Which?' }],
      moderation: { moderated: true, display },
    } as KnownTurnItem);
    expect(item).to.deep.include({
      moderation: { moderated: true, display },
      questions: [{ title: 'Which?', options: null }],
    });
    expect(answerAt('0.169.0', [item])).to.deep.equal([
      {
        ...item,
        moderation: {
          moderated: true,
          display: { action: 'collapse', blockType: 'cyber', cyberTrustedAccess: null, checkTrustedContacts: null },
        },
      },
    ]);
    expect(
      mapPaginatedItem({ type: 'AgentMessage', id: 'b', moderation: { moderated: false } } as KnownTurnItem),
    ).to.deep.include({
      moderation: { moderated: false, display: null },
      questions: null,
    });
  });
  it("renders a tool's output content items as 0.169.0 answers them (FunctionCallOutputContentItem, measured)", () => {
    expect(functionCallOutputOf('plain')).to.equal('plain');
    expect(
      functionCallOutputOf([
        { type: 'input_text', text: 't', annotations: [] },
        { type: 'input_image', image_url: 'u', file_id: 'f', detail: null },
        { type: 'input_image', image_url: 5, file_id: 'f', detail: 'high' },
        { type: 'input_audio', file_id: 'a' },
        { type: 'encrypted_content', encrypted_content: 'e', id: 'x' },
      ] as unknown as FunctionCallOutputContentItem[]),
    ).to.deep.equal([
      { type: 'input_text', text: 't' },
      { type: 'input_image', image_url: 'u' },
      { type: 'input_image', file_id: 'f', detail: 'high' },
      { type: 'input_audio', file_id: 'a' },
      { type: 'encrypted_content', encrypted_content: 'e' },
    ]);
  });
});
