/**
 * `npm run bench -- pages --real-size SIZE`: the page targets on a real-shaped home, ours
 * (one or several builds) beside `codex app-server`, request by request in turns (bench/pages.ts).
 */
import { spawnServe } from './serveCommand.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseByteSize } from './byteSize.js';
import { initialize, mergeSides, oursAsk, timeSidesInTurn } from './pagesTiming.js';
import type { Ask, Request } from './pagesTiming.js';

/** The requests the targets name, on one thread: 20-turn pages in each view (newest and middle), 50-item pages. */
const targetRequests = async (ask: Ask, threadId: string): Promise<Request[]> => {
  const requests: Request[] = [];
  const page = (await ask('thread/turns/list', { threadId, itemsView: 'notLoaded', limit: 100 })) as {
    result: { nextCursor: string | null; data: Array<{ id: string }> };
  };
  const cursor = page.result.nextCursor;
  for (const view of ['notLoaded', 'summary', 'full']) {
    requests.push({
      name: `turns ${view} 20 newest`,
      method: 'thread/turns/list',
      params: { threadId, itemsView: view, limit: 20 },
    });
    if (cursor !== null)
      requests.push({
        name: `turns ${view} 20 middle`,
        method: 'thread/turns/list',
        params: { threadId, itemsView: view, limit: 20, cursor },
      });
  }
  requests.push({ name: 'items 50 first', method: 'thread/items/list', params: { threadId, limit: 50 } });
  const turnId = page.result.data[page.result.data.length - 1]?.id;
  if (turnId !== undefined)
    requests.push({
      name: 'items 50 of a middle turn',
      method: 'thread/items/list',
      params: { threadId, turnId, limit: 50 },
    });
  return requests;
};

/**
 * The targets on a real-shaped home (bench/realHome.ts: rollouts the real codex writes,
 * cloned to `size`): the long working thread of each mode (200 turns, tools, compactions) and a
 * whole fork of the paginated one (its turns read below the fork's cut), ours
 * through `serve` beside `codex app-server` on the same files, Codex's projection warmed with
 * `thread/resume` first. `engines` may name several builds (e.g. main's and this tree's) so a
 * before/after is measured in one run on the same home; they are timed in turns, request by request.
 */
export const onRealHome = async (
  engines: ReadonlyArray<string>,
  size: string,
  reps: number,
  withCodex: boolean,
): Promise<Record<string, unknown>> => {
  const { buildRealShapedHome } = await import('./realHome.js');
  const { openColdCodex } = await import('../test/compat/compatHomes.js');
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-pages-real-'));
  try {
    const home = await buildRealShapedHome(nodePath.join(tmp, 'home'), parseByteSize(size));
    // A whole fork of the long paginated thread (by reference, as Codex forks): its turns are read below a cut.
    const forked = execFileSync(
      process.execPath,
      [
        engines[0]!,
        'fork',
        home.long.paginated,
        '--exclude-turns',
        '--codex-home',
        home.codexHome,
        '--index-dir',
        nodePath.join(tmp, 'index-fork'),
        '--json',
        '-q',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const forkId = (JSON.parse(forked.toString('utf8')) as { thread: { id: string } }).thread.id;
    fs.rmSync(nodePath.join(tmp, 'index-fork'), { recursive: true, force: true });
    const servers = engines.map((engine, i) => {
      const indexDir = nodePath.join(tmp, `index-${i}`);
      execFileSync(
        process.execPath,
        [engine, 'index', '--codex-home', home.codexHome, '--index-dir', indexDir, '--json'],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      return spawnServe(engine, home.codexHome, indexDir);
    });
    const codex = withCodex
      ? await openColdCodex({ codexHome: home.codexHome, workDir: home.workDir } as Parameters<typeof openColdCodex>[0])
      : null;
    try {
      const asks = servers.map((c) => oursAsk(c));
      for (const [i, ask] of asks.entries()) await initialize(ask, (m) => servers[i]!.notify(m));
      const askCodex: Ask | null =
        codex === null
          ? null
          : async (m, p) => {
              try {
                return { result: await codex.server.request(m, p) };
              } catch (e) {
                return { error: String(e) };
              }
            };
      const out: Record<string, unknown> = {};
      const threads: ReadonlyArray<readonly [string, string]> = [
        ['paginated', home.long.paginated],
        ['legacy', home.long.legacy],
        ['paginatedFork', forkId],
      ];
      for (const [thread, threadId] of threads) {
        if (askCodex !== null) {
          const resumed = (await askCodex('thread/resume', { threadId })) as { error?: unknown };
          if (resumed.error !== undefined) throw new Error(`codex thread/resume: ${JSON.stringify(resumed.error)}`);
        }
        const requests = await targetRequests(asks[0]!, threadId);
        // Request by request, the sides taking turns call by call, so a busy moment of the machine hits all alike.
        const sides: Array<[string, Ask]> = [
          ...asks.map((a, i): [string, Ask] => [engines[i]!, a]),
          ...(askCodex === null ? [] : [['codex', askCodex] as [string, Ask]]),
        ];
        const times: Record<string, Record<string, unknown>> = Object.fromEntries(sides.map(([name]) => [name, {}]));
        for (const r of requests) Object.assign(times, mergeSides(times, await timeSidesInTurn(sides, r, reps)));
        out[thread] = { threadId, ...times };
      }
      return { size, files: home.files, bytes: home.bytes, meanLineBytes: home.meanLineBytes, ...out };
    } finally {
      for (const c of servers) await c.close();
      await codex?.stop();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
