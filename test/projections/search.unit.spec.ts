import { expect } from 'chai';
import { memoryIndex } from '../../projections/batch.js';
import { skipByPrefix } from '../../projections/linePrefix.js';
import { projectBatch } from '../../projections/runner.js';
import { signatureHolds, termBits } from '../../domain/search/gramSignature.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { checkpointAfter, toLines } from '../fixtures/lineInputs.js';

const ID = '01a1fe88-0000-7000-8000-0000000000f1';

describe('the search projection', () => {
  it('reads user and assistant response messages, still skips developer messages and other response items', () => {
    const line = (payload: string) => `{"timestamp":"2026-11-21T14:00:00.000Z","ordinal":3,"type":"response_item","payload":${payload}}`;
    expect(skipByPrefix(line('{"type":"message","id":"m1","role":"developer","content":[]}'))).to.include({ kind: 'skipped' });
    expect(skipByPrefix(line('{"type":"message","role":"system","content":[]}'))).to.include({ kind: 'skipped' });
    expect(skipByPrefix(line('{"type":"function_call","name":"x","arguments":"{}","call_id":"c"}'))).to.include({ kind: 'skipped' });
    expect(skipByPrefix(line('{"type":"message","id":"m1","role":"user","content":[]}'))).to.equal(undefined);
    expect(skipByPrefix(line('{"type":"message","role":"assistant","content":[]}'))).to.equal(undefined);
  });

  it('keeps each searched line’s text and a signature holding every trigram of it, across batches', () => {
    for (const mode of ['paginated', 'legacy'] as const) {
      const w = new RolloutWriter(mode, ID).sessionMeta();
      w.chatTurn('t1', 'Where is the Kelvin sign?', 'It is U+212A.');
      w.chatTurn('t2', 'And ß?', 'ẞ folds to it.');
      const lines = toLines(w.text().trimEnd().split('\n'));
      const idx = memoryIndex();
      const ctx = { rolloutId: ID, threadId: ID, path: '/p' };
      for (const part of [lines.slice(0, 7), lines.slice(7)])
        idx.apply(projectBatch(idx, { ctx, resetRollouts: [], lines: part, checkpoint: checkpointAfter('/p', ID, ID, part[part.length - 1]) }).writes);
      const texts = idx
        .rows()
        .filter((r) => r.table === 'searchText')
        .map((r) => (r.value as { text: string }).text);
      // Legacy: the user and agent message events and the response messages; paginated: the response messages.
      expect(texts.filter((t) => t === 'Where is the Kelvin sign?').length, mode).to.equal(mode === 'legacy' ? 2 : 1);
      expect(texts).to.include('ẞ folds to it.');
      const signature = idx.rows().find((r) => r.table === 'searchGrams')!.value as Uint8Array;
      for (const term of ['kelvin SIGN', 'U+212a', 'FOLDS TO']) expect(signatureHolds(signature, termBits(term)), term).to.equal(true);
      expect(signatureHolds(signature, termBits('no such words here'))).to.equal(false);
    }
  });
});
