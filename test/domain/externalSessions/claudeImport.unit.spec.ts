import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import {
  conversationMessageOf,
  decodeClaudeLine,
  rowKeyOf,
  truncateChars,
} from '../../../domain/externalSessions/claudeRecord.js';
import type { ClaudeRecord, ConversationMessage } from '../../../domain/externalSessions/claudeRecord.js';
import {
  ImportedRolloutFold,
  EXTERNAL_SESSION_IMPORTED_MARKER,
} from '../../../domain/externalSessions/importedRollout.js';
import { fallbackTitleFromUserMessage, selectTitle } from '../../../domain/externalSessions/sessionTitle.js';

const record = (r: Record<string, unknown>): ClaudeRecord => r as ClaudeRecord;
const assistant = (content: unknown): ClaudeRecord =>
  record({ type: 'assistant', timestamp: '2026-06-03T12:00:07.900Z', message: { content } });
const user = (content: unknown, extra: Record<string, unknown> = {}): ClaudeRecord =>
  record({ type: 'user', timestamp: '2026-06-03T12:00:00Z', message: { content }, ...extra });

describe('Claude Code records as Codex imports them (unit)', () => {
  it('drops thinking, tags tool calls by what their input holds, and counts seconds rounded down', () => {
    const m = conversationMessageOf(
      assistant([
        { type: 'thinking', thinking: 'secret' },
        { type: 'text', text: 'Looking.' },
        { type: 'tool_use', name: 'Bash', input: { command: 'ls', description: 'List' } },
        { type: 'tool_use', name: 'Read', input: { file_path: '/a.ts' } },
        { type: 'tool_use', name: 'Grep', input: { pattern: 'x', path: 'src' } },
        { type: 'tool_use', input: 'raw' },
      ]),
    );
    expect(m).to.deep.equal({
      role: 'assistant',
      timestamp: Date.parse('2026-06-03T12:00:07Z') / 1000,
      text: [
        'Looking.',
        '[external_agent_tool_call: Bash]\ndescription: List\ncommand: ls\n[/external_agent_tool_call]',
        '[external_agent_tool_call: Read]\nfile: /a.ts\n[/external_agent_tool_call]',
        '[external_agent_tool_call: Grep]\ninput: {"pattern":"x","path":"src"}\n[/external_agent_tool_call]',
        '[external_agent_tool_call: unknown]\ninput: "raw"\n[/external_agent_tool_call]',
      ].join('\n\n'),
    });
  });

  it("makes a result-only user record the assistant's, errors tagged, results cut at 4,000 characters", () => {
    const m = conversationMessageOf(
      user([
        { type: 'tool_result', is_error: true, content: 'boom' },
        { type: 'tool_result', content: [{ type: 'text', text: 'a' }, { type: 'image' }, { type: 'text', text: 'b' }] },
        { type: 'tool_result', content: 'é'.repeat(4_001) },
      ]),
    );
    expect(m?.role).to.equal('assistant');
    const parts = m!.text.split('\n\n');
    expect(parts[0]).to.equal('[external_agent_tool_result: error]\nboom\n[/external_agent_tool_result]');
    expect(parts[1]).to.equal('[external_agent_tool_result]\na\nb\n[/external_agent_tool_result]');
    expect(parts[2]).to.equal(`[external_agent_tool_result]\n${'é'.repeat(3_997)}...\n[/external_agent_tool_result]`);
  });

  it('keeps a user record with text and a result as the user, and marks blocks it cannot show', () => {
    expect(
      conversationMessageOf(
        user([
          { type: 'text', text: 'see' },
          { type: 'image', source: {} },
          { type: 'tool_result', content: '' },
        ]),
      ),
    ).to.deep.equal({
      role: 'user',
      timestamp: Date.parse('2026-06-03T12:00:00Z') / 1000,
      text: 'see\n\n[external unsupported block: image]\n\n[external_agent_tool_result]\n[/external_agent_tool_result]',
    });
  });

  it('skips meta, sidechain, other kinds and empty content; takes timestamp_ms when there is no timestamp', () => {
    expect(conversationMessageOf(user('x', { isMeta: true }))).to.equal(undefined);
    expect(conversationMessageOf(user('x', { isSidechain: true }))).to.equal(undefined);
    expect(conversationMessageOf(record({ type: 'system', message: { content: 'x' } }))).to.equal(undefined);
    expect(conversationMessageOf(user('   '))).to.equal(undefined);
    expect(conversationMessageOf(user([{ type: 'thinking', thinking: 'only' }]))).to.equal(undefined);
    expect(
      conversationMessageOf(record({ role: 'user', timestamp_ms: 1_700_000_000_999, message: { content: 'hi' } })),
    ).to.deep.equal({
      role: 'user',
      text: 'hi',
      timestamp: 1_700_000_000,
    });
  });

  it('refuses a line Codex cannot parse: broken JSON, not an object, an escaped lone surrogate', () => {
    expect(E.isLeft(decodeClaudeLine('{"type":'))).to.equal(true);
    expect(E.isLeft(decodeClaudeLine('[1]'))).to.equal(true);
    expect(E.isLeft(decodeClaudeLine('{"type":"user","message":{"content":"a \\ud800 b"}}'))).to.equal(true);
    expect(E.isRight(decodeClaudeLine('{"type":"user","message":{"content":"a \\ud83d\\ude00 b"}}'))).to.equal(true);
  });

  it('keys a row on its uuid, message id and request id (a resumed copy repeats all three; streamed blocks differ in uuid)', () => {
    const a = record({ uuid: 'u1', requestId: 'r', message: { id: 'm' } });
    expect(rowKeyOf(a)).to.equal(rowKeyOf(record({ uuid: 'u1', requestId: 'r', message: { id: 'm' } })));
    expect(rowKeyOf(a)).to.not.equal(rowKeyOf(record({ uuid: 'u2', requestId: 'r', message: { id: 'm' } })));
    expect(rowKeyOf(record({ type: 'user' }))).to.equal(undefined);
  });

  it('imports a user message wrapped in <user_query> as its trimmed inside; an assistant message, or text around the tags, is kept', () => {
    expect(conversationMessageOf(user('  <user_query>\n  and octal?  \n</user_query>\n'))?.text).to.equal('and octal?');
    expect(
      conversationMessageOf(user([{ type: 'text', text: '<user_query>a</user_query> and <user_query>b</user_query>' }]))
        ?.text,
    ).to.equal('a</user_query> and <user_query>b');
    expect(conversationMessageOf(user('see <user_query>x</user_query>'))?.text).to.equal(
      'see <user_query>x</user_query>',
    );
    expect(conversationMessageOf(assistant('<user_query>x</user_query>'))?.text).to.equal('<user_query>x</user_query>');
  });

  it('never throws on any JSON value as a record', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (content, other) => {
        conversationMessageOf(record({ type: 'assistant', message: { content }, isMeta: other }));
        conversationMessageOf(record({ type: 'user', message: content, timestamp: other }));
      }),
    );
  });
});

describe('imported session titles (unit)', () => {
  it('skips leading control wrappers (nested too) and takes the first non-blank line', () => {
    expect(
      fallbackTitleFromUserMessage(
        '<system-reminder>a <ide_opened_file>f</ide_opened_file></system-reminder>\n\n  Fix it \nmore',
      ),
    ).to.equal('Fix it');
    expect(
      fallbackTitleFromUserMessage('<command-message>x</command-message><command-message>y</command-message>go'),
    ).to.equal('go');
  });

  it('keeps a wrapper that does not close properly, and falls back when nothing is left', () => {
    expect(fallbackTitleFromUserMessage('<system-reminder>open</ide_opened_file> tail')).to.equal(
      '<system-reminder>open</ide_opened_file> tail',
    );
    expect(fallbackTitleFromUserMessage('<command-message>only</command-message>  ')).to.equal('Imported session');
  });

  it('cuts at 120 characters with "..." (characters, not UTF-16 units)', () => {
    expect(fallbackTitleFromUserMessage('😀'.repeat(121))).to.equal(`${'😀'.repeat(117)}...`);
    expect(truncateChars('a'.repeat(120), 120)).to.equal('a'.repeat(120));
  });

  it('truncateChars cuts as splitting into characters does: surrogate pairs one, lone surrogates one, any max', () => {
    const byCharacters = (text: string, max: number): string => {
      const chars = Array.from(text);
      return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 3)).join('')}...`;
    };
    const piece = fc.constantFrom('a', 'é', '😀', '\ud800', '\udc00', '\n', '字', '\ud83d\ude00\ud83d');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.nat(45), (pieces, max) => {
        const text = pieces.join('');
        expect(truncateChars(text, max)).to.equal(byCharacters(text, max));
      }),
      { numRuns: 2000 },
    );
    expect(truncateChars(`${'😀'.repeat(5)}\ud800`, 5)).to.equal('😀😀...');
    expect(truncateChars('x'.repeat(1_000_000), 4_000)).to.equal(`${'x'.repeat(3_997)}...`);
  });

  it('prefers the custom title, then the generated one, then the first message', () => {
    expect(selectTitle({ customTitle: 'c', aiTitle: 'a', fallbackTitle: 'f' })).to.equal('c');
    expect(selectTitle({ aiTitle: 'a', fallbackTitle: 'f' })).to.equal('a');
    expect(selectTitle({})).to.equal(null);
  });
});

describe('ImportedRolloutFold (unit)', () => {
  const msg = (role: 'user' | 'assistant', text: string, timestamp: number | null = 100): ConversationMessage => ({
    role,
    text,
    timestamp,
  });
  const fold = (messages: ConversationMessage[]) => {
    const f = new ImportedRolloutFold('2026-01-01T00:00:00.000Z');
    return [...messages.flatMap((m) => f.push(m)), ...f.finish()].map((d) => d.payload as Record<string, unknown>);
  };

  it('opens a turn per user message, drops replies before the first, and closes with the marker, the estimate and the completion', () => {
    const lines = fold([
      msg('assistant', 'orphan'),
      msg('user', 'q1', 10),
      msg('assistant', 'a1', 20),
      msg('user', 'q2', 30),
      msg('assistant', 'abcd', 40),
      msg('user', 'tail', 50),
    ]);
    expect(lines.map((l) => `${l['type']}${l['role'] === undefined ? '' : `:${l['role']}`}`)).to.deep.equal([
      'task_started',
      'user_message',
      'message:user',
      'agent_message',
      'message:assistant',
      'task_complete',
      'task_started',
      'user_message',
      'message:user',
      'agent_message',
      'message:assistant',
      'task_complete',
      'task_started',
      'user_message',
      'message:user',
      'agent_message',
      'token_count',
      'task_complete',
    ]);
    expect(lines[5]).to.deep.equal({
      type: 'task_complete',
      turn_id: 'external-import-turn-1',
      last_agent_message: null,
      started_at: 10,
    });
    expect(lines[15]).to.deep.include({ message: EXTERNAL_SESSION_IMPORTED_MARKER });
    // Text up to the last reply: q1 a1 q2 abcd = 10 bytes → 3 tokens; the trailing user message is not counted.
    expect(
      (lines[16] as { info: { total_token_usage: { total_tokens: number } } }).info.total_token_usage.total_tokens,
    ).to.equal(3);
    expect(lines[17]).to.deep.equal({
      type: 'task_complete',
      turn_id: 'external-import-turn-3',
      last_agent_message: null,
      started_at: 50,
      completed_at: 50,
    });
  });

  it('writes nothing without a user message', () => {
    expect(fold([msg('assistant', 'alone')])).to.deep.equal([]);
  });

  it('has as many turns as user messages, whatever the sequence', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            role: fc.constantFrom<'user' | 'assistant'>('user', 'assistant'),
            text: fc.string({ minLength: 1 }),
            timestamp: fc.option(fc.nat()),
          }),
        ),
        (ms) => {
          const lines = fold(ms);
          const users = ms.filter((m) => m.role === 'user').length;
          expect(lines.filter((l) => l['type'] === 'task_started')).to.have.length(users);
          expect(lines.filter((l) => l['type'] === 'task_complete')).to.have.length(users);
        },
      ),
    );
  });
});
