import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { labelOfMessage } from '../../../domain/externalSessions/sessionTitle.js';
import { classifyRolloutLine } from '../../../domain/rollout/event.js';
import { decodeRolloutLine } from '../../../domain/rollout/line.js';
import { emptyThreadMeta, foldThreadMeta } from '../../../domain/thread/threadMeta.js';
import { importedRolloutLines } from '../../fixtures/importedRollout.js';

const importedLines = (messages: string[]): string[] => importedRolloutLines('t', '/p', messages);

const previewOf = (lines: string[]): string | null => {
  let meta = emptyThreadMeta();
  for (const raw of lines) {
    const line = decodeRolloutLine(raw);
    if (E.isRight(line)) meta = foldThreadMeta(meta, classifyRolloutLine(line.right));
  }
  return meta.preview;
};

describe("an imported thread's preview is Codex's label of its first user message (unit)", () => {
  it('first line, trimmed, cut to 120 characters; empty when the message opens with a blank line (as the real binary records them)', () => {
    expect(labelOfMessage('<command-message>review</command-message>\n<command-name>/review</command-name>')).to.equal('<command-message>review</command-message>');
    expect(labelOfMessage('first   \t\nsecond')).to.equal('first');
    expect(labelOfMessage(`${'C'.repeat(117)}é\r\nnext`)).to.equal(`${'C'.repeat(117)}é`);
    expect(labelOfMessage('A'.repeat(120))).to.equal('A'.repeat(120));
    expect(labelOfMessage(`${'B'.repeat(121)}\nnext`)).to.equal(`${'B'.repeat(117)}...`);
    expect(labelOfMessage('  \n\n  text')).to.equal('');
  });

  it("an imported thread's preview is the label; any other thread's is the whole message", () => {
    expect(previewOf(importedLines(['Fix the parser\nthen the tests', 'later']))).to.equal('Fix the parser');
    expect(previewOf(importedLines(['  \n  opens blank']))).to.equal('');
    const plain = importedLines(['Fix the parser\nthen the tests']).map((l) => l.replaceAll('external-import-turn-', 'turn-'));
    expect(previewOf(plain)).to.equal('Fix the parser\nthen the tests');
  });
});
