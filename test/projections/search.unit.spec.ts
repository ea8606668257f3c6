import { expect } from 'chai';
import { memoryIndex } from '../../projections/batch.js';
import { skipByPrefix } from '../../projections/linePrefix.js';
import { projectBatch } from '../../projections/runner.js';
import {
  addToSignature,
  gramHashesOf,
  setHashes,
  SIGNATURE_BYTES,
  signatureHolds,
  termBits,
} from '../../domain/search/gramSignature.js';
import { blockOfLine, linesHolding, writeLineEntry } from '../../domain/search/lineSignatures.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { checkpointAfter, toLines } from '../fixtures/lineInputs.js';

const ID = '01a1fe88-0000-7000-8000-0000000000f1';

describe('the search projection', () => {
  it('reads user and assistant response messages, still skips developer messages and other response items', () => {
    const line = (payload: string) =>
      `{"timestamp":"2026-11-21T14:00:00.000Z","ordinal":3,"type":"response_item","payload":${payload}}`;
    expect(skipByPrefix(line('{"type":"message","id":"m1","role":"developer","content":[]}'))).to.include({
      kind: 'skipped',
    });
    expect(skipByPrefix(line('{"type":"message","role":"system","content":[]}'))).to.include({ kind: 'skipped' });
    expect(skipByPrefix(line('{"type":"function_call","name":"x","arguments":"{}","call_id":"c"}'))).to.include({
      kind: 'skipped',
    });
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
        idx.apply(
          projectBatch(idx, {
            ctx,
            resetRollouts: [],
            lines: part,
            checkpoint: checkpointAfter('/p', ID, ID, part[part.length - 1]),
          }).writes,
        );
      const texts = idx
        .rows()
        .filter((r) => r.table === 'searchText')
        .map((r) => (r.value as { text: string }).text);
      // Legacy: the user and agent message events and the response messages; paginated: the response messages.
      expect(texts.filter((t) => t === 'Where is the Kelvin sign?').length, mode).to.equal(mode === 'legacy' ? 2 : 1);
      expect(texts).to.include('ẞ folds to it.');
      const signature = idx.rows().find((r) => r.table === 'searchGrams')!.value as Uint8Array;
      for (const term of ['kelvin SIGN', 'U+212a', 'FOLDS TO'])
        expect(signatureHolds(signature, termBits(term)), term).to.equal(true);
      expect(signatureHolds(signature, termBits('no such words here'))).to.equal(false);
    }
  });

  it('a signature holds six-grams: a phrase whose trigrams all occur, but not together, rules the text out; every piece of the text passes', () => {
    const signature = new Uint8Array(SIGNATURE_BYTES);
    const text = 'tell me fact number 1, then 17 more';
    addToSignature(signature, text);
    // Every trigram of "fact number 17" is in the text ("r 1", " 17"…), the six-gram "ber 17" is not.
    const phrase = 'fact number 17';
    for (let i = 0; i + 3 <= phrase.length; i++)
      expect(text, phrase.slice(i, i + 3)).to.include(phrase.slice(i, i + 3));
    expect(signatureHolds(signature, termBits(phrase))).to.equal(false);
    for (let from = 0; from < text.length; from++)
      for (let to = from + 1; to <= text.length; to++) {
        const piece = text.slice(from, to);
        expect(signatureHolds(signature, termBits(piece.toUpperCase())), piece).to.equal(true);
      }
  });

  it('keeps each searched line’s own signature in its block of 128 lines: every text line once, in order, the same bytes however the file is cut into batches', () => {
    for (const mode of ['paginated', 'legacy'] as const) {
      const w = new RolloutWriter(mode, ID).sessionMeta();
      for (let t = 0; t < 60; t++)
        w.chatTurn(`t${t}`, `question ${t} about the kelvin sign`, `answer ${t}: it is U+212A`);
      const lines = toLines(w.text().trimEnd().split('\n'));
      const ctx = { rolloutId: ID, threadId: ID, path: '/p' };
      const foldIn = (cuts: ReadonlyArray<number>) => {
        const idx = memoryIndex();
        const ends = [...cuts, lines.length];
        ends.forEach((end, i) => {
          const part = lines.slice(i === 0 ? 0 : ends[i - 1], end);
          idx.apply(
            projectBatch(idx, {
              ctx,
              resetRollouts: [],
              lines: part,
              checkpoint: checkpointAfter('/p', ID, ID, part[part.length - 1]),
            }).writes,
          );
        });
        return idx.rows();
      };
      const whole = foldIn([]);
      const blocks = whole.filter((r) => r.table === 'searchLines');
      const texts = whole.filter((r) => r.table === 'searchText').map((r) => r.key[1] as number);
      expect(blocks.length, mode).to.be.greaterThan(2);
      // Every text line is in the block its number names, once, in order; no other line is.
      expect(
        blocks.flatMap((b) => linesHolding(b.value as Uint8Array, [])),
        mode,
      ).to.deep.equal(texts);
      for (const b of blocks)
        for (const line of linesHolding(b.value as Uint8Array, [])) expect(blockOfLine(line)).to.equal(b.key[1]);
      // Cut anywhere (inside a block too, one line at a time at the end), the rows are the same bytes.
      const cut = foldIn([3, 130, 131, 400, ...Array.from({ length: 12 }, (_, i) => lines.length - 12 + i)]);
      expect(
        cut
          .filter((r) => r.table === 'searchLines')
          .map((r) => [r.key, Buffer.from(r.value as Uint8Array).toString('hex')]),
      ).to.deep.equal(blocks.map((r) => [r.key, Buffer.from(r.value as Uint8Array).toString('hex')]));
    }
  });

  it('a text past the length whose hashes are held (70,000 characters) gets the same file and line signatures as one hashed into an array', () => {
    const long = `${'lorem ipsum dolor sit amet '.repeat(2600)}the needle at the end`;
    expect(long.length).to.be.greaterThan(64 * 1024);
    const w = new RolloutWriter('legacy', ID).sessionMeta();
    w.chatTurn('t1', long, 'short answer');
    const lines = toLines(w.text().trimEnd().split('\n'));
    const idx = memoryIndex();
    idx.apply(
      projectBatch(idx, {
        ctx: { rolloutId: ID, threadId: ID, path: '/p' },
        resetRollouts: [],
        lines,
        checkpoint: checkpointAfter('/p', ID, ID, lines[lines.length - 1]),
      }).writes,
    );
    const rows = idx.rows();
    const textLines = rows.filter((r) => r.table === 'searchText').map((r) => (r.key as [string, number])[1]);
    const longLine = textLines.find(
      (l) =>
        (rows.find((r) => r.table === 'searchText' && (r.key as [string, number])[1] === l)!.value as { text: string })
          .text === long,
    )!;
    // What the array path gives for every text of the file.
    const expectedFile = new Uint8Array(SIGNATURE_BYTES);
    const block = new Uint8Array(1 << 16);
    let at = 0;
    for (const l of textLines) {
      const text = rows.find((r) => r.table === 'searchText' && (r.key as [string, number])[1] === l)!.value as {
        text: string;
        raw?: string;
      };
      const hashes = gramHashesOf(text.raw ?? text.text);
      setHashes(expectedFile, hashes);
      at = writeLineEntry(block, at, l, hashes);
    }
    expect(
      Buffer.from(rows.find((r) => r.table === 'searchGrams')!.value as Uint8Array).equals(Buffer.from(expectedFile)),
    ).to.equal(true);
    const stored = rows.find((r) => r.table === 'searchLines')!.value as Uint8Array;
    expect(Buffer.from(stored).equals(Buffer.from(block.subarray(0, at)))).to.equal(true);
    expect(linesHolding(stored, termBits('NEEDLE at the END'))).to.include(longLine);
  });
});
