// thread/list asked by many clients at once (issue 73): after a write, the requests at one index
// mark walk the thread order once and share that answer; a change is seen by the next request.
import { expect } from 'chai';
import * as nodePath from 'node:path';
import { portsOver } from '../../adapters/driving/composition/openCodexHome.js';
import { listThreads } from '../../replay/history/listThreads.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, openMutationHome, right, rolloutName, writeRollout } from './mutationHome.js';
import type { MutationHome } from './mutationHome.js';
import type { HistoryReadPorts } from '../../replay/ports.js';

const idOf = (n: number): string => `01a1fe84-0000-7000-8000-${String(n).padStart(12, '0')}`;

/**
 * The home's ports over its store, counting the walks of the thread order (a walk's first chunk:
 * the later ones start after the last key read); each chunk read after the requests waiting to
 * run, as a server's reads are (scripted: the lists interleave at every chunk).
 */
const walksCounted = (h: MutationHome): { readonly ports: HistoryReadPorts; readonly walks: { n: number } } => {
  const walks = { n: 0 };
  const counted: typeof h.store = {
    ...h.store,
    range: (table, prefix, opts) => async () => {
      if (table === 'threadOrder' && opts?.after === undefined) walks.n++;
      await new Promise((resolve) => setImmediate(resolve));
      return h.store.range(table, prefix, opts)();
    },
  };
  return { ports: portsOver(counted, h.home, {}).mutations, walks };
};

describe('thread/list asked at once by many clients', () => {
  const tmp = useTempDir('list-concurrent-');

  it('the requests at one mark walk the thread order once and answer alike; a thread written since is in the next answers', async () => {
    const home = nodePath.join(tmp(), 'home');
    for (let n = 1; n <= 3; n++) writeRollout(home, rolloutName(idOf(n)), chatThread('legacy', idOf(n), 1).text());
    const h = await openMutationHome(home);
    try {
      const { ports, walks } = walksCounted(h);
      const q = { modelProviders: ['openai'], limit: 10 };
      const first = await right(listThreads(ports, q));
      expect(first.page.data.map((t) => t.id).sort()).to.deep.equal([1, 2, 3].map(idOf));
      writeRollout(home, rolloutName(idOf(4)), chatThread('legacy', idOf(4), 1).text());
      // Caught up ahead of the lists: each list's own catch-up then finds nothing to write, one mark for all.
      await right(ports.indexer.refreshAll());
      walks.n = 0;
      const answers = await Promise.all(Array.from({ length: 8 }, () => right(listThreads(ports, q))));
      expect(walks.n, 'walks of the thread order').to.equal(1);
      for (const a of answers) expect(a).to.deep.equal(answers[0]);
      expect(answers[0]!.page.data.map((t) => t.id).sort()).to.deep.equal([1, 2, 3, 4].map(idOf));
    } finally {
      await h.close();
    }
  });

  it('a walk through rows the filter passes by (no thread of the provider asked) is done once for the requests at one mark', async () => {
    const home = nodePath.join(tmp(), 'home');
    for (let n = 1; n <= 40; n++) writeRollout(home, rolloutName(idOf(n)), chatThread('legacy', idOf(n), 1).text());
    const h = await openMutationHome(home);
    try {
      const { ports, walks } = walksCounted(h);
      await right(ports.indexer.refreshAll());
      const q = { modelProviders: ['elsewhere'], limit: 1 };
      const answers = await Promise.all(Array.from({ length: 8 }, () => right(listThreads(ports, q))));
      expect(walks.n, 'walks of the thread order').to.equal(1);
      for (const a of answers) expect(a.page.data).to.deep.equal([]);
    } finally {
      await h.close();
    }
  });
});
