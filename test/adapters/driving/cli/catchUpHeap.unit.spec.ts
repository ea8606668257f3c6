import { expect } from 'chai';
import { rejected } from '../../../../domain/errors.js';
import type { Progress } from '../../../../indexer/catchUp/catchUp.js';
import type { IndexStatus, IndexWork } from '../../../../indexer/open/indexStatus.js';
import { CATCH_UP_HEADROOM_BYTES, catchUpHeap } from '../../../../adapters/driving/cli/catchUpHeap.js';

/**
 * The heap's bound for a CLI process's catch-ups (adapters/driving/cli/catchUpHeap.ts), told by
 * their statuses: set from a catch-up's probes, put back when the last one running ends.
 */
const at = (stage: Progress['stage'], work: IndexWork = 'build', home = '/h'): IndexStatus => ({
  kind: 'indexing',
  work,
  home,
  progress: { stage, filesDone: 0, filesTotal: 1, bytesDone: 0, bytesTotal: 1 },
});

/** A bound that records what it was asked and how often it was put back. */
const recorded = () => {
  const log: string[] = [];
  const bound = (headroom: number) => {
    log.push(`bound ${headroom}`);
    return () => log.push('back');
  };
  return { log, heap: catchUpHeap(bound) };
};

describe('catchUpHeap: the heap bounded while a catch-up runs', () => {
  it('is bounded from a catch-up plan to its end, once', () => {
    const { log, heap } = recorded();
    heap(at('planned'));
    heap(at('reading'));
    heap(at('reading'));
    expect(log).to.deep.equal([`bound ${CATCH_UP_HEADROOM_BYTES}`]);
    heap(at('done'));
    expect(log).to.deep.equal([`bound ${CATCH_UP_HEADROOM_BYTES}`, 'back']);
  });

  it('is bounded from the probes of a catch-up (a whole home holds them until its plan), not from the plan only', () => {
    const { log, heap } = recorded();
    heap(at('probing'));
    expect(log).to.deep.equal([`bound ${CATCH_UP_HEADROOM_BYTES}`]);
    heap(at('planned'));
    heap(at('done'));
    expect(log).to.deep.equal([`bound ${CATCH_UP_HEADROOM_BYTES}`, 'back']);
  });

  it('two catch-ups at once (serve: its build and a catch-up of another home): put back when the last ends', () => {
    const { log, heap } = recorded();
    heap(at('planned', 'build', '/a'));
    heap(at('planned', 'catchUp', '/b'));
    heap(at('done', 'build', '/a'));
    expect(log).to.deep.equal([`bound ${CATCH_UP_HEADROOM_BYTES}`]);
    heap(at('done', 'catchUp', '/b'));
    expect(log).to.deep.equal([`bound ${CATCH_UP_HEADROOM_BYTES}`, 'back']);
  });

  it('a catch-up that stopped short of done (failed: serve goes on) puts it back', () => {
    const { log, heap } = recorded();
    heap(at('probing', 'catchUp'));
    heap(at('stopped', 'catchUp'));
    expect(log).to.deep.equal([`bound ${CATCH_UP_HEADROOM_BYTES}`, 'back']);
  });

  it('a failed backfill (no done) puts it back; other statuses change nothing', () => {
    const { log, heap } = recorded();
    heap({ kind: 'waiting', home: '/h', holder: undefined, waitMs: 1 });
    expect(log).to.deep.equal([]);
    heap(at('planned'));
    heap({ kind: 'backfillFailed', home: '/h', error: rejected('stopped') });
    expect(log).to.deep.equal([`bound ${CATCH_UP_HEADROOM_BYTES}`, 'back']);
    heap(at('planned'));
    expect(log).to.have.length(3);
  });
});
