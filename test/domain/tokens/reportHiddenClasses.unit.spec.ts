import { expect } from 'chai';
import { threadSumOf } from '../../fixtures/tokenHistories.js';
import { DEFAULT_PRICING } from '../../../domain/tokens/pricing.js';
import { buildTokenReport } from '../../../domain/tokens/report.js';
import { bucketSums, tokenSumsOf } from '../../../domain/tokens/reportSums.js';
import { localDayIn } from '../../../adapters/driven/system/timeZone.js';
import { FEW_HIDDEN_CLASSES, hiddenClasses } from '../../fixtures/hiddenClasses.js';

/**
 * A report holds a group a thread, and a home's sums one a thread and slot: on a home of 82,000
 * threads, Node 20's V8 gave each object made by a spread a hidden class of its own (a Map and its
 * descriptors, about 370 bytes an object; 140 MB more peak for a report by thread). Objects of one
 * shape written as one literal share one. Node 20 is the line this guards: on Node 22 the same
 * report barely changed (420 → 415 MB).
 */
const THREADS = 300;

describe('token report objects share their hidden classes', () => {
  const buckets = Array.from({ length: THREADS }, (_, n) => threadSumOf(n));
  const options = { localDay: localDayIn('UTC'), pricing: DEFAULT_PRICING };

  it('a report by thread: its groups, and their model rows', () => {
    const r = buildTokenReport([], { ...options, dimensions: ['thread'] }, buckets);
    const groups = r.groups.thread;
    expect(groups).to.have.length(THREADS);
    expect(hiddenClasses(groups)).to.be.at.most(FEW_HIDDEN_CLASSES);
    expect(hiddenClasses(groups.map((g) => g.models[0]!))).to.be.at.most(FEW_HIDDEN_CLASSES);
  });

  it("a home's sums, one a thread and slot", () => {
    const read = bucketSums();
    for (const b of buckets) read.addBucket(b);
    const sums = tokenSumsOf([], read);
    expect(sums.entries).to.have.length(THREADS);
    expect(hiddenClasses(sums.entries)).to.be.at.most(FEW_HIDDEN_CLASSES);
    expect(hiddenClasses(sums.acrossThreads)).to.be.at.most(FEW_HIDDEN_CLASSES);
  });
});
