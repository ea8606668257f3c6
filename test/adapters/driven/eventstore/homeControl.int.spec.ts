import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../../domain/errors.js';
import type { EventStoreConnection } from '../../../../adapters/driven/eventstore/eventStoreClient.js';
import { connectEventStore } from '../../../../adapters/driven/eventstore/eventStoreClient.js';
import type { HomeFact } from '../../../../adapters/driven/eventstore/homeControl.js';
import {
  HOME_CONTROL_STREAM,
  readHomeFacts,
  recordHomeFacts,
} from '../../../../adapters/driven/eventstore/homeControl.js';
import { useEventStore } from '../../../eventstore/useEventStore.js';
import { skipUnmet } from '../../../fixtures/skipUnmet.js';

const right = <A>(e: E.Either<EngineError, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`);
  return e.right;
};

/** The control stream starts empty only on a fresh test server. */
describe('the home control stream, folded per connection', function () {
  const store = useEventStore();
  const open: EventStoreConnection[] = [];
  const connect = (): EventStoreConnection => {
    const c = connectEventStore(store().connectionString);
    open.push(c);
    return c;
  };
  before(function () {
    skipUnmet(this, store().server !== undefined, 'the EventStoreDB test server', 'its faults are injected');
  });
  after(async () => {
    for (const c of open) await c.close();
  });

  it('a read folds only what came after the last one (another node’s facts included); reads at once agree; the fold equals one made anew', async () => {
    const writer = connect();
    const inner = connect();
    const from: number[] = [];
    const reader: EventStoreConnection = {
      ...inner,
      read: (stream, start, direction, maxCount) => {
        if (stream === HOME_CONTROL_STREAM && typeof start === 'number') from.push(start);
        return inner.read(stream, start, direction, maxCount);
      },
    };

    right(
      await recordHomeFacts(writer, [
        { kind: 'rolloutFile', stream: 'rollout-a', file: 'sessions/2026/11/21/a.jsonl' },
      ]),
    );
    const first = right(await readHomeFacts(reader));
    expect([...first.files]).to.deep.equal([['rollout-a', 'sessions/2026/11/21/a.jsonl']]);
    expect(first.revision).to.equal(0);
    expect(from).to.deep.equal([0]);

    // Another node's facts, over more than one page of the stream.
    const many: HomeFact[] = Array.from({ length: 600 }, (_, i) => ({
      kind: 'threadName' as const,
      threadId: `t${i}`,
      name: `name ${i}`,
      at: '2026-11-23T04:00:00Z',
    }));
    right(
      await recordHomeFacts(writer, [
        { kind: 'superseded', file: 'sessions/2026/11/21/a.jsonl', revision: 'a_r.jsonl' },
        ...many,
      ]),
    );
    from.length = 0;
    const reads = await Promise.all(Array.from({ length: 4 }, () => readHomeFacts(reader)));
    const after = right(reads[0]!);
    expect(after.revision).to.equal(601);
    expect(after.superseded.get('sessions/2026/11/21/a.jsonl')).to.equal('a_r.jsonl');
    expect(after.said.get('name:t599')).to.equal('name 599\u00002026-11-23T04:00:00Z');
    // Folded once, from just past the first read: revision 1, then the page after it, then the end.
    expect(from).to.deep.equal([1, 513, 602, 602, 602]);
    for (const r of reads) expect(right(r)).to.deep.equal(after);
    // An answer is the caller's: a later fold does not change it.
    right(
      await recordHomeFacts(writer, [{ kind: 'removed', stream: 'rollout-a', file: 'sessions/2026/11/21/a.jsonl' }]),
    );
    expect(right(await readHomeFacts(reader)).files.size).to.equal(0);
    expect(after.files.size).to.equal(1);
    expect(right(await readHomeFacts(connect()))).to.deep.equal(right(await readHomeFacts(reader)));
  });
});
