import { expect } from 'chai';
import fc from 'fast-check';
import { oneLineText, terminalLines, terminalText, textLines } from '../../../../adapters/driving/cli/terminalText.js';
import { terminalJson } from '../../../../adapters/driving/rpc/terminalJson.js';

const ACTED_ON = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('terminalText', () => {
  it('shows each control as its escape: ESC, CR, newline, BEL, DEL, C1 CSI, a bidi override', () => {
    expect(terminalText('a\u001b]52;c;eA==\u0007b\r\nc\u007f\u009b31m\u202ed')).to.equal(
      'a\\e]52;c;eA==\\ab\\r\\nc\\x7f\\x9b31m\\u202ed',
    );
  });

  it('property: its output holds nothing a terminal acts on, is itself (idempotent), and leaves other text as it was', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const shown = terminalText(s);
        expect(ACTED_ON.test(shown)).to.equal(false);
        expect(terminalText(shown)).to.equal(shown);
        if (!ACTED_ON.test(s)) expect(shown).to.equal(s);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('oneLineText: a field printed on one line', () => {
  it('shows line breaks as ↵ between spaces and other white space as one space; escapes the rest', () => {
    expect(oneLineText('Fix the "parser" bug.\nSteps:\r\n  1. run\tit\n')).to.equal(
      'Fix the "parser" bug. ↵ Steps: ↵ 1. run it ↵',
    );
    expect(oneLineText('a\u001b]0;x\u0007\rb')).to.equal('a\\e]0;x\\a b');
  });

  it('cuts at `max` characters with …, and closes a quote the cut left open (never a code point split)', () => {
    expect(oneLineText('run "npm install" then test', 12)).to.equal('run "npm in…"');
    expect(oneLineText('say `a "b c" d` now', 9)).to.equal('say `a "…"`');
    expect(oneLineText('“quoted words” and more', 6)).to.equal('“quot…”');
    expect(oneLineText('a "closed" quote then more', 13)).to.equal('a "closed" q…');
    expect(oneLineText('short', 5)).to.equal('short');
    expect(oneLineText('😀😀😀', 2)).to.equal('😀…');
  });

  it('property: one line, nothing a terminal acts on, at most max characters before the mark; a straight quote the cut left open is closed', () => {
    const text = (chars: ReadonlyArray<string>) =>
      fc.array(fc.constantFrom(...chars), { maxLength: 40 }).map((a) => a.join(''));
    const any = text(['"', '`', '“', '”', '\n', '\r\n', ' ', 'a', 'é', '😀', '\u001b']);
    const straight = text(['"', '\n', ' ', 'a', '😀']);
    fc.assert(
      fc.property(fc.oneof(any, straight), fc.integer({ min: 1, max: 30 }), (s, max) => {
        const shown = oneLineText(s, max);
        expect(shown).to.not.match(/[\n\r]/);
        expect(ACTED_ON.test(shown)).to.equal(false);
        if (!shown.includes('…')) return;
        const [kept, closing] = shown.split('…') as [string, string];
        expect([...kept.replace(/\\e/g, 'E')].length).to.be.at.most(max - 1);
        if (/^[^`“”]*$/.test(s)) expect(((kept + closing).match(/"/g) ?? []).length % 2).to.equal(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('textLines: a text shown as lines of its own', () => {
  it('splits at line breaks (LF, CRLF), escapes each line, drops trailing white space and blank lines at the ends', () => {
    expect(textLines('\n\nDone.  \r\n\n```ts\nconst a = 1;\u001b[2J\n```\n\n')).to.deep.equal([
      'Done.',
      '',
      '```ts',
      'const a = 1;\\e[2J',
      '```',
    ]);
    expect(textLines('a\rb')).to.deep.equal(['a\\rb']);
    expect(textLines('')).to.deep.equal(['']);
    expect(textLines(' \n ')).to.deep.equal(['']);
  });
});

describe('terminalLines: the sink of the readable output', () => {
  it("property: the layout's newlines kept, every line's controls escaped, idempotent", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 5 }), (parts) => {
        const text = parts.join('\n');
        const shown = terminalLines(text);
        expect(shown.split('\n').length).to.equal(text.split('\n').length);
        expect(shown.split('\n').some((l) => ACTED_ON.test(l))).to.equal(false);
        expect(terminalLines(shown)).to.equal(shown);
      }),
      { numRuns: 500 },
    );
  });
});

describe('terminalJson: JSON for a terminal', () => {
  it('property: the same value to a JSON reader, nothing a terminal acts on in the text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (v, s) => {
        const value = { v, s };
        const json = terminalJson(JSON.stringify(value));
        expect(ACTED_ON.test(json)).to.equal(false);
        expect(JSON.parse(json)).to.deep.equal(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });
});
