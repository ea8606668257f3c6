// Issue 69, defect 9: a thread with no turns (its rollout holds its session meta alone, as a
// session opened and left holds) asked its turns and items, with and without a cursor that is not
// one, as codex app-server 0.169.0 answers next to ours. The home: a copy of the fork scenario's
// home (both history modes, written by the real binary) with one more thread, the source thread's
// meta line alone under a new id; Codex's state DB left out (it builds it from the files).
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { AppServerError } from './appServer.js';
import { openColdCodex } from './compatHomes.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import { freshRoot } from './mutationHarness.js';
import { buildCompatHomes, discoverRollouts } from './scenarios.js';
import type { CompatHome } from './scenarios.js';

const BAD_CURSOR = 'not-a-cursor';

describe('compat: a thread with no turns, asked with a bad cursor (codex app-server 0.169.0)', function () {
  this.timeout(600_000);
  let root: string;
  let homes: Array<{ home: CompatHome; threadId: string }>;

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
      const sourceId = home.threads.find((t) => t.label === 'source')!.id;
      const source = discoverRollouts(home.codexHome).find((r) => r.threadId === sourceId)!.path;
      // A new id of the same time: the last twelve hex digits changed.
      const threadId = `${sourceId.slice(0, 24)}${'f'.repeat(12)}`;
      const meta = readFileSync(source, 'utf8').split('\n')[0]!.split(sourceId).join(threadId);
      const file = join(dirname(source), basename(source).split(sourceId).join(threadId));
      writeFileSync(file, `${meta}\n`);
      // Last written when its meta was: Codex dates a thread by its file's time.
      const at = new Date(Math.floor(Date.parse((JSON.parse(meta) as { timestamp: string }).timestamp) / 1000) * 1000);
      utimesSync(file, at, at);
      return { home, threadId };
    });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const mode of ['legacy', 'paginated']) {
    it(`fork-${mode}: its turns and items, with and without a bad cursor, answer as Codex's`, async () => {
      const { home, threadId } = homes.find((h) => h.home.key === `fork-${mode}`)!;
      const indexDir = mkdtempSync(join(tmpdir(), 'compat-noturn-index-'));
      const codex = await openColdCodex(home);
      let ours: StdioRpcClient | undefined;
      const differing: string[] = [];
      const t = { threadId };
      const steps: Array<[string, Record<string, unknown>]> = [
        ['thread/read', { ...t, includeTurns: true }],
        ['thread/turns/list', t],
        ['thread/turns/list', { ...t, cursor: BAD_CURSOR }],
        ['thread/turns/list', { ...t, cursor: BAD_CURSOR, sortDirection: 'asc' }],
        // Codex 0.169 lists the items of a paginated history only (-32601 otherwise, a documented difference).
        ...(mode === 'paginated'
          ? ([
              ['thread/items/list', t],
              ['thread/items/list', { ...t, cursor: BAD_CURSOR }],
            ] as Array<[string, Record<string, unknown>]>)
          : []),
      ];
      try {
        ours = await initializedServe(home.codexHome, {
          clientInfo: { name: 'compat', version: '0' },
          capabilities: { experimentalApi: true },
          args: ['--index-dir', indexDir],
        });
        for (const [method, params] of steps) {
          let c: RpcAnswer;
          try {
            c = { result: await codex.server.request(method, params) };
          } catch (error) {
            if (!(error instanceof AppServerError)) throw error;
            c = { error: { code: error.code, message: error.rpcMessage } };
          }
          const o = await ours.request(method, params);
          const d = jsonDifferences(c, o, 6);
          if (d.length > 0) differing.push(`${method} ${JSON.stringify(params)}\n${describeDifferences(d)}`);
        }
      } finally {
        await ours?.close();
        await codex.stop();
        rmSync(indexDir, { recursive: true, force: true });
      }
      process.stderr.write(`  fork-${mode}: ${steps.length - differing.length}/${steps.length} answers equal\n`);
      expect(differing, differing.join('\n')).to.deep.equal([]);
    });
  }
});
