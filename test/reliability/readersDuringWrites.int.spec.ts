// 32 readers walk a thread's turns by cursor (serve) while a writer appends whole turns through the
// engine's writer (RolloutFiles.append) and `index --rebuild` runs once in the middle: no page shows
// a half-written turn, no walk skips or repeats a turn, and the rebuild changes no answer.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { runEngineCli } from '../compat/engineCli.js';
import { endFrom } from '../../adapters/driven/jsonl/lines/endPosition.js';
import { jsonlRolloutFiles } from '../../adapters/driven/jsonl/writers/rolloutFiles.js';
import type { LogPosition } from '../../domain/errors.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { turnDrafts } from './crashHome.js';
import { readThreadByFold } from '../oracle/wholeFileFold.js';
import { jsonlRolloutStore } from '../oracle/rolloutStore.js';
import { reportArea } from './areaSummary.js';

const READERS = 32;
const APPENDS = 40;
const THREADS = {
  paginated: 'dddddddd-0000-7000-8000-0000000000a1',
  legacy: 'dddddddd-0000-7000-8000-0000000000a2',
} as const;

interface Page {
  readonly data: Array<{ id: string; status: string; items: unknown[] }>;
  readonly nextCursor: string | null;
}

describe('reliability · 32 readers paging while a writer appends turns (and index --rebuild runs)', function () {
  this.timeout(120_000);
  let home: string;
  let server: StdioRpcClient;
  const figures = {
    readers: READERS,
    walks: 0,
    pages: 0,
    appendedTurns: 0,
    halfWrittenTurns: 0,
    skippedTurns: 0,
    duplicatedTurns: 0,
    rebuilds: 0,
    answersChangedByRebuild: 0,
  };

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-readers-'));
    writeRollout(home, rolloutName(THREADS.paginated), chatThread('paginated', THREADS.paginated, 5).text());
    writeRollout(home, rolloutName(THREADS.legacy), chatThread('legacy', THREADS.legacy, 5).text());
    server = await initializedServe(home, {
      clientInfo: { name: 'readers', version: '1' },
      capabilities: { experimentalApi: true },
    });
  });
  after(async () => {
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
    reportArea('readers during writes', figures);
  });

  it('every walk is a prefix of the appended order, without repeats, of whole turns; the rebuild changes no answer', async () => {
    const order = new Map<string, string[]>(Object.values(THREADS).map((id) => [id, ['t1', 't2', 't3', 't4', 't5']]));
    const problems: string[] = [];
    let writing = true;

    const walk = async (threadId: string): Promise<void> => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const a = (await server.request('thread/turns/list', {
          threadId,
          limit: 3,
          sortDirection: 'asc',
          itemsView: 'full',
          ...(cursor === null ? {} : { cursor }),
        })) as {
          result?: Page;
          error?: unknown;
        };
        if (a.result === undefined) {
          problems.push(`page error ${JSON.stringify(a.error)}`);
          return;
        }
        figures.pages++;
        for (const t of a.result.data) {
          // A chat turn is written whole: completed, its user message, reasoning and answer.
          if (t.status !== 'completed' || t.items.length < 3) {
            figures.halfWrittenTurns++;
            problems.push(`${threadId}: turn ${t.id} ${t.status} with ${t.items.length} items`);
          }
          seen.push(t.id);
        }
        cursor = a.result.nextCursor;
      } while (cursor !== null);
      figures.walks++;
      if (new Set(seen).size !== seen.length) {
        figures.duplicatedTurns++;
        problems.push(`${threadId}: a walk repeats a turn: ${seen.join(',')}`);
      }
      const expected = order.get(threadId)!.slice(0, seen.length);
      if (JSON.stringify(seen) !== JSON.stringify(expected)) {
        figures.skippedTurns++;
        problems.push(`${threadId}: walk ${seen.join(',')} is not a prefix of ${order.get(threadId)!.join(',')}`);
      }
    };

    const reader = async (i: number): Promise<void> => {
      const threadId = i % 2 === 0 ? THREADS.paginated : THREADS.legacy;
      while (writing) await walk(threadId);
      await walk(threadId);
    };

    const writer = async (): Promise<void> => {
      const files = jsonlRolloutFiles(home);
      const ends = new Map<string, LogPosition>();
      for (const [mode, id] of Object.entries(THREADS) as Array<['paginated' | 'legacy', string]>) {
        const end = await endFrom(nodePath.join(home, 'sessions', '2026', '11', '21', rolloutName(id)))();
        if (E.isLeft(end) || end.right === 'noStream') throw new Error('no end');
        ends.set(mode, end.right);
      }
      for (let n = 1; n <= APPENDS; n++) {
        for (const [mode, id] of Object.entries(THREADS) as Array<['paginated' | 'legacy', string]>) {
          const path = nodePath.join(home, 'sessions', '2026', '11', '21', rolloutName(id));
          // The order is known before the bytes land: a reader may see the turn as soon as they do.
          order.get(id)!.push(`w${n}`);
          const r = await files.append(path, turnDrafts(mode, id, `w${n}`), ends.get(mode)!, mode)();
          if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
          ends.set(mode, r.right.next);
          figures.appendedTurns++;
        }
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    };

    const rebuild = async (): Promise<void> => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const r = await runEngineCli(['index', '--rebuild', '--quiet', '--codex-home', home]);
      if (r.exitCode !== 0) problems.push(`index --rebuild: ${r.stderr}`);
      figures.rebuilds++;
    };

    const readers = Array.from({ length: READERS }, (_, i) => reader(i));
    await Promise.all([writer(), rebuild()]);
    writing = false;
    await Promise.all(readers);

    // After it all: the served answer is the whole-file fold's, and another rebuild leaves it so.
    const served = async (threadId: string) =>
      JSON.stringify(
        ((await server.request('thread/read', { threadId, includeTurns: true })) as { result: unknown }).result,
      );
    for (const id of Object.values(THREADS)) {
      const fold = await readThreadByFold(jsonlRolloutStore(home), id, true)();
      if (E.isLeft(fold)) throw new Error(JSON.stringify(fold.left));
      const before = await served(id);
      expect(JSON.parse(before).thread.turns.map((t: { id: string }) => t.id)).to.deep.equal(order.get(id));
      expect(JSON.parse(before).thread).to.deep.equal(JSON.parse(JSON.stringify(fold.right)));
      const r = await runEngineCli(['index', '--rebuild', '--quiet', '--codex-home', home]);
      expect(r.exitCode, r.stderr).to.equal(0);
      if ((await served(id)) !== before) figures.answersChangedByRebuild++;
    }
    expect(problems, problems.slice(0, 8).join('\n')).to.deep.equal([]);
    expect(figures.answersChangedByRebuild).to.equal(0);
  });
});
