import { expect } from 'chai';
import { uuidv7Ids } from '../../../../adapters/driven/system/uuidv7.js';

describe('UUIDv7 ids', () => {
  it('are RFC 9562 version 7, carry the millisecond time, and increase within one millisecond', () => {
    const ms = Date.UTC(2026, 10, 21, 14, 31, 22, 525);
    const ids = uuidv7Ids(() => ms);
    const made = Array.from({ length: 5000 }, () => ids.uuidv7());
    for (const id of made) expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(made[0]!.replace(/-/g, '').slice(0, 12), 16)).to.equal(ms);
    expect([...made].sort()).to.deep.equal(made);
    expect(new Set(made).size).to.equal(made.length);
  });

  it('never go back when the clock does', () => {
    let t = 2_000_000;
    const ids = uuidv7Ids(() => t);
    const a = ids.uuidv7();
    t -= 1000;
    expect(ids.uuidv7() > a).to.equal(true);
  });
});
