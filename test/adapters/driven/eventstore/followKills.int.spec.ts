// Exactly once with a node's copy: `serve --eventstore` SIGKILLed at every named crash point of
// its follower (FOLLOW_CRASH_POINTS: before and after a batch of lines is appended, after the
// position is saved, before and after a moved file is moved), in every round, while it follows a
// store being written (lines, a file moved), restarted each time; at the end its copy equals an
// export of the store byte for byte, and its own index equals a fresh build of that export. Which
// hit of a point kills is drawn from a seed (FOLLOW_KILLS_SEED replays it), printed on failure.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { eventStoreEventLog } from '../../../../adapters/driven/eventstore/eventLog.js';
import { exportHome } from '../../../../adapters/driven/eventstore/exportHome.js';
import { recordHomeFacts } from '../../../../adapters/driven/eventstore/homeControl.js';
import { mirrorHome } from '../../../../adapters/driven/eventstore/mirrorHome.js';
import type { LogPosition } from '../../../../domain/errors.js';
import { right } from '../../../fixtures/right.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { serveOverStdio } from '../../../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../../../fixtures/stdioRpcClient.js';
import { RolloutWriter } from '../../../fixtures/rolloutLines.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { useConnection, useEventStore } from '../../../eventstore/useEventStore.js';
import { filesOf, indexDump, keepTimesOf } from '../../../eventstore/homeDumps.js';
import { skipUnmet } from '../../../fixtures/skipUnmet.js';
import { CRASH_AT_ENV, FOLLOW_CRASH_POINTS, crashedAtLine } from '../../../../adapters/driven/system/crashPoint.js';
import { runSeed, seededRandom } from '../../../fixtures/seededRandom.js';

const T = '01a1fe87-0000-7000-8000-0000000c1001';
const U = '01a1fe87-0000-7000-8000-0000000c1002';
const ROUNDS = 2;
/** A point kills at its 1st, 2nd or 3rd hit in a round (drawn from the seed). */
const MAX_HIT = 3;
const SEED_ENV = 'FOLLOW_KILLS_SEED';

const serveOn = async (node: string, url: string, crashAt?: string): Promise<StdioRpcClient> => {
  const env = crashAt === undefined ? process.env : { ...process.env, [CRASH_AT_ENV]: crashAt };
  const s = await serveOverStdio(node, { args: ['--eventstore', url], env });
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
    skipUnmet(
      this,
      store().server !== undefined,
      'the EventStoreDB test server',
      "a real server holds other runs' streams",
    );
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
    const seed = runSeed(SEED_ENV);
    const random = seededRandom(seed);
    const kills: string[] = [];
    const replay = () => `seed ${seed} (${SEED_ENV}=${seed} replays it); kills: ${kills.join(', ')}`;

    // One more turn of T in the store (as another node's append would be).
    const appendTurn = async (): Promise<void> => {
      turns += 1;
      ms += 1000;
      const lines = new RolloutWriter('paginated', T, { startOrdinal: ordinal, startMs: ms }).chatTurn(
        `k${turns}`,
        `question ${turns}`,
        `answer ${turns}`,
      ).lines;
      const written = await log.append(stream, lines, end)();
      if (E.isLeft(written)) throw new Error(JSON.stringify(written.left));
      end = written.right.next;
      ordinal += lines.length;
    };
    // U's file moves between sessions/ and archived_sessions/ (archived, unarchived on another node): a fact the copy applies as a move.
    let uArchived = false;
    const moveU = async (): Promise<void> => {
      uArchived = !uArchived;
      const file = `${uArchived ? 'archived_sessions' : 'sessions/2026/11/21'}/${rolloutName(U)}`;
      right(await recordHomeFacts(connectionOf(), [{ kind: 'rolloutFile', stream: `rollout-${U}`, file }]));
    };

    for (let round = 0; round < ROUNDS; round++) {
      for (const point of FOLLOW_CRASH_POINTS) {
        const hit = 1 + Math.floor(random() * MAX_HIT);
        const server = await serveOn(node, url, `${point}:${hit}`);
        let stderr = '';
        server.child.stderr?.on('data', (c: Buffer | string) => (stderr += c.toString()));
        const exited = new Promise<NodeJS.Signals | null>((resolve) =>
          server.child.once('exit', (_code: number | null, signal: NodeJS.Signals | null) => resolve(signal)),
        );
        let gone: NodeJS.Signals | null | undefined;
        void exited.then((signal) => (gone = signal));
        // Writes of the kind the point is on, until the server reaches it: each is the next step's
        // input, so the kill comes at the named step whatever the machine's speed.
        // A point is reached within a second of writes; a follower that stopped following never reaches it.
        const deadline = Date.now() + 20_000;
        while (gone === undefined) {
          if (Date.now() > deadline) throw new Error(`${point}:${hit} was never reached; ${replay()}`);
          await (point.startsWith('follow.move') ? moveU() : appendTurn());
          await Promise.race([exited, new Promise((r) => setTimeout(r, 20))]);
        }
        kills.push(`${point}:${hit}`);
        expect(gone, `${point}:${hit}: how the server ended; ${replay()}; stderr ${stderr.slice(-500)}`).to.equal(
          'SIGKILL',
        );
        expect(stderr, `${point}:${hit}; ${replay()}`).to.include(crashedAtLine(point, hit));
      }
    }
    expect(kills, replay()).to.have.length(ROUNDS * FOLLOW_CRASH_POINTS.length);

    // A last run, left to catch up and closed: it has every turn.
    const last = await serveOn(node, url);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const page = await last.request('thread/turns/list', { threadId: T, itemsView: 'notLoaded', limit: 1 });
      if ('result' in page && (page.result as { data: Array<{ id: string }> }).data[0]?.id === `k${turns}`) break;
      if (Date.now() > deadline)
        throw new Error(`the node did not catch up: ${JSON.stringify(page).slice(0, 300)}; ${replay()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await last.close();

    const out = nodePath.join(tmp(), 'export');
    right(await exportHome(connectionOf(), log, out)());
    const exported = filesOf(out);
    const copy = filesOf(node);
    expect([...copy.keys()].sort(), replay()).to.deep.equal([...exported.keys()].sort());
    for (const [k, bytes] of exported) expect(Buffer.compare(copy.get(k)!, bytes), `${k}; ${replay()}`).to.equal(0);
    expect(
      fs.existsSync(nodePath.join(node, uArchived ? 'archived_sessions' : 'sessions/2026/11/21', rolloutName(U))),
      replay(),
    ).to.equal(true);
    // The export's files with the node's times (a store keeps none; a thread is dated by its file's mtime).
    keepTimesOf(node, out);
    const fresh = await indexDump(out, nodePath.join(tmp(), 'fresh-index'));
    expect((await indexDump(node, nodePath.join(node, '.rollout-engine', 'index'))) === fresh, replay()).to.equal(true);
  });
});
