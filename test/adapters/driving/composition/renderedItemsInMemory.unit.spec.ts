import { expect } from 'chai';
import { renderedItemsInMemory } from '../../../../adapters/driving/composition/renderedItemsInMemory.js';
import type { ThreadItem } from '../../../../domain/thread/threadItem.js';

const item = (id: string): ThreadItem => ({ type: 'agentMessage', id, text: id }) as unknown as ThreadItem;

describe('renderedItemsInMemory: rendered items by key and texts, bounded by the characters kept', () => {
  it('gives back what was set, for the same key and texts only', () => {
    const r = renderedItemsInMemory(1000);
    r.set('a', ['{"x":1}', '{"y":2}'], item('1'));
    expect(r.get('a', ['{"x":1}', '{"y":2}'])).to.deep.equal(item('1'));
    expect(r.get('b', ['{"x":1}', '{"y":2}'])).to.equal(undefined);
    expect(r.get('a', ['{"x":1}']), 'fewer texts').to.equal(undefined);
  });

  it('forgets an item whose texts have changed', () => {
    const r = renderedItemsInMemory(1000);
    r.set('a', ['{"x":1}'], item('1'));
    expect(r.get('a', ['{"x":2}'])).to.equal(undefined);
    expect(r.size()).to.equal(0);
    expect(r.get('a', ['{"x":1}']), 'forgotten').to.equal(undefined);
    r.set('a', ['{"x":2}'], item('2'));
    expect(r.get('a', ['{"x":2}'])).to.deep.equal(item('2'));
  });

  it('forgets the least recently used first once the characters kept pass the bound', () => {
    const r = renderedItemsInMemory(80);
    const text = (c: string) => [c.repeat(9)];
    for (const c of 'abc') r.set(c, text(c), item(c));
    expect(r.get('a', text('a'))).to.not.equal(undefined); // used: now the most recent
    for (const c of 'defghij') r.set(c, text(c), item(c));
    expect(r.chars()).to.be.at.most(80);
    expect(r.get('b', text('b')), 'least recently used').to.equal(undefined);
    expect(r.get('c', text('c'))).to.equal(undefined);
    expect(r.get('a', text('a')), 'used since').to.deep.equal(item('a'));
    expect(r.get('j', text('j'))).to.deep.equal(item('j'));
  });

  it('keeps no item whose texts are over an eighth of the bound', () => {
    const r = renderedItemsInMemory(80);
    r.set('x', ['x'.repeat(10)], item('x'));
    expect(r.size()).to.equal(0);
    r.set('y', ['y'.repeat(9)], item('y'));
    expect(r.size()).to.equal(1);
  });
});
