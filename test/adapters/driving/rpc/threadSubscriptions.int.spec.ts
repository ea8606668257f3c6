// The live notifications hub over a real home and index: who is told (followers only, each
// connection once), Codex's unsubscribe statuses, and a change seen on the file (as the home
// watch reports it) told as Codex's notifications.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { threadSubscriptions } from '../../../../adapters/driving/rpc/threadSubscriptions.js';
import type { ThreadSubscriptions } from '../../../../adapters/driving/rpc/threadSubscriptions.js';
import { chatThread, openMutationHome, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import type { MutationHome } from '../../../replay/mutationHome.js';
import { RolloutWriter } from '../../../fixtures/rolloutLines.js';

const P = 'ffffffff-0000-7000-8000-00000000b001';

describe('threadSubscriptions: the live notifications hub', function () {
  this.timeout(120_000);
  let home: string;
  let m: MutationHome;
  let hub: ThreadSubscriptions;
  let path: string;
  const w = chatThread('paginated', P, 1);
  let next = w.nextOrdinal();
  const got: Record<'a' | 'b', Array<{ method: string; params: any }>> = { a: [], b: [] };
  const sendTo = (who: 'a' | 'b') => async (messages: ReadonlyArray<unknown>) =>
    void got[who].push(...(messages as Array<{ method: string; params: any }>));

  /** Another process appends a turn; the watch reports the file. */
  const codexWritesTurn = (turnId: string): void => {
    const t = new RolloutWriter('paginated', P, { startOrdinal: next, startMs: w.nowMs() + 1000 }).chatTurn(
      turnId,
      `q ${turnId}`,
      `a ${turnId}`,
    );
    fs.appendFileSync(path, t.text());
    next = t.nextOrdinal();
    hub.fileChanged(path);
  };
  const told = async (who: 'a' | 'b', turnId: string): Promise<string[]> => {
    const deadline = Date.now() + 60_000; // a hang bound, not a speed verdict
    const mine = () => got[who].filter((n) => n.params.turn?.id === turnId || n.params.turnId === turnId);
    while (!mine().some((n) => n.method === 'turn/completed') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    return mine().map((n) => n.method);
  };

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'thread-subs-'));
    path = writeRollout(home, rolloutName(P), w.text());
    m = await openMutationHome(home);
    hub = threadSubscriptions(m.ports);
  });
  after(async () => {
    hub.close();
    await m.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('follows a thread for the connections that subscribed, with Codex’s unsubscribe statuses', async () => {
    const a = hub.connect(sendTo('a'));
    const b = hub.connect(sendTo('b'));
    expect(a.unsubscribe(P)).to.equal('notLoaded');
    expect(E.isRight(await a.subscribe(P))).to.equal(true);
    expect(b.unsubscribe(P)).to.equal('notSubscribed');
    const unknown = await b.subscribe('ffffffff-0000-7000-8000-00000000beef');
    expect(E.isLeft(unknown) && unknown.left._tag).to.equal('NotFound');

    codexWritesTurn('t2');
    const full = [
      'turn/started',
      'item/completed',
      'item/completed',
      'item/completed',
      'thread/tokenUsage/updated',
      'turn/completed',
    ];
    expect(await told('a', 't2')).to.deep.equal(full);
    expect(got.b).to.deep.equal([]);
    expect(got.a.every((n) => typeof (n as { emittedAtMs?: unknown }).emittedAtMs === 'number')).to.equal(true);

    expect(E.isRight(await b.subscribe(P))).to.equal(true);
    a.close();
    codexWritesTurn('t3');
    expect(await told('b', 't3')).to.deep.equal(full);
    expect(got.a.filter((n) => n.params.turnId === 't3' || n.params.turn?.id === 't3')).to.deep.equal([]);
    // Told once: nothing of t2 again.
    expect(got.b.filter((n) => n.params.turnId === 't2' || n.params.turn?.id === 't2')).to.deep.equal([]);
    expect(b.unsubscribe(P)).to.equal('unsubscribed');
    expect(b.unsubscribe(P)).to.equal('notLoaded');
  });

  it('a burst of 150 turns is told in steps, each turn/completed with its own final agent message (a look once read it from a 100-turn summary page, which the oldest 50 were not on)', async () => {
    const steps: Array<ReadonlyArray<{ method: string; params: any }>> = [];
    // Steps of about 4 KiB of rollout text: a turn or two each.
    const small = threadSubscriptions(m.ports, { stepBytes: 4096 });
    try {
      const c = small.connect(async (messages) => void steps.push(messages as Array<{ method: string; params: any }>));
      expect(E.isRight(await c.subscribe(P))).to.equal(true);
      const burst = new RolloutWriter('paginated', P, { startOrdinal: next, startMs: w.nowMs() + 100_000 });
      for (let i = 0; i < 150; i++) burst.chatTurn(`burst-${i}`, `q ${i}`, `answer of burst-${i}`);
      fs.appendFileSync(path, burst.text());
      next = burst.nextOrdinal();
      small.fileChanged(path);
      const completed = () => steps.flat().filter((n) => n.method === 'turn/completed');
      const deadline = Date.now() + 60_000; // a hang bound, not a speed verdict
      while (completed().length < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(completed().map((n) => n.params.turn.id)).to.deep.equal(
        Array.from({ length: 150 }, (_, i) => `burst-${i}`),
      );
      for (const n of completed()) {
        expect(n.params.turn.itemsView, n.params.turn.id).to.equal('summary');
        expect(
          n.params.turn.items.map((i: any) => [i.type, i.text]),
          n.params.turn.id,
        ).to.deep.equal([['agentMessage', `answer of ${n.params.turn.id}`]]);
      }
      expect(steps.length, 'steps sent').to.be.above(50);
      expect(Math.max(...steps.map((s) => s.length)), 'notifications in the largest step').to.be.below(20);
    } finally {
      small.close();
    }
  });
});
