import { expect } from 'chai';
import { conversationTextOf } from '../../../domain/search/conversationText.js';
import { literalPattern, searchSnippetOf } from '../../../domain/search/literalMatch.js';
import { occurrencesIn, searchedAgentMessages } from '../../../domain/search/occurrences.js';
import { markdownSearchText } from '../../../domain/search/markdownText.js';

describe('search text and snippets (Codex 0.169.0 rules)', () => {
  const line = (text: string) => ({ text });

  it('a thread/search snippet keeps 49 characters before the match and 96 after, marked where cut', () => {
    const text = `${'a'.repeat(80)}needle${'b'.repeat(140)}`;
    const snippet = searchSnippetOf(line(text), literalPattern('NEEDLE'))!;
    expect(snippet).to.equal(`... ${'a'.repeat(49)}needle${'b'.repeat(96)} ...`);
    // Characters are code points: an astral letter counts once.
    expect(searchSnippetOf(line(`${'😀'.repeat(60)}x`), literalPattern('x'))).to.equal(`... ${'😀'.repeat(49)}x`);
    expect(searchSnippetOf(line('short needle text'), literalPattern('needle'))).to.equal('short needle text');
  });

  it('0.171.0 (`messageText`): the context is counted in the message’s text, then collapsed; marked where that text is cut', () => {
    const text = `${'a  '.repeat(30)}needle${'  b'.repeat(60)}`;
    // Counted in the message: 16 "a  " before (and a space), 32 "  b" after; counted in the collapsed text, 24 and 48.
    expect(searchSnippetOf(line(text), literalPattern('needle'), 'messageText')).to.equal(
      `... ${'a '.repeat(16)}needle${' b'.repeat(32)} ...`,
    );
    expect(searchSnippetOf(line(text), literalPattern('needle'))).to.equal(
      `... ${'a '.repeat(24)}needle${' b'.repeat(48)} ...`,
    );
    // Without runs of whitespace the two cut alike; the match must still be in the collapsed text.
    const plain = `${'a'.repeat(80)}needle${'b'.repeat(140)}`;
    expect(searchSnippetOf(line(plain), literalPattern('needle'), 'messageText')).to.equal(
      searchSnippetOf(line(plain), literalPattern('needle')),
    );
    expect(searchSnippetOf(line('fact\n\n  number'), literalPattern('fact number'), 'messageText')).to.equal(null);
    expect(
      searchSnippetOf(line(`   needle   ${'c    '.repeat(30)}`), literalPattern('needle'), 'messageText'),
    ).to.equal(`needle${' c'.repeat(19)} ...`);
  });

  it('matches on the collapsed text, but only within one of the line’s own text runs', () => {
    expect(searchSnippetOf(line('fact\n\n  number'), literalPattern('fact number'))).to.equal(null);
    expect(searchSnippetOf({ text: 'one two', raw: 'one\u0000two' }, literalPattern('one two'))).to.equal(null);
    expect(searchSnippetOf(line('one  two three'), literalPattern('two'))).to.equal('one two three');
  });

  it('folds case as Unicode simple case folding does', () => {
    for (const [text, term] of [
      ['CAFÉ', 'café'],
      ['ΣΑΣ', 'σας'],
      ['Kelvin', 'kelvin'],
    ])
      expect(searchSnippetOf(line(text!), literalPattern(term!)), `${text} ~ ${term}`).to.equal(text);
    expect(searchSnippetOf(line('STRASSE'), literalPattern('straße'))).to.equal(null);
  });

  it('reads user messages after the composer prefix and response messages of users and the assistant only', () => {
    const user = conversationTextOf({
      kind: 'userMessage',
      payload: { type: 'user_message', message: 'context\n## My request for Codex:\n  find me  ' },
    });
    expect(user).to.deep.equal({ text: 'find me', raw: 'context\n## My request for Codex:\n  find me  ' });
    const developer = conversationTextOf({
      kind: 'responseItem',
      payload: { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'x' }] },
    });
    expect(developer).to.equal(null);
    const assistant = conversationTextOf({
      kind: 'responseItem',
      payload: {
        type: 'message',
        role: 'assistant',
        content: [
          { type: 'output_text', text: 'a' },
          { type: 'output_text', text: 'b' },
        ],
      },
    });
    expect(assistant).to.deep.equal({ text: 'a b', raw: 'a\u0000b' });
  });

  it('does not read a legacy agent message its moderation hides: any moderation but null (0.169.0 finds none of them)', () => {
    const agent = (fields: Record<string, unknown>) =>
      conversationTextOf({
        kind: 'agentMessage',
        payload: { type: 'agent_message', message: ' said ', ...fields } as { type: 'agent_message'; message: string },
      });
    expect(agent({})).to.deep.equal({ text: 'said', raw: ' said ' });
    expect(agent({ moderation: null })).to.deep.equal({ text: 'said', raw: ' said ' });
    for (const moderation of [
      { moderated: true, display: { action: 'block', blockType: 'cyber' } },
      { moderated: false, display: null },
      {},
      'x',
    ])
      expect(agent({ moderation }), JSON.stringify(moderation)).to.equal(null);
  });

  it('occurrences: every match, UTF-16 ranges; an agent message is searched as its markdown text', () => {
    expect(occurrencesIn('Tell me fact, fact!', 'FACT').map((o) => o.snippetMatchRange)).to.deep.equal([
      { start: 8, end: 12 },
      { start: 14, end: 18 },
    ]);
    expect(occurrencesIn('😀 é', 'É')[0]!.snippetMatchRange).to.deep.equal({ start: 3, end: 4 });
  });

  it("occurrences search a turn's partial answers and its final message: the last marked final, else the last unmarked (as probed on Codex 0.169.0)", () => {
    const searched = (...phases: Array<string | null>) =>
      [
        ...searchedAgentMessages(
          'paginated',
          phases.map((phase, i) => ({ id: `m${i}`, phase })),
        ),
      ].sort();
    expect(searched(null, null), 'a reply before a tool call or a notification').to.deep.equal(['m1']);
    expect(searched('commentary', 'partial_answer', 'final_answer')).to.deep.equal(['m1', 'm2']);
    expect(searched('final_answer', 'commentary'), 'commentary is never the final').to.deep.equal(['m0']);
    expect(searched(null, 'commentary')).to.deep.equal(['m0']);
    expect(searched('final_answer', null), 'a marked final wins over later unmarked text').to.deep.equal(['m0']);
    expect(searched(null, 'final_answer', null)).to.deep.equal(['m1']);
    expect(searched('final_answer', 'final_answer')).to.deep.equal(['m1']);
    expect(searched(null, 'partial_answer'), 'a partial answer is never the final').to.deep.equal(['m0', 'm1']);
    expect(searched('partial_answer', 'commentary')).to.deep.equal(['m0']);
    expect(searched('partial_answer')).to.deep.equal(['m0']);
    expect(searched('commentary')).to.deep.equal([]);
    expect(searched(null, 'final_answer', 'partial_answer')).to.deep.equal(['m1', 'm2']);
    expect(searched('unknown-phase', null), 'an unknown phase reads as unmarked').to.deep.equal(['m1']);
    expect(searched()).to.deep.equal([]);
    // A legacy thread's final message is its last agent message, whatever its phase.
    expect([
      ...searchedAgentMessages('legacy', [
        { id: 'a', phase: 'final_answer' },
        { id: 'b', phase: 'commentary' },
      ]),
    ]).to.deep.equal(['b']);
  });

  it('occurrences fold case fully, as Codex: ß is ss, ﬁ is fi, final sigma is sigma; never half a code point', () => {
    const ranges = (text: string, term: string) =>
      occurrencesIn(text, term).map((o) => [o.snippetMatchRange.start, o.snippetMatchRange.end]);
    expect(ranges('STRASSE, Straße, strasse', 'straße')).to.deep.equal([
      [0, 7],
      [9, 15],
      [17, 24],
    ]);
    expect(ranges('Straße', 'SS')).to.deep.equal([[4, 5]]);
    expect(ranges('Straße', 's')).to.deep.equal([[0, 1]]);
    expect(ranges('ßs', 'ss')).to.deep.equal([[0, 1]]);
    expect(ranges('a ﬁle', 'FILE')).to.deep.equal([[2, 5]]);
    expect(ranges('ΣΊΣΥΦΟΣ', 'σίσυφος')).to.deep.equal([[0, 7]]);
    expect(ranges('😀x😀X', 'x')).to.deep.equal([
      [2, 3],
      [5, 6],
    ]);
    expect(markdownSearchText('Quotes \\"double\\" and **bold** `code`\n\n- item')).to.equal(
      'Quotes "double" and bold code item',
    );
  });
});
