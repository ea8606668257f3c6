import { expect } from 'chai';
import { forkThread } from '../../replay/mutations/forkThread.js';
import { listTurns } from '../../replay/history/listTurns.js';
import { readForkedFrom } from '../../replay/history/readForkedFrom.js';
import { readItemKinds } from '../../replay/history/readItemKinds.js';
import { revertThread } from '../../replay/mutations/revertThread.js';
import { useTempDir } from '../fixtures/tempDir.js';
import type { MutationHome } from './mutationHome.js';
import { chatThread, left, openMutationHome, right, rolloutName, writeRollout } from './mutationHome.js';

const P = 'eeeeeeee-0000-7000-8000-0000000000a1';
const L = 'eeeeeeee-0000-7000-8000-0000000000a2';

/** A paginated thread whose second turn also ran a command and changed a file. */
const withTools = () => {
  const w = chatThread('paginated', P, 1);
  w.taskStarted('t2').turnContext('t2').responseMessage('user', 'run it');
  w.item('t2', { type: 'UserMessage', id: 'u-t2', content: w.userText('run it') })
    .item('t2', {
      type: 'CommandExecution',
      id: 'call_1',
      command: ['/bin/echo', 'hi'],
      cwd: 'file:///work',
      parsed_cmd: [],
      source: 'unified_exec_startup',
      status: 'completed',
      aggregated_output: 'hi\n',
      exit_code: 0,
      duration: { secs: 0, nanos: 1_000_000 },
    })
    .item('t2', {
      type: 'FileChange',
      id: 'call_2',
      changes: { '/work/a.txt': { type: 'add', content: 'a\n' } },
      status: 'completed',
    })
    .item('t2', { type: 'AgentMessage', id: 'a-t2', content: [{ type: 'Text', text: 'ran it' }] })
    .taskComplete('t2');
  w.chatTurn('t3', 'question 3', 'answer 3');
  return w;
};

describe('rolloutEngine/thread/itemKinds and rolloutEngine/threads/forkedFrom: what the index knows beside the Codex-shaped answers', function () {
  this.timeout(120_000);
  const dir = useTempDir('re-item-kinds-');
  let m: MutationHome;

  before(async () => {
    writeRollout(dir(), rolloutName(P), withTools().text());
    writeRollout(dir(), rolloutName(L), chatThread('legacy', L, 2).text());
    m = await openMutationHome(dir());
  });
  after(async () => m.close());

  /** Each turn's items counted by type, as the full turns page shows them (the fold reading the file). */
  const foldedKinds = async (threadId: string): Promise<Record<string, Record<string, number>>> => {
    const page = await right(listTurns(m.ports, { threadId, itemsView: 'full', limit: 100, sortDirection: 'asc' }));
    return Object.fromEntries(
      page.data.map((t) => [
        t.id,
        t.items.reduce<Record<string, number>>((k, i) => ({ ...k, [i.type]: (k[i.type] ?? 0) + 1 }), {}),
      ]),
    );
  };

  it("counts each turn's items by kind from the index, as the fold of the file shows them, for paginated and legacy threads", async () => {
    const kinds = await right(readItemKinds(m.ports, { threadId: P, turnIds: ['t1', 't2', 't3'] }));
    expect(kinds.turns['t2']).to.deep.equal({ userMessage: 1, commandExecution: 1, fileChange: 1, agentMessage: 1 });
    expect(kinds.turns).to.deep.equal(await foldedKinds(P));
    const legacyIds = Object.keys(await foldedKinds(L));
    expect(legacyIds).to.have.length(2);
    expect((await right(readItemKinds(m.ports, { threadId: L, turnIds: legacyIds }))).turns).to.deep.equal(
      await foldedKinds(L),
    );
  });

  it("a fork's and a revision's history: turns past the cut are not there; an unknown turn is left out, an unknown thread is NotFound", async () => {
    const fork = (await right(forkThread(m.ports, { threadId: P, lastTurnId: 't2' }))).thread.id;
    const forked = await right(readItemKinds(m.ports, { threadId: fork, turnIds: ['t1', 't2', 't3', 'no-such-turn'] }));
    expect(Object.keys(forked.turns)).to.deep.equal(['t1', 't2']);
    expect(forked.turns['t2']).to.deep.equal({ userMessage: 1, commandExecution: 1, fileChange: 1, agentMessage: 1 });
    await right(revertThread(m.ports, { threadId: fork, beforeTurnId: 't2' }));
    expect(
      Object.keys((await right(readItemKinds(m.ports, { threadId: fork, turnIds: ['t1', 't2'] }))).turns),
    ).to.deep.equal(['t1']);
    expect(
      await left(readItemKinds(m.ports, { threadId: 'eeeeeeee-0000-7000-8000-00000000dead', turnIds: ['t1'] })),
    ).to.deep.include({
      _tag: 'NotFound',
      what: 'thread',
    });

    // The fork is named as a fork by the index, its source and the others are not; ids the index lacks are left out.
    expect(
      (await right(readForkedFrom(m.ports, { threadIds: [P, fork, L, 'eeeeeeee-0000-7000-8000-00000000dead'] })))
        .forkedFrom,
    ).to.deep.equal({ [fork]: P });
  });
});
