// A rename by the real `codex` beside our `serve`: Codex's `thread/name/set` appends to
// session_index.jsonl and writes the thread's row in its state DB (codex-rs app-server
// `thread_processor.rs` `thread_set_name_response_inner`). Our serve's home watch tells the names
// apart from the rollouts: its next thread/list follows them (the renamed thread's row and the one
// whose DB row moved) without a catch-up of the whole home, and lists the name Codex lists.
import { expect } from 'chai';
import { useCodexBeside } from './codexBeside.js';

interface Listed {
  readonly data: ReadonlyArray<{ readonly id: string; readonly name: string | null }>;
}

/** serve's structured log lines of its home-wide refreshes (`observedIndex.ts`), as the files each caught up. */
const homeCatchUps = (stderr: string): Array<number | 'all'> =>
  stderr
    .split('\n')
    .filter((l) => l.includes('"home caught up"'))
    .map((l) => (JSON.parse(l) as { files: number | 'all' }).files);

describe('compat: a rename by a running codex beside serve is followed without a whole-home catch-up', function () {
  this.timeout(180_000);
  const beside = useCodexBeside('rollout-engine-rename-beside-');

  it("codex's thread/name/set: serve's next lists name the thread as Codex does, and it never caught up the whole home again", async () => {
    const { codexHome, workDir, codex } = await beside.startCodex();
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const id = (await codex.request<{ thread: { id: string } }>('thread/start', { cwd: workDir })).thread.id;
      await codex.runTurn(id, `Turn 1 of thread ${i}: tell me fact number ${i}.`);
      ids.push(id);
    }
    let stderr = '';
    const ours = await beside.startServe(codexHome, {
      clientInfo: { name: 'rollout_engine_compat', version: '0.1.0' },
    });
    ours.child.stderr!.on('data', (c: Buffer | string) => (stderr += c.toString()));
    const before = await ours.typed.request('thread/list', { limit: 10 });
    expect(before.data.map((t) => t.id).sort()).to.deep.equal([...ids].sort());
    const caughtUpBefore = homeCatchUps(stderr).length;

    const namesOf = (l: Listed) => Object.fromEntries(l.data.map((t) => [t.id, t.name]));
    // Each rename seen first by a list, or by a read of the renamed thread (as Codex's read, it
    // answers the new name), until serve's watch has seen the write (its event, or its safety
    // net's look): no time bound, the test's own.
    for (const [n, name, seenBy] of [
      [1, 'renamed by codex', 'list'],
      [1, 'renamed again', 'read'],
      [2, 'the other one', 'read'],
      [0, 'and the first', 'list'],
    ] as const) {
      await codex.request('thread/name/set', { threadId: ids[n], name });
      if (seenBy === 'read') {
        let read: string | null;
        do read = (await ours.typed.request('thread/read', { threadId: ids[n]! })).thread.name;
        while (read !== name);
        const codexRead = await codex.request<{ thread: { name: string | null } }>('thread/read', { threadId: ids[n] });
        expect(read).to.equal(codexRead.thread.name);
      }
      let listed: Listed;
      do listed = await ours.typed.request('thread/list', { limit: 10 });
      while (listed.data.find((t) => t.id === ids[n])?.name !== name);
      expect(namesOf(listed)).to.deep.equal(namesOf(await codex.request<Listed>('thread/list', { limit: 10 })));
      expect(homeCatchUps(stderr).slice(caughtUpBefore), stderr).to.not.include('all');
    }
    // The lists that saw a rename first followed the names (0 files); a list after a read finds them followed.
    const after = homeCatchUps(stderr).slice(caughtUpBefore);
    expect(after.length, stderr).to.be.at.least(2);
    expect(new Set(after)).to.deep.equal(new Set([0]));
  });
});
