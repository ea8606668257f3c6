import { expect } from 'chai';
import * as v8 from 'node:v8';
import {
  LEAST_GROWTH_PERCENT,
  boundHeapHeadroom,
  garbageBound,
  growthFor,
  setHeapGrowth,
} from '../../../../adapters/driven/system/garbageBound.js';
import { churnedPeakRatio, objects, ringOf } from '../../../fixtures/heapChurn.js';

/**
 * A one-shot process's full collections (adapters/driven/system/garbageBound.ts): after every
 * `everyBytes` read, and when a step is done if it read anything or grew the heap by `stepBytes`
 * (`everyBytes` unless given); and `setHeapGrowth`, the old generation's growth past what a full
 * collection left.
 * Observed through the heap V8 reports: garbage a step left is gone once `done` returns.
 */
const usedMb = (): number => v8.getHeapStatistics().used_heap_size / 2 ** 20;

describe('garbageBound: full collections between the steps of a one-shot process', () => {
  it('done: a step that read nothing but left 16 MB of objects has them collected before the next step', () => {
    // From a collected heap: garbage earlier tests left, collected by V8 while the step allocates,
    // would hide part of the step's growth from `done` (it failed so once in 3 runs on Node 24).
    garbageBound(1).read(1);
    const bound = garbageBound(8 * 2 ** 20);
    let step: ReturnType<typeof objects> | undefined = objects(16);
    const held = usedMb();
    expect(step.length).to.equal(96_000);
    step = undefined;
    bound.done();
    expect(usedMb()).to.be.below(held - 8);
  });

  it('done: under a bound that never collects on reads (everyBytes infinite), a step that read nothing and grew the heap by stepBytes is collected', () => {
    garbageBound(1).read(1);
    const bound = garbageBound(Number.POSITIVE_INFINITY, 8 * 2 ** 20);
    let step: ReturnType<typeof objects> | undefined = objects(16);
    const held = usedMb();
    expect(step.length).to.equal(96_000);
    step = undefined;
    bound.done();
    expect(usedMb()).to.be.below(held - 8);
  });

  it('done: a step that left little (under everyBytes) and read nothing is not collected', () => {
    const bound = garbageBound(64 * 2 ** 20);
    let step: ReturnType<typeof objects> | undefined = objects(4);
    step = undefined;
    const before = usedMb();
    bound.done();
    // No collection: the 4 MB of garbage is still counted (a scavenge may take a little of it: a range).
    expect(usedMb()).to.be.above(before - 2);
    expect(step).to.equal(undefined);
  });

  it('setHeapGrowth: the old generation is collected before it grows far past what a full collection left', () => {
    // The growth this process was started with (mocha's flags, else V8's own rule) is put back after.
    let growthBack = (): void => undefined;
    try {
      // A live set, and a step that holds 12 slots of 2 MB, each kept while 11 more are made (long
      // enough to be promoted), 40 made in all: the old space's peak against what the full
      // collection before the step left, where the growth set the limit from.
      const live = objects(8);
      const ring = ringOf(12);
      growthBack = setHeapGrowth(25);
      garbageBound(1).read(1);
      // 1.53-1.77 on Nodes 20, 22 and 24 (limit and marking's lag); at the CLI's 200% it passed 2.7
      // on 20 and 22 (this test fails with the flag not set).
      expect(churnedPeakRatio(ring, 40)).to.be.below(2.2);
      expect(live.length + ring.length).to.equal(48_012);
    } finally {
      growthBack();
    }
  });

  it('setHeapGrowth: refuses what is not a whole percent', () => {
    expect(() => setHeapGrowth(-1)).to.throw(RangeError);
    expect(() => setHeapGrowth(1.5)).to.throw(RangeError);
  });

  it("growthFor: the headroom as a share of the heap left, at least LEAST_GROWTH_PERCENT, at most the started (or a step's) growth", () => {
    const MB = 2 ** 20;
    expect(growthFor(20 * MB, 64 * MB, 200)).to.equal(200); // a small home's live set: the CLI's growth
    expect(growthFor(96 * MB, 64 * MB, 200)).to.equal(67);
    expect(growthFor(148 * MB, 64 * MB, 200)).to.equal(LEAST_GROWTH_PERCENT);
    expect(growthFor(0, 64 * MB, 200)).to.equal(200);
    expect(growthFor(96 * MB, 64 * MB, 25)).to.equal(25); // a step's lower growth (setHeapGrowth) wins
  });

  it('boundHeapHeadroom: in a process started without a growth (mocha), V8 keeps its own rule and the bound is a no-op', () => {
    expect(process.execArgv.some((a) => a.startsWith('--heap-growing-percent='))).to.equal(false);
    const back = boundHeapHeadroom(2 ** 20);
    back();
  });

  it('read: every everyBytes read collects what was left meanwhile', () => {
    const bound = garbageBound(8 * 2 ** 20);
    let step: ReturnType<typeof objects> | undefined = objects(16);
    const held = usedMb();
    step = undefined;
    bound.read(4 * 2 ** 20);
    expect(usedMb()).to.be.above(held - 4); // heap use, a range: not yet collected
    bound.read(4 * 2 ** 20);
    expect(usedMb()).to.be.below(held - 8);
    expect(step).to.equal(undefined);
  });
});
