// Exactly once with a node's copy: `serve --eventstore` SIGKILLed at random points while it follows
// a store being written (lines, a file moved), restarted each time; at the end its copy equals an
// export of the store byte for byte, and its own index equals a fresh build of that export.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { eventStoreEventLog } from '../../../adapters/eventstore/eventLog.js';
import { exportHome } from '../../../adapters/eventstore/exportHome.js';
import { recordHomeFacts } from '../../../adapters/eventstore/homeControl.js';
import { mirrorHome } from '../../../adapters/eventstore/mirrorHome.js';
import type { LogPosition } from '../../../domain/errors.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import { spawnRpcServer } from '../../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../../fixtures/stdioRpcClient.js';
import { ENGINE_CLI_PATH } from '../../compat/engineCli.js';
import { RolloutWriter } from '../../fixtures/rolloutLines.js';
import { chatThread, rolloutName, writeRollout } from '../../replay/mutationHome.js';
import { useConnection, useEventStore } from '../../eventstore/useEventStore.js';
import { filesOf, indexDump } from '../../eventstore/homeDumps.js';
import { skipUnmet } from '../../fixtures/skipUnmet.js';

const T = '01a1fe87-0000-7000-8000-0000000c1001';
const U = '01a1fe87-0000-7000-8000-0000000c1002';
const ROUNDS = 6;

const serveOn = (node: string, url: string): StdioRpcClient => {
  const s = spawnRpcServer(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', node, '--eventstore', url]);
  // The home opens (and the node starts following) once initialize is answered.
  void s.request('initialize', { clientInfo: { name: 'test', version: '1' }, capabilities: { experimentalApi: true } });
  return s;
};

describe('serve --eventstore killed while following', function () {
  this.timeout(180_000);
  const tmp = useTempDir('esdb-kills-');
  // Its own server: the copy is of every stream it holds.
  const store = useEventStore();
  const connectionOf = useConnection(store);

  it('resumes exactly after each SIGKILL: its copy equals an export, its index a fresh build of it', async function () {
    skipUnmet(this, store().server !== undefined, 'the EventStoreDB test server', "a real server holds other runs' streams");
    const home = nodePath.join(tmp(), 'home');
    const w = chatThread('paginated', T, 2);
    writeRollout(home, rolloutName(T), w.text());
    writeRollout(home, rolloutName(U), chatThread('legacy', U, 1).text());
    const log = eventStoreEventLog(connectionOf());
    right(await mirrorHome(home, connectionOf(), log)());
    const stream = `rollout-${T}`;
    let end = right(await log.end(stream)()) as LogPosition;
    let ordinal = w.nextOrdinal();
    let ms = w.nowMs();
    let turns = 2;
    const url = store().connectionString;
    const node = nodePath.join(tmp(), 'node');
    const kills: number[] = [];
    const copied: number[] = [];
    const sizeOf = (path: string): number => (fs.existsSync(path) ? fs.statSync(path).size : 0);

    // One more turn of T in the store (as another node's append would be).
    const appendTurn = async (): Promise<void> => {
      turns += 1;
      ms += 1000;
      const lines = new RolloutWriter('paginated', T, { startOrdinal: ordinal, startMs: ms }).chatTurn(`k${turns}`, `question ${turns}`, `answer ${turns}`).lines;
      const written = await log.append(stream, lines, end)();
      if (E.isLeft(written)) throw new Error(JSON.stringify(written.left));
      end = written.right.next;
      ordinal += lines.length;
    };

    for (let round = 0; round < ROUNDS; round++) {
      const server = serveOn(node, url);
      // Killed at a random moment once this round's node has copied something (its start takes
      // longer on a loaded machine: a fixed delay from spawn could kill it before it follows).
      const copy = nodePath.join(node, 'sessions/2026/11/21', rolloutName(T));
      const before = sizeOf(copy);
      const started = Date.now();
      while (sizeOf(copy) <= before && Date.now() - started < 30_000) {
        await appendTurn();
        await new Promise((r) => setTimeout(r, 10));
      }
      const killAt = Math.floor(Math.random() * 600);
      kills.push(Date.now() - started + killAt);
      const until = Date.now() + killAt;
      while (Date.now() < until) {
        await appendTurn();
        await new Promise((r) => setTimeout(r, 10));
      }
      // Half way, U's file moves (archived on another node): a fact the copy applies as a rename.
      if (round === ROUNDS / 2)
        right(await recordHomeFacts(connectionOf(), [{ kind: 'rolloutFile', stream: `rollout-${U}`, file: `archived_sessions/${rolloutName(U)}` }]));
      server.child.kill('SIGKILL');
      await new Promise((r) => server.child.once('exit', r));
      copied.push(sizeOf(copy));
    }
    // The kills came part way: at least one left a copy that had followed some of the store, not all.
    expect(
      copied.some((size, i) => size > 0 && size < end.byteOffset && (i === 0 || size > copied[i - 1]!)),
      `copy sizes ${copied.join(', ')} of ${end.byteOffset}`,
    ).to.equal(true);

    // A last run, left to catch up and closed: it has every turn.
    const last = serveOn(node, url);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const page = await last.request('thread/turns/list', { threadId: T, itemsView: 'notLoaded', limit: 1 });
      if ('result' in page && (page.result as { data: Array<{ id: string }> }).data[0]?.id === `k${turns}`) break;
      if (Date.now() > deadline) throw new Error(`the node did not catch up: ${JSON.stringify(page).slice(0, 300)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await last.close();

    const out = nodePath.join(tmp(), 'export');
    right(await exportHome(connectionOf(), log, out)());
    const exported = filesOf(out);
    const copy = filesOf(node);
    expect([...copy.keys()].sort(), `killed at ${kills.join(', ')} ms`).to.deep.equal([...exported.keys()].sort());
    for (const [k, bytes] of exported) expect(Buffer.compare(copy.get(k)!, bytes), k).to.equal(0);
    expect(fs.existsSync(nodePath.join(node, 'archived_sessions', rolloutName(U)))).to.equal(true);
    const fresh = await indexDump(out, nodePath.join(tmp(), 'fresh-index'));
    expect((await indexDump(node, nodePath.join(node, '.rollout-engine', 'index'))) === fresh, `killed at ${kills.join(', ')} ms`).to.equal(true);
  });
});
