import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { fileAppendKeys } from '../../../../adapters/driven/jsonl/writers/appendKeys.js';
import { threadPoolTrips } from '../../../fixtures/threadPoolTrips.js';
import { useTempDir } from '../../../fixtures/tempDir.js';

describe('appendKeys: the idempotency keys of rollout/append', () => {
  const tmp = useTempDir('append-keys-');

  it('a key looked up and recorded goes through the thread pool only for the record’s own open, write and fsync; a record is found again by another reader', async () => {
    const keys = fileAppendKeys(tmp());
    const record = (i: number) => ({
      idempotencyKey: `k${i}`,
      threadId: 't',
      path: '/h/rollout.jsonl',
      firstOrdinal: i,
      lines: 1,
      ordinal: i + 1,
      byteOffset: 10 * (i + 1),
    });
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { value, trips } = await threadPoolTrips(async () => {
        const found = await keys.find(`k${i}`, ['x'])();
        const recorded = await keys.record(record(i), ['x'])();
        return { found, recorded };
      });
      expect(value).to.deep.equal({ found: E.right(undefined), recorded: E.right(undefined) });
      counts.push(trips);
    }
    // 23 a key when the file's stat, read, folder and lock were trips (10 for the first: the file is made).
    expect(Math.max(...counts.slice(1))).to.be.at.most(6);
    const again = await fileAppendKeys(tmp()).find('k1', ['x'])();
    expect(again).to.deep.equal(E.right({ record: record(1), sameLines: true }));
  });
});
