// A fork's preview as Codex 0.169.0 answers it, on each of its paths (issue 35 row 10), next to
// ours. Codex keeps a thread's preview in its state DB: the live Codex that forks writes the
// inherited first message there; a Codex that repairs a row from the files (what a `thread/list`
// with a search term does to the rows it matched) or builds its DB from them writes the first user
// message of the thread's current file, `""` for a file without one. So the same home answers the
// inherited message until a search, the fork's own after it. We answer the inherited one on every
// path (the documented choice); this suite shows both of Codex's answers.
import { expect } from 'chai';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openColdCodex } from './compatHomes.js';
import { freshRoot, openEngineServer } from './mutationHarness.js';
import { buildCompatHomes } from './scenarios.js';
import type { CompatHome } from './scenarios.js';

/** What a paginated fork's or reverted thread's own (current) file starts with, by label: the fork scenario's and revert scenario's texts. */
const OWN_FIRST_MESSAGE: Readonly<Record<string, string>> = {
  'fork-whole': '',
  'fork-before-turn-3': '',
  'fork-last-turn-2': 'Fork turn: continue from turn 2.',
  'fork-of-fork': 'Fork of fork turn.',
  'fork-of-reverted': 'Turn on the fork of the reverted thread.',
  main: 'Turn after the third revert.',
};
const INHERITED = 'Turn 1: tell me fact number 1.';

type Previews = Record<string, string | undefined>;

describe("compat: a fork's preview on each of Codex's paths (codex app-server 0.169.0), next to ours", function () {
  this.timeout(300_000);
  let root: string;
  let homes: CompatHome[];

  before(async function () {
    this.timeout(300_000);
    root = freshRoot();
    homes = await buildCompatHomes(root, { scenarios: ['fork', 'revert'], concurrency: 2 });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const labelled = (h: CompatHome, ids: ReadonlyArray<{ id: string; preview: string }>): Previews =>
    Object.fromEntries(ids.map((t) => [h.threads.find((r) => r.id === t.id)?.label ?? t.id, t.preview]));

  /**
   * `thread/list {useStateDbOnly}` and each thread's `thread/read`, by label, from one server's
   * `ask`. `readsFirst`: our server answers useStateDbOnly from the index as it is, so the reads
   * (which index each thread) come first there; Codex is asked the list first, as a client would.
   */
  const previewsOf = async (
    h: CompatHome,
    ask: (method: string, params: unknown) => Promise<any>,
    readsFirst = false,
  ): Promise<{ listed: Previews; read: Previews; searched: Previews }> => {
    const list = async (): Promise<Previews> =>
      labelled(
        h,
        ((await ask('thread/list', { useStateDbOnly: true })) as { data: Array<{ id: string; preview: string }> }).data,
      );
    const listedFirst = readsFirst ? undefined : await list();
    const read: Previews = {};
    for (const t of h.threads)
      read[t.label] = (
        (await ask('thread/read', { threadId: t.id })) as { thread: { preview: string } }
      ).thread.preview;
    // thread/search (which repairs no row, unlike a thread/list with a search term): every thread's first message holds "Turn".
    const searched = labelled(
      h,
      (
        (await ask('thread/search', { searchTerm: 'Turn', limit: 100 })) as {
          data: Array<{ thread: { id: string; preview: string } }>;
        }
      ).data.map((r) => r.thread),
    );
    return { listed: listedFirst ?? (await list()), read, searched };
  };

  for (const key of ['fork-paginated', 'revert-paginated', 'fork-legacy']) {
    it(`${key}: ours is the inherited message; Codex's is too until a search repairs its rows, then the fork's own, and its own without its DB`, async () => {
      const h = homes.find((x) => x.key === key)!;
      const ours = await openEngineServer(h);
      let engine: { listed: Previews; read: Previews };
      try {
        engine = await previewsOf(
          h,
          async (m, p) => {
            const a = await ours.request(m, p);
            if (!('result' in a)) throw new Error(`${m}: ${JSON.stringify(a.error)}`);
            return a.result;
          },
          true,
        );
      } finally {
        await ours.close();
      }
      const labels = h.threads.map((t) => t.label);
      for (const l of labels) expect(engine.read[l], `ours: ${l}`).to.equal(INHERITED);
      /** What Codex answers of a thread whose preview comes from its current file. */
      const own = (l: string): string =>
        h.mode === 'legacy' || OWN_FIRST_MESSAGE[l] === undefined ? INHERITED : OWN_FIRST_MESSAGE[l]!;

      // A copy without the state DB, taken before any Codex repairs the rows.
      const bare = join(root, `bare-${key}`);
      cpSync(join(h.codexHome, '..'), bare, { recursive: true, preserveTimestamps: true });
      for (const f of readdirSync(join(bare, 'home')))
        if (f.startsWith('state_5.sqlite')) rmSync(join(bare, 'home', f));

      const codex = await openColdCodex(h);
      try {
        const ask = (m: string, p: unknown) => codex.server.request(m, p);
        const before = await previewsOf(h, ask);
        expect(before, 'Codex with the DB the live Codex wrote: the inherited message, as ours').to.deep.equal(engine);
        await ask('thread/list', { searchTerm: 'fact' });
        const repaired = await previewsOf(h, ask);
        for (const l of labels) {
          expect(repaired.read[l], `Codex after a search: ${l}`).to.equal(own(l) === '' ? INHERITED : own(l));
          if (repaired.listed[l] !== undefined)
            expect(repaired.listed[l], `listed after a search: ${l}`).to.equal(repaired.read[l]);
          if (repaired.searched[l] !== undefined)
            expect(repaired.searched[l], `found by thread/search after a search: ${l}`).to.equal(repaired.read[l]);
        }
      } finally {
        await codex.stop();
      }

      const fresh = await openColdCodex({ ...h, codexHome: join(bare, 'home'), workDir: join(bare, 'work') });
      try {
        const rebuilt = await previewsOf(h, (m, p) => fresh.server.request(m, p));
        for (const l of labels) {
          expect(rebuilt.read[l], `Codex without its DB: ${l}`).to.equal(own(l));
          // Codex lists only threads with a preview.
          expect(rebuilt.listed[l], `listed without its DB: ${l}`).to.equal(own(l) === '' ? undefined : own(l));
          expect(rebuilt.searched[l], `found by thread/search without its DB: ${l}`).to.equal(
            own(l) === '' ? undefined : own(l),
          );
        }
      } finally {
        await fresh.stop();
      }
    });
  }
});
