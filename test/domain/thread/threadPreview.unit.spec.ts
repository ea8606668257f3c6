// A thread's preview: its first user message that is not empty once trimmed, as Codex's state DB
// keeps it (codex-rs state/src/extract.rs `user_message_preview`: an empty one sets none; measured on
// 0.169.0 by the differential fuzzer, test/fuzz/: a paginated thread whose first message is "").
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { classifyRolloutLine } from '../../../domain/rollout/event.js';
import { decodeRolloutLine } from '../../../domain/rollout/line.js';
import { emptyThreadMeta, foldThreadMeta } from '../../../domain/thread/threadMeta.js';
import { RolloutWriter } from '../../fixtures/rolloutLines.js';

const previewOf = (w: RolloutWriter): string | null =>
  w.lines.reduce((s, text) => {
    const d = decodeRolloutLine(text);
    if (E.isLeft(d)) throw new Error(d.left);
    return foldThreadMeta(s, classifyRolloutLine(d.right));
  }, emptyThreadMeta()).preview;

describe("a thread's preview", () => {
  for (const mode of ['paginated', 'legacy'] as const)
    it(`${mode}: an empty (or blank) first user message is passed over for the next`, () => {
      const w = new RolloutWriter(mode, 'P').sessionMeta();
      w.chatTurn('t1', '', 'A1')
        .chatTurn('t2', '  \n ', 'A2')
        .chatTurn('t3', ' third ', 'A3')
        .chatTurn('t4', 'fourth', 'A4');
      expect(previewOf(w)).to.equal('third');
    });
});
