import { expect } from 'chai';
import fc from 'fast-check';
import { terminalText } from '../../../adapters/cli/terminalText.js';

const ACTED_ON = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('terminalText', () => {
  it('shows each control as its escape: ESC, CR, newline, BEL, DEL, C1 CSI, a bidi override', () => {
    expect(terminalText('a\u001b]52;c;eA==\u0007b\r\nc\u007f\u009b31m\u202ed')).to.equal('a\\e]52;c;eA==\\ab\\r\\nc\\x7f\\x9b31m\\u202ed');
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
