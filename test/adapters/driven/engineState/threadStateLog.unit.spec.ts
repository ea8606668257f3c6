import { expect } from 'chai';
import { decodeThreadStateLines } from '../../../../adapters/driven/engineState/threadStateLog.js';
import { foldThreadState } from '../../../../domain/threadState/threadStateEvent.js';
import { LoadedThreads } from '../../../../adapters/driving/rpc/loadedThreads.js';
import { patchedGitInfo } from '../../../../replay/mutations/updateThreadMetadata.js';

const T = 'dddddddd-0000-7000-8000-000000000001';
const rs = (revision: string) => ({
  type: 'readState',
  threadId: T,
  at: '2026-11-22T00:00:00.000Z',
  readState: { firstUnread: null, revision },
});

describe('thread-state log: lines, fold, and the pieces around it', () => {
  it('complete lines are decoded; a torn last line is left for later; a line that is no event is skipped and told', () => {
    const bad: string[] = [];
    const text = `${JSON.stringify(rs('a'))}\n{"type":"readState"}\nnot json\n${JSON.stringify(rs('b')).slice(0, 20)}`;
    const { events, consumed } = decodeThreadStateLines(text, (r) => bad.push(r));
    expect(events.map((e) => (e.type === 'readState' ? e.readState.revision : ''))).to.deep.equal(['a']);
    expect(bad).to.have.length(2);
    expect(consumed).to.equal(Buffer.byteLength(text) - 20);
  });

  it('each event carries the whole value: folding it again changes nothing; forgotten clears', () => {
    const one = foldThreadState(undefined, rs('a') as never);
    expect(foldThreadState(one, rs('a') as never)).to.deep.equal(one);
    const git = foldThreadState(one, {
      type: 'gitInfo',
      threadId: T,
      at: '',
      gitInfo: { sha: 'x', branch: null, originUrl: null },
    });
    expect(git).to.deep.equal({
      readState: { firstUnread: null, revision: 'a' },
      gitInfo: { sha: 'x', branch: null, originUrl: null },
    });
    expect(foldThreadState(git, { type: 'forgotten', threadId: T, at: '' })).to.equal(undefined);
  });

  it('git info patches: absent kept, null cleared, blank refused, all null is none', () => {
    const cur = { sha: 'a', branch: 'b', originUrl: 'c' };
    expect(patchedGitInfo(cur, { branch: null })).to.deep.equal({
      _tag: 'Right',
      right: { sha: 'a', branch: null, originUrl: 'c' },
    });
    expect(patchedGitInfo(null, { sha: 'x' })).to.deep.equal({
      _tag: 'Right',
      right: { sha: 'x', branch: null, originUrl: null },
    });
    expect(patchedGitInfo(cur, { sha: null, branch: null, originUrl: null })).to.deep.equal({
      _tag: 'Right',
      right: null,
    });
    expect(patchedGitInfo(cur, { originUrl: '' })).to.deep.include({ _tag: 'Left' });
  });

  it('loaded threads page in id order from past the cursor', () => {
    const l = new LoadedThreads();
    for (const id of ['c', 'a', 'b']) l.load(id);
    expect(l.page(undefined, undefined)).to.deep.equal({ data: ['a', 'b', 'c'], nextCursor: null });
    expect(l.page(undefined, 2)).to.deep.equal({ data: ['a', 'b'], nextCursor: 'b' });
    expect(l.page('b', 2)).to.deep.equal({ data: ['c'], nextCursor: null });
    expect(l.unload('a')).to.equal(true);
    expect(l.unload('a')).to.equal(false);
  });
});
