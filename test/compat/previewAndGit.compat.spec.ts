// Issue 69, defects 4 and 6: a thread's preview and its gitInfo as codex app-server 0.169.0 answers
// them, next to ours, on copies of the fork scenario's homes (both history modes, written by the
// real binary) with their lines edited as users' homes hold them: the source thread's first user
// message a VS Code one (`# Context from my IDE setup:` … `## My request for Codex:` and the request
// with blanks around it), a fork's first message with blanks around it, the source thread's meta
// `"git": {}` and a fork's `"git": {"branch": …}`. Codex's state DB is left out (it builds it from the
// edited files). Compared: `thread/read` and the rows of `thread/list` (file scan and state DB).
// The rules: codex-rs/state/src/extract.rs (`strip_user_message_prefix`, the state DB's preview),
// codex-rs/thread-store/src/local (`git_info_from_parts`: no field, no gitInfo).
import { expect } from 'chai';
import { cpSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withColdCodexAndOurs } from './codexAndOurs.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import { freshRoot } from './mutationHarness.js';
import { buildCompatHomes, discoverRollouts } from './scenarios.js';
import type { CompatHome } from './scenarios.js';

const FIRST_MESSAGE = 'Turn 1: tell me fact number 1.';
const VS_CODE_MESSAGE =
  '# Context from my IDE setup:\n\n## Active file: src/app.ts\n\n## Open tabs:\n- app.ts: src/app.ts\n\n## My request for Codex:\n  Fix the failing test, please.  \n';
const PADDED_MESSAGE = '\n   Turn 1 with blanks around it.  \n\t';

/** A JSON string's inside, as it stands in a line. */
const inJson = (s: string): string => JSON.stringify(s).slice(1, -1);

/** Rewrites one rollout's lines (its times kept: Codex orders threads by them). */
const editFile = (path: string, edit: (text: string) => string): void => {
  const { atime, mtime } = statSync(path);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
  utimesSync(path, atime, mtime);
};

/** The first line's meta with `git` set. */
const withGit =
  (git: Record<string, unknown>) =>
  (text: string): string => {
    const lines = text.split('\n');
    const meta = JSON.parse(lines[0]!) as { payload: Record<string, unknown> };
    meta.payload['git'] = git;
    lines[0] = JSON.stringify(meta);
    return lines.join('\n');
  };

type Row = { id: string; preview: string; gitInfo: unknown };
const fieldsOf = (t: Row): Row => ({ id: t.id, preview: t.preview, gitInfo: t.gitInfo });

describe("compat: a thread's preview (VS Code message, blanks) and an empty git object (codex app-server 0.169.0)", function () {
  this.timeout(600_000);
  let root: string;
  let homes: CompatHome[];

  before(async function () {
    this.timeout(300_000);
    root = freshRoot();
    const built = await buildCompatHomes(join(root, 'built'), { scenarios: ['fork'], concurrency: 2 });
    homes = built.map((h) => {
      const to = join(root, 'edited', h.key);
      cpSync(join(h.codexHome, '..'), to, { recursive: true, preserveTimestamps: true });
      const home: CompatHome = { ...h, codexHome: join(to, 'home'), workDir: join(to, 'work') };
      for (const f of ['state_5.sqlite', 'state_5.sqlite-wal', 'state_5.sqlite-shm'])
        rmSync(join(home.codexHome, f), { force: true });
      const pathOf = (label: string): string => {
        const id = home.threads.find((t) => t.label === label)!.id;
        return discoverRollouts(home.codexHome).find((r) => r.threadId === id)!.path;
      };
      editFile(pathOf('source'), (text) =>
        withGit({})(text.split(inJson(FIRST_MESSAGE)).join(inJson(VS_CODE_MESSAGE))),
      );
      editFile(pathOf('fork-last-turn-2'), withGit({ branch: 'dev' }));
      // A fork's own copy of the first message (legacy forks copy their history), with blanks around it.
      editFile(pathOf('fork-whole'), (text) => text.split(inJson(FIRST_MESSAGE)).join(inJson(PADDED_MESSAGE)));
      return home;
    });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const mode of ['legacy', 'paginated']) {
    it(`fork-${mode}: every thread's preview and gitInfo, read and listed, equal Codex's`, async () => {
      const home = homes.find((h) => h.key === `fork-${mode}`)!;
      const sourceId = home.threads.find((t) => t.label === 'source')!.id;
      const indexDir = mkdtempSync(join(tmpdir(), 'compat-preview-index-'));
      const differing: string[] = [];
      let compared = 0;
      try {
        await withColdCodexAndOurs(home, { args: ['--index-dir', indexDir] }, async (codex, ours) => {
          const askOurs = async (m: string, p: unknown): Promise<any> => {
            const a = await ours.request(m, p);
            if (!('result' in a)) throw new Error(`${m}: ${JSON.stringify(a.error)}`);
            return a.result;
          };
          const askCodex = (m: string, p: unknown): Promise<any> => codex.request(m, p);
          const compare = (label: string, c: unknown, o: unknown): void => {
            compared += 1;
            const d = jsonDifferences(c, o, 6);
            if (d.length > 0) differing.push(`${label}\n${describeDifferences(d)}`);
          };
          // A paginated fork's preview, Codex without the live writer's DB takes from the fork's own
          // file, ours is the inherited message (the documented choice: forkPreview.compat.spec.ts).
          const ownPreview = (r: Row): Row =>
            mode === 'paginated' && r.id !== sourceId ? { ...r, preview: '(fork)' } : r;
          // And its state DB lists only threads with a preview: there, the source's row alone.
          const rowsOf = (data: Row[], params: Record<string, unknown>): Row[] =>
            data
              .filter((r) => mode !== 'paginated' || params['useStateDbOnly'] !== true || r.id === sourceId)
              .map(fieldsOf)
              .map(ownPreview);
          for (const t of home.threads) {
            const [c, o] = [
              await askCodex('thread/read', { threadId: t.id }),
              await askOurs('thread/read', { threadId: t.id }),
            ];
            compare(`thread/read ${t.label}`, ownPreview(fieldsOf(c.thread)), ownPreview(fieldsOf(o.thread)));
          }
          for (const params of [
            { modelProviders: [], limit: 100 },
            { useStateDbOnly: true, modelProviders: [], limit: 100 },
          ]) {
            const [c, o] = [await askCodex('thread/list', params), await askOurs('thread/list', params)];
            compare(`thread/list ${JSON.stringify(params)}`, rowsOf(c.data, params), rowsOf(o.data, params));
          }
          // The test can fail: Codex shows the edited fields.
          const main = (await askCodex('thread/read', { threadId: home.threads.find((t) => t.label === 'source')!.id }))
            .thread as Row;
          expect(main.preview, "Codex's preview of the VS Code message").to.not.equal(FIRST_MESSAGE);
        });
      } finally {
        rmSync(indexDir, { recursive: true, force: true });
      }
      process.stderr.write(`  fork-${mode}: ${compared - differing.length}/${compared} answers equal\n`);
      expect(differing, differing.join('\n')).to.deep.equal([]);
    });
  }
});
