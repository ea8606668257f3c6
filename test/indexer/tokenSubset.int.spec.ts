import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { auditTokenUsage } from '../../replay/tokens/auditTokenUsage.js';
import { DEFAULT_PRICING } from '../../domain/tokens/pricing.js';
import { act, newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import type { Action, SynthThread } from '../projections/synth.js';
import { right } from '../fixtures/right.js';

/**
 * The token projection caught up alone (`tokens` on a fresh or stale home) keeps its own
 * checkpoints; whatever happens to the files between that and a full catch-up (growth, a rewrite,
 * a removal), the full catch-up leaves the index a fresh full build would make, and the token
 * report read from the projection alone equals the one read after the full build.
 */

const writeLines = async (p: string, lines: ReadonlyArray<string>): Promise<string> => {
  await fs.mkdir(nodePath.dirname(p), { recursive: true });
  await fs.writeFile(p, lines.map((l) => l + '\n').join(''));
  return p;
};
const appendTurns = async (p: string, t: SynthThread, n: number): Promise<void> => {
  const more: string[] = [];
  for (let i = 0; i < n; i++)
    for (const a of ['startTurn', 'context', 'user', 'agent', 'tokens', 'complete'] as const)
      more.push(...act(t, a as Action));
  await fs.appendFile(p, more.map((l) => l + '\n').join(''));
};

const dumpOf = async (s: LmdbIndexStore): Promise<string> => JSON.stringify(right(await s.dump()()));

const withFreshStore = async <A>(use: (s: LmdbIndexStore) => Promise<A>): Promise<A> => {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-tokens-rebuild-'));
  const s = right(await openLmdbIndex(dir)());
  try {
    return await use(s);
  } finally {
    right(await s.close()());
    await fs.rm(dir, { recursive: true, force: true });
  }
};

const reportOf = async (s: LmdbIndexStore) =>
  right(await auditTokenUsage(s, { localDay: (iso) => iso.slice(0, 10), pricing: DEFAULT_PRICING })());

describe('the token projection caught up alone, then a full catch-up', function () {
  this.timeout(120_000);
  let home: string;
  let dir: string;
  let store: LmdbIndexStore;

  beforeEach(async () => {
    home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-tokens-'));
    dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-tokens-'));
    store = right(await openLmdbIndex(dir)());
  });
  afterEach(async () => {
    right(await store.close()());
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(dir, { recursive: true, force: true });
  });

  const rebuild = () =>
    withFreshStore(
      async (s) => (right(await catchUpHome(s, home)()), { dump: await dumpOf(s), report: await reportOf(s) }),
    );
  const tokensOnly = async () => right(await catchUpHome(store, home, { subset: 'tokens' })());
  const full = async () => right(await catchUpHome(store, home)());
  const count = async (table: 'files' | 'tokenFiles' | 'threads' | 'turns' | 'tokenAudit') =>
    right(await store.range(table, [])()).length;

  it('reads only the token projection: its own checkpoints, no other rows; the report equals a full build’s', async () => {
    const a = newThread(81);
    const b = newThread(82, 'legacy');
    await writeLines(nodePath.join(home, rolloutRelPath(a.threadId)), threadLines(a, 5));
    await writeLines(nodePath.join(home, rolloutRelPath(b.threadId)), threadLines(b, 3));
    expect(await tokensOnly()).to.deep.include({ indexed: 2 });
    expect([
      await count('tokenFiles'),
      await count('files'),
      await count('threads'),
      await count('turns'),
    ]).to.deep.equal([2, 0, 0, 0]);
    expect(await count('tokenAudit')).to.be.greaterThan(0);
    const built = await rebuild();
    expect(await reportOf(store)).to.deep.equal(built.report);
    // Nothing changed: nothing read.
    expect(await tokensOnly()).to.deep.include({ unchanged: 2, bytes: 0 });
    // The full catch-up folds the rest and passes the token checkpoints: the index of a fresh full build.
    await full();
    expect(await count('tokenFiles')).to.equal(0);
    expect(await dumpOf(store)).to.equal(built.dump);
  });

  it('a session_index.jsonl it cannot read (a folder) fails neither the token pass nor a full catch-up (issue 68: a bad entry is skipped, never fatal); the names are simply absent', async () => {
    const a = newThread(88);
    await writeLines(nodePath.join(home, rolloutRelPath(a.threadId)), threadLines(a, 3));
    // A folder where Codex keeps its names: reading it is refused (not a regular file).
    await fs.mkdir(nodePath.join(home, 'session_index.jsonl'));
    expect(await tokensOnly()).to.deep.include({ indexed: 1 });
    expect((await reportOf(store)).total.responses).to.equal(3);
    const caughtUp = await catchUpHome(store, home)();
    expect(caughtUp._tag, JSON.stringify(caughtUp)).to.equal('Right');
    expect((await reportOf(store)).total.responses).to.equal(3);
  });

  it('a file of more responses than a transaction holds is committed part way, and ends as a fresh build', async () => {
    const a = newThread(86);
    const b = newThread(87, 'legacy');
    await writeLines(nodePath.join(home, rolloutRelPath(a.threadId)), threadLines(a, 2500));
    await writeLines(nodePath.join(home, rolloutRelPath(b.threadId)), threadLines(b, 1800));
    expect(await tokensOnly()).to.deep.include({ indexed: 2 });
    expect(await count('tokenAudit')).to.be.greaterThan(4096);
    const built = await rebuild();
    expect(await reportOf(store)).to.deep.equal(built.report);
    await full();
    expect(await dumpOf(store)).to.equal(built.dump);
  });

  it('a file grown between: the token projection tails it alone, the full catch-up folds it whole once', async () => {
    const a = newThread(83);
    const p = await writeLines(nodePath.join(home, rolloutRelPath(a.threadId)), threadLines(a, 4));
    await full();
    await appendTurns(p, a, 2);
    expect(await tokensOnly()).to.deep.include({ tailed: 1 });
    expect(await count('tokenFiles')).to.equal(1);
    const built = await rebuild();
    expect(await reportOf(store)).to.deep.equal(built.report);
    await appendTurns(p, a, 1);
    expect(await tokensOnly()).to.deep.include({ tailed: 1 });
    expect(await full()).to.deep.include({ tailed: 1 });
    expect(await count('tokenFiles')).to.equal(0);
    expect(await dumpOf(store)).to.equal((await rebuild()).dump);
  });

  it('a file rewritten or removed after the token projection caught it up alone: the full catch-up ends as a fresh build', async () => {
    const a = newThread(84);
    const b = newThread(85);
    const pa = await writeLines(nodePath.join(home, rolloutRelPath(a.threadId)), threadLines(a, 4));
    const pb = await writeLines(nodePath.join(home, rolloutRelPath(b.threadId)), threadLines(b, 4));
    await tokensOnly();
    // Rewritten before the token checkpoint (same length: only the bytes tell), and the other file removed.
    const bytes = await fs.readFile(pa);
    const at = bytes.lastIndexOf('"duration_ms":1000');
    expect(at).to.be.greaterThan(4096);
    bytes.write('"duration_ms":4321', at);
    await fs.writeFile(pa, bytes);
    await appendTurns(pa, a, 1);
    await fs.rm(pb);
    await full();
    expect(await count('tokenFiles')).to.equal(0);
    expect(await dumpOf(store)).to.equal((await rebuild()).dump);
    // And the other way round: the token projection alone re-indexes a rewritten file, then the full catch-up.
    const again = await fs.readFile(pa);
    again.write('"duration_ms":1234', again.indexOf('"duration_ms":1000', 4096));
    await fs.writeFile(pa, again);
    expect(await tokensOnly()).to.deep.include({ reindexed: 1 });
    expect(await reportOf(store)).to.deep.equal((await rebuild()).report);
    await full();
    expect(await dumpOf(store)).to.equal((await rebuild()).dump);
  });
});
