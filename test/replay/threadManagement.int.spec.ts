import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { openCodexHome } from '../../adapters/driving/composition/openCodexHome.js';
import { threadStateLogPath } from '../../adapters/driven/jsonl/writers/homeFacts.js';
import { archiveThread } from '../../replay/mutations/archiveThread.js';
import { deleteThread, forkedHistoryReferences } from '../../replay/mutations/deleteThread.js';
import { forkThread } from '../../replay/mutations/forkThread.js';
import { listThreads } from '../../replay/history/listThreads.js';
import { readThread } from '../../replay/history/readThread.js';
import { setThreadName } from '../../replay/mutations/setThreadName.js';
import { unarchiveThread } from '../../replay/mutations/unarchiveThread.js';
import { READ_STATE_CHANGED, updateReadState } from '../../replay/mutations/updateReadState.js';
import { updateThreadMetadata } from '../../replay/mutations/updateThreadMetadata.js';
import { right as rightOf } from '../fixtures/right.js';
import { useTempDir } from '../fixtures/tempDir.js';
import type { MutationHome } from './mutationHome.js';
import { chatThread, left, openMutationHome, right, rolloutName, writeRollout } from './mutationHome.js';

const T = 'dddddddd-0000-7000-8000-000000000001';
const U = 'dddddddd-0000-7000-8000-000000000002';

describe('thread management on real files and LMDB (read receipts and git info in the thread-state log, archive, delete)', function () {
  this.timeout(120_000);
  const dir = useTempDir('re-thread-mgmt-');
  let m: MutationHome;

  before(async () => {
    writeRollout(dir(), rolloutName(T), chatThread('paginated', T, 3).text());
    writeRollout(dir(), rolloutName(U), chatThread('paginated', U, 2).text());
    m = await openMutationHome(dir());
  });
  after(async () => m.close());

  const readState = async (id: string) =>
    (await right(readThread(m.ports, { threadId: id, includeTurns: false }))).readState;

  it('readState/update: a new revision each change; a stale expectedRevision is readStateConflict with the current state; thread/read and thread/list show it', async () => {
    expect(await readState(T)).to.deep.equal({ firstUnread: null, revision: `initial:${T}` });
    const unread = await right(
      updateReadState(m.ports, { threadId: T, operation: { type: 'unread' }, expectedRevision: `initial:${T}` }),
    );
    expect(unread.firstUnread).to.deep.equal({ type: 'threadStart' });
    expect(unread.revision).to.not.equal(`initial:${T}`);
    expect(await readState(T)).to.deep.equal(unread);
    const stale = await left(
      updateReadState(m.ports, { threadId: T, operation: { type: 'read' }, expectedRevision: `initial:${T}` }),
    );
    expect(stale).to.deep.equal({
      _tag: 'Rejected',
      reason: READ_STATE_CHANGED,
      data: { reason: 'readStateConflict', readState: unread },
    });
    const read = await right(
      updateReadState(m.ports, { threadId: T, operation: { type: 'read' }, expectedRevision: unread.revision }),
    );
    expect(read).to.deep.include({ firstUnread: null });
    const listed = await right(listThreads(m.ports, {}));
    expect(listed.page.readStates[T]).to.deep.equal(read);
    expect(listed.page.readStates[U]).to.deep.equal({ firstUnread: null, revision: `initial:${U}` });
  });

  it('two changes from the same revision at once: exactly one wins (the check and the append are one step under the log lock)', async () => {
    const from = (await readState(U))!.revision;
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        updateReadState(m.ports, { threadId: U, operation: { type: 'unread' }, expectedRevision: from })(),
      ),
    );
    expect(results.filter((r) => r._tag === 'Right')).to.have.length(1);
    expect(results.filter((r) => r._tag === 'Left').map((r) => (r._tag === 'Left' ? r.left._tag : ''))).to.deep.equal([
      'Rejected',
      'Rejected',
    ]);
  });

  it('metadata/update patches the stored git info (absent kept, null cleared); thread/read and thread/list carry it', async () => {
    const a = await right(
      updateThreadMetadata(m.ports, {
        threadId: T,
        gitInfo: { sha: 'abc', branch: 'main', originUrl: 'https://example.invalid/r.git' },
      }),
    );
    expect(a.gitInfo).to.deep.equal({ sha: 'abc', branch: 'main', originUrl: 'https://example.invalid/r.git' });
    const b = await right(updateThreadMetadata(m.ports, { threadId: T, gitInfo: { branch: null } }));
    expect(b.gitInfo).to.deep.equal({ sha: 'abc', branch: null, originUrl: 'https://example.invalid/r.git' });
    expect((await right(readThread(m.ports, { threadId: T, includeTurns: false }))).thread.gitInfo).to.deep.equal(
      b.gitInfo,
    );
    expect(await left(updateThreadMetadata(m.ports, { threadId: T, gitInfo: { sha: ' ' } }))).to.deep.equal({
      _tag: 'Rejected',
      reason: 'gitInfo.sha must not be empty',
    });
  });

  it('the log is the source: a rebuilt index (its folder removed) folds it whole and every state is kept', async () => {
    const before = await right(readThread(m.ports, { threadId: T, includeTurns: false }));
    const log = fs.readFileSync(threadStateLogPath(dir()), 'utf8').trim().split('\n');
    expect(log.map((l) => (JSON.parse(l) as { type: string }).type)).to.deep.equal([
      'readState',
      'readState',
      'readState',
      'gitInfo',
      'gitInfo',
    ]);
    await m.close();
    fs.rmSync(nodePath.join(dir(), '.rollout-engine', 'index'), { recursive: true, force: true });
    const home = rightOf(await openCodexHome(dir(), nodePath.join(dir(), '.rollout-engine'), { backfill: 'await' }));
    try {
      const after = await right(readThread(home.mutations, { threadId: T, includeTurns: false }));
      expect(after.readState).to.deep.equal(before.readState);
      expect(after.thread.gitInfo).to.deep.equal(before.thread.gitInfo);
      expect(
        (await right(readThread(home.mutations, { threadId: U, includeTurns: false }))).readState!.firstUnread,
      ).to.deep.equal({ type: 'threadStart' });
    } finally {
      await home.close();
      m = await openMutationHome(dir());
    }
  });

  it('name/set appends to session_index.jsonl (trimmed) and nothing to the rollout; archive and unarchive move the file and keep its state; delete refuses while a fork reads it', async () => {
    const path = (await right(readThread(m.ports, { threadId: T, includeTurns: false }))).thread.path;
    const rollout = fs.readFileSync(path, 'utf8');
    await right(setThreadName(m.ports, { threadId: T, name: '  A name  ' }));
    expect(fs.readFileSync(path, 'utf8')).to.equal(rollout);
    const index = fs.readFileSync(nodePath.join(dir(), 'session_index.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(index[index.length - 1]!)).to.deep.include({ id: T, thread_name: 'A name' });
    expect((await right(readThread(m.ports, { threadId: T, includeTurns: false }))).thread.name).to.equal('A name');

    const state = await readState(T);
    await right(archiveThread(m.ports, { threadId: T }));
    const archived = (await right(readThread(m.ports, { threadId: T, includeTurns: false }))).thread.path;
    expect(archived).to.equal(nodePath.join(dir(), 'archived_sessions', rolloutName(T)));
    expect(fs.existsSync(path)).to.equal(false);
    expect(await readState(T)).to.deep.equal(state);
    expect((await right(listThreads(m.ports, { archived: true }))).page.data.map((t) => t.id)).to.deep.equal([T]);
    expect(await left(archiveThread(m.ports, { threadId: T }))).to.deep.equal({
      _tag: 'Rejected',
      reason: `no rollout found for thread id ${T}`,
      thread: { id: T, refused: 'noRollout' },
    });
    const back = await right(unarchiveThread(m.ports, { threadId: T }));
    expect(back.thread.path).to.equal(path);

    const fork = await right(forkThread(m.ports, { threadId: T, excludeTurns: true }));
    expect(fork.thread.name, 'a fork takes the name').to.equal('A name');
    expect(await left(deleteThread(m.ports, { threadId: T }))).to.deep.equal({
      _tag: 'Rejected',
      reason: forkedHistoryReferences(T),
    });
    await right(deleteThread(m.ports, { threadId: fork.thread.id }));
    expect(fs.existsSync(fork.written.path)).to.equal(false);
    expect(await left(readThread(m.ports, { threadId: fork.thread.id, includeTurns: false }))).to.deep.include({
      _tag: 'NotFound',
    });
    expect(fs.readFileSync(nodePath.join(dir(), 'session_index.jsonl'), 'utf8')).to.not.include(fork.thread.id);
    await right(deleteThread(m.ports, { threadId: T }));
    expect((await right(listThreads(m.ports, {}))).page.data.map((t) => t.id)).to.deep.equal([U]);
  });
});
