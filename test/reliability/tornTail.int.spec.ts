// A torn last line (a writer killed mid-line) must not freeze a thread: the next writer keeps the
// bytes in the quarantine file, cuts them and goes on. But a live Codex appending the same file
// does not take our lock, so a partial line may be one it is still writing: only a line whose
// bytes have stood still for the documented bound (TORN_STILL_MS) is torn; a line completed
// meanwhile is left whole, and the mutation that expected the old end gets Conflict.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { quarantineFileOf } from '../../adapters/driven/jsonl/writers/quarantine.js';
import { TORN_STILL_MS } from '../../adapters/driven/jsonl/writers/lockedRolloutFile.js';
import { reportArea } from './areaSummary.js';

const GONE = 'dddddddd-0000-7000-8000-000000000001';
const LIVE = 'dddddddd-0000-7000-8000-000000000002';
/** The next line of a three-turn paginated chat thread (ordinals 0..28), cut in two. */
const NEXT_LINE =
  '{"timestamp":"2026-11-21T14:00:01.000Z","ordinal":29,"type":"event_msg","payload":{"type":"token_count","info":null}}';
const [HEAD, REST] = [NEXT_LINE.slice(0, 40), NEXT_LINE.slice(40)];

describe('reliability · a torn last line', function () {
  this.timeout(120_000);
  let home: string;
  let server: StdioRpcClient;
  const figures = { trials: 0, quarantined: 0, unquarantinedTornLines: 0, liveLinesCut: 0, conflicts: 0 };
  const quarantine = () =>
    fs.existsSync(quarantineFileOf(nodePath.join(home, '.rollout-engine')))
      ? fs.readFileSync(quarantineFileOf(nodePath.join(home, '.rollout-engine')), 'utf8')
      : '';

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-torn-'));
    for (const id of [GONE, LIVE]) writeRollout(home, rolloutName(id), chatThread('paginated', id, 3).text());
    server = await initializedServe(home, {
      clientInfo: { name: 'torn', version: '1' },
      capabilities: { experimentalApi: true },
    });
    // Both threads indexed before their lines are torn, as a home in use is.
    for (const id of [GONE, LIVE]) await server.request('thread/read', { threadId: id });
  });
  after(async () => {
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
    reportArea('torn last line', figures);
  });

  it('a torn line whose writer is gone is quarantined and cut, and the mutation goes on', async () => {
    const path = writeRollout(home, rolloutName(GONE), HEAD, true);
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(path, past, past);
    figures.trials++;
    const r = (await server.request('review/start', {
      threadId: GONE,
      target: { type: 'custom', instructions: 'after a crash' },
    })) as {
      result?: { turn: { id: string } };
    };
    expect(r.result, JSON.stringify(r)).to.not.equal(undefined);
    const text = fs.readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).to.equal(true);
    expect(text.includes(HEAD)).to.equal(false);
    expect(quarantine()).to.include(HEAD.replace(/"/g, '\\"'));
    figures.quarantined++;
    // The review went on past the cut: its turn's lines follow the three turns. Codex lists an inline
    // review turn once it ends (no task_started of its own: thread_history_projection.rs), so its
    // items are read by its turn id.
    const read = (await server.request('thread/read', { threadId: GONE, includeTurns: true })) as {
      result: { thread: { turns: Array<{ id: string }> } };
    };
    expect(read.result.thread.turns.map((t) => t.id)).to.deep.equal(['t1', 't2', 't3']);
    const items = (await server.request('thread/items/list', { threadId: GONE, turnId: r.result!.turn.id })) as {
      result?: { data: Array<{ item: { type: string } }> };
    };
    expect(
      items.result?.data.map((i) => i.item.type),
      JSON.stringify(items),
    ).to.include('enteredReviewMode');
  });

  it('a partial line a live writer completes within the bound is left whole: the mutation gets Conflict, nothing is quarantined', async () => {
    const path = writeRollout(home, rolloutName(LIVE), HEAD, true);
    figures.trials++;
    const answer = server.request('review/start', {
      threadId: LIVE,
      target: { type: 'custom', instructions: 'while Codex writes' },
    });
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, TORN_STILL_MS / 4)));
    fs.appendFileSync(path, `${REST}\n`);
    const r = (await answer) as { error?: { code: number; message: string } };
    expect(r.error?.message ?? JSON.stringify(r)).to.match(/append conflict/);
    figures.conflicts++;
    expect(fs.readFileSync(path, 'utf8').endsWith(`${NEXT_LINE}\n`)).to.equal(true);
    if (
      quarantine().includes(HEAD.replace(/"/g, '\\"').slice(0, 30)) &&
      !fs.readFileSync(path, 'utf8').includes(NEXT_LINE)
    )
      figures.liveLinesCut++;
    expect(figures.liveLinesCut).to.equal(0);
    // The thread goes on from the completed line.
    const again = (await server.request('review/start', {
      threadId: LIVE,
      target: { type: 'custom', instructions: 'again' },
    })) as { result?: unknown };
    expect(again.result, JSON.stringify(again)).to.not.equal(undefined);
  });
});
