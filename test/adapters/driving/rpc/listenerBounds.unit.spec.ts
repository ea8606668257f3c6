import { expect } from 'chai';
import { DEFAULT_LISTENER_BOUNDS, fitToDescriptors } from '../../../../adapters/driving/rpc/listenerBounds.js';

describe('listenerBounds · fitToDescriptors: sessions and pending connections within half the descriptors', () => {
  it('keeps the defaults where they fit (1,024 descriptors: 256 + 64 of 512)', () => {
    expect(fitToDescriptors(DEFAULT_LISTENER_BOUNDS, 1024)).to.deep.equal(DEFAULT_LISTENER_BOUNDS);
  });

  it('shrinks them to fit: 256 descriptors hold 32 pending connections and 96 sessions', () => {
    const fitted = fitToDescriptors(DEFAULT_LISTENER_BOUNDS, 256);
    expect({ maxHeads: fitted.maxHeads, maxConnections: fitted.maxConnections }).to.deep.equal({
      maxHeads: 32,
      maxConnections: 96,
    });
    expect(fitted.maxHeads + fitted.maxConnections).to.be.at.most(128);
  });

  it('keeps at least 8 pending connections and one session on a tiny limit, and never raises a bound', () => {
    expect(fitToDescriptors(DEFAULT_LISTENER_BOUNDS, 32)).to.include({ maxHeads: 8, maxConnections: 8 });
    expect(fitToDescriptors({ ...DEFAULT_LISTENER_BOUNDS, maxHeads: 4, maxConnections: 600 }, 1024)).to.include({
      maxHeads: 4,
      maxConnections: 508,
    });
  });
});
