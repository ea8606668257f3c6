import { expect } from 'chai';
import * as nodePath from 'node:path';
import { openIndex } from '../../../indexer/open/openIndex.js';
import { portsOver } from '../../../adapters/driving/composition/openCodexHome.js';
import { SCHEMA_VERSION_KEY } from '../../../adapters/driven/lmdb/schema.js';
import type { LmdbIndexStore } from '../../../adapters/driven/lmdb/indexStore.js';
import type { IndexWrite } from '../../../domain/index/rows.js';
import { addThreadLinks } from '../../../migrations/index/054-thread-links.js';
import { MIGRATIONS } from '../../../migrations/index/steps.js';
import { readThreadTree } from '../../../replay/history/readThreadTree.js';
import { managedThread } from '../../../replay/internal/threadFiles.js';
import { right as rightOf } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import {
  chatThread,
  openMutationHome,
  right,
  rolloutName,
  threadFamily,
  writeRollout,
} from '../../replay/mutationHome.js';

const P = 'eeeeeeee-0000-7000-8000-000000000001';
const L = 'eeeeeeee-0000-7000-8000-000000000002';
/** Found by what it runs: its number may change as other steps land. */
const STEP = MIGRATIONS.find((m) => m.kind === 'inPlace' && m.run === addThreadLinks)!;

describe('schema step thread-links: each thread its files (threadFiles) and the threads below it (threadChildren)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('thread-links-');

  /** What the links serve: each thread's family, and the files its management moves. */
  const answers = async (store: LmdbIndexStore, home: string, ids: ReadonlyArray<string>): Promise<unknown[]> => {
    const ports = portsOver(store, home, {});
    const out: unknown[] = [];
    for (const threadId of ids) {
      out.push(await right(readThreadTree(ports.read, { threadId })));
      out.push((await managedThread(ports.read, threadId)).files.map((f) => f.path));
    }
    return out;
  };

  it('an index of the version before is migrated in place: the same rows as a fresh build, the same families and files', async () => {
    expect(STEP.kind).to.equal('inPlace');
    const home = tmp();
    writeRollout(home, rolloutName(P), chatThread('paginated', P, 3).text());
    writeRollout(home, rolloutName(L), chatThread('legacy', L, 2).text());
    const m = await openMutationHome(home);
    let ids: string[];
    let fresh: unknown;
    let answered: unknown[];
    try {
      const { fork, forkOfFork, review } = await threadFamily(m, P, L);
      ids = [P, L, fork, forkOfFork, review];
      fresh = rightOf(await m.store.dump()());
      answered = await answers(m.store, home, ids);
      // Every thread has its files, and each fork and review its link below its parent.
      expect(rightOf(await m.store.range('threadChildren', [])()).map((r) => r.key)).to.have.deep.members([
        [P, fork],
        [fork, forkOfFork],
        [L, review],
      ]);
      for (const id of ids) expect(rightOf(await m.store.range('threadFiles', [id])()).length, id).to.be.above(0);
      // The index as the version before wrote it: no links.
      const files = rightOf(await m.store.range('threadFiles', [])());
      const children = rightOf(await m.store.range('threadChildren', [])());
      rightOf(
        await m.store.commit((): IndexWrite[] => [
          ...files.map((r): IndexWrite => ({ op: 'del', table: 'threadFiles', key: r.key })),
          ...children.map((r): IndexWrite => ({ op: 'del', table: 'threadChildren', key: r.key })),
          { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: STEP.from },
        ])(),
      );
      expect(rightOf(await m.store.range('threadFiles', [])())).to.deep.equal([]);
      expect(rightOf(await m.store.range('threadChildren', [])())).to.deep.equal([]);
    } finally {
      await m.close();
    }
    // Opened at the step's version, the step runs in place (later versions may rebuild: only this step is given).
    const opened = rightOf(
      await openIndex(nodePath.join(home, '.rollout-engine', 'index'), home, { migrations: [STEP], target: STEP.to })(),
    );
    try {
      expect(opened.migrated).to.equal('steps');
      expect(rightOf(await opened.store.dump()())).to.deep.equal(fresh);
      expect(await answers(opened.store, home, ids)).to.deep.equal(answered);
    } finally {
      rightOf(await opened.store.close()());
    }
  });
});
