import { expect } from 'chai';
import { renderedItemsInMemory } from '../../../adapters/composition/renderedItemsInMemory.js';
import type { ThreadItem } from '../../../domain/thread/threadItem.js';

const item = (id: string): ThreadItem => ({ type: 'agentMessage', id, text: id }) as unknown as ThreadItem;

describe('renderedItemsInMemory: rendered items by key, bounded by the keys’ characters', () => {
  it('gives back what was set, by key', () => {
    const r = renderedItemsInMemory(1000);
    r.set('a', item('1'));
    expect(r.get('a')).to.deep.equal(item('1'));
    expect(r.get('b')).to.equal(undefined);
  });

  it('forgets the least recently used first once the keys pass the bound', () => {
    const r = renderedItemsInMemory(80);
    const key = (c: string) => c.repeat(10);
    r.set(key('a'), item('a'));
    r.set(key('b'), item('b'));
    r.set(key('c'), item('c'));
    expect(r.get(key('a'))).to.not.equal(undefined); // used: now the most recent
    for (const c of 'defghij') r.set(key(c), item(c));
    expect(r.chars()).to.be.at.most(80);
    expect(r.get(key('b')), 'least recently used').to.equal(undefined);
    expect(r.get(key('c'))).to.equal(undefined);
    expect(r.get(key('a')), 'used since').to.deep.equal(item('a'));
    expect(r.get(key('j'))).to.deep.equal(item('j'));
  });

  it('keeps no item whose key alone is over an eighth of the bound', () => {
    const r = renderedItemsInMemory(80);
    r.set('x'.repeat(11), item('x'));
    expect(r.size()).to.equal(0);
    r.set('y'.repeat(10), item('y'));
    expect(r.size()).to.equal(1);
  });
});
