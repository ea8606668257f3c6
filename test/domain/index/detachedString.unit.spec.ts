import { expect } from 'chai';
import * as v8 from 'node:v8';
import { detachedString } from '../../../domain/index/detachedString.js';
import { garbageBound } from '../../../adapters/driven/system/garbageBound.js';

/** Heap in use after a full collection (garbageBound's collector: one read past its bound). */
const liveMb = (): number => {
  garbageBound(1).read(1);
  return v8.getHeapStatistics().used_heap_size / 2 ** 20;
};

/** `n` texts of 1 MB each, flat, each cut to a 36-character id (as msgpackr cuts a row's strings). */
const cutsOfTexts = (n: number, keep: (cut: string) => string): string[] =>
  Array.from({ length: n }, (_, i) => {
    const text = `${String(i).padStart(8, '0')}-${'x'.repeat(2 ** 20)}`;
    return keep(text.slice(0, 36));
  });

describe('detachedString: a string of its own, holding none of the text it was cut from', () => {
  it('is an exact copy, past a call of code units and with lone surrogates', () => {
    for (const s of ['', 'codex_cli_rs', '019a0c2e-5b1e-7c10-9e0f-2d7a7d3c1a11', 'a\uD800b\uDC00', 'é'.repeat(10_000)])
      expect(detachedString(s)).to.equal(s);
  });

  it('kept copies of cuts keep none of their 1 MB texts, where the cuts themselves keep every text', () => {
    const before = liveMb();
    const cuts = cutsOfTexts(48, (cut) => cut);
    const heldByCuts = liveMb() - before;
    expect(cuts.length).to.equal(48);
    cuts.length = 0;
    const copies = cutsOfTexts(48, detachedString);
    const heldByCopies = liveMb() - before;
    expect(copies.every((c, i) => c.startsWith(String(i).padStart(8, '0')))).to.equal(true);
    // The premise (V8 cuts a long string by reference): 48 texts of 1 MB live through their cuts.
    expect(heldByCuts).to.be.above(40);
    expect(heldByCopies).to.be.below(4);
  });
});
