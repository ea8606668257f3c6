// The thread/list answers a store keeps per write mark, and the ones being worked out: a request
// that asks the same query at the same mark meanwhile waits for that answer, never one of another mark.
import { expect } from 'chai';
import type { IndexStore } from '../../domain/ports.js';
import { answering, keepAnswer, keptAnswer, runningAnswer } from '../../replay/internal/listingMemo.js';

const storeOf = (): IndexStore => ({}) as IndexStore;

describe('listingMemo: thread/list answers per store and write mark', () => {
  it('an answer being worked out is waited for by the same query at the same mark, and by nothing else', async () => {
    const index = storeOf();
    const settle = answering<string>(index, 'm1', 'q');
    const waiting = runningAnswer<string>(index, 'm1', 'q');
    expect(waiting, 'the same query, the same mark').to.not.equal(undefined);
    expect(runningAnswer(index, 'm1', 'other'), 'another query').to.equal(undefined);
    expect(runningAnswer(index, 'm2', 'q'), 'another mark').to.equal(undefined);
    expect(runningAnswer(storeOf(), 'm1', 'q'), 'another store').to.equal(undefined);
    settle('answer');
    expect(await waiting).to.equal('answer');
    expect(runningAnswer(index, 'm1', 'q'), 'settled: no longer running').to.equal(undefined);
  });

  it('an answer that is not shared (an error, the request’s own) leaves the waiting requests to work out their own', async () => {
    const index = storeOf();
    const settle = answering<string>(index, 'm1', 'q');
    const waiting = runningAnswer<string>(index, 'm1', 'q');
    settle(undefined);
    expect(await waiting).to.equal(undefined);
  });

  it('a new mark drops what ran and what was kept at the old one', async () => {
    const index = storeOf();
    const old = answering<string>(index, 'm1', 'q');
    keepAnswer(index, 'm1', 'q', 'kept');
    expect(keptAnswer(index, 'm1', 'q')).to.equal('kept');
    const settle = answering<string>(index, 'm2', 'q');
    expect(runningAnswer(index, 'm1', 'q')).to.equal(undefined);
    keepAnswer(index, 'm2', 'q', 'new');
    expect(keptAnswer(index, 'm1', 'q'), 'the old mark').to.equal(undefined);
    expect(keptAnswer(index, 'm2', 'q')).to.equal('new');
    const waiting = runningAnswer<string>(index, 'm2', 'q');
    old('late');
    settle('m2 answer');
    expect(await waiting, 'the old mark’s answer is not the new one’s').to.equal('m2 answer');
  });
});
