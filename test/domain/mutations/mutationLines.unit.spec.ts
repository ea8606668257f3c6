import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { withSessionMetaFields } from '../../../domain/rollout/sessionMetaFields.js';
import { forkSessionMeta, copiedSessionMeta } from '../../../domain/fork/forkMeta.js';
import { copyIntoLegacyFork } from '../../../domain/fork/legacyCopy.js';
import { forkCut, rollbackCut } from '../../../domain/history/cut.js';
import type { TurnRef } from '../../../domain/history/cut.js';
import { decodeRolloutLine } from '../../../domain/rollout/line.js';
import { userFacingHint } from '../../../domain/review/reviewTarget.js';
import { threadTokenUsage, replayTurnId } from '../../../domain/tokens/threadTokenUsage.js';
import { revisionLines } from '../../../domain/revert/revisionLines.js';

const root = {
  account_scoped: true,
  session_id: 'S',
  id: 'S',
  timestamp: '2026-11-21T14:00:00.000Z',
  cwd: '/w',
  source: 'vscode',
  base_instructions: { text: 'x' },
  history_mode: 'paginated',
  context_window: { window_id: 'W' },
  git: { branch: 'main' },
};

const turn = (id: string, ordinal: number, status: TurnRef['status'] = 'completed'): TurnRef => ({
  id,
  rootTurnId: id,
  status,
  startedAt: 1,
  anchor: { rolloutId: 'S', line: ordinal, byteOffset: ordinal * 100, ordinal },
});

describe('mutation lines (pure)', () => {
  it('session_meta fields: kept in place, added where Codex puts them, removed on request', () => {
    const m = withSessionMetaFields(
      root,
      { forked_from_id: 'P', history_base: { thread_id: 'P' }, multi_agent_version: 'v1', cwd: '/x' },
      ['git'],
    );
    expect(Object.keys(m)).to.deep.equal([
      'account_scoped',
      'session_id',
      'id',
      'forked_from_id',
      'timestamp',
      'cwd',
      'source',
      'base_instructions',
      'history_mode',
      'history_base',
      'multi_agent_version',
      'context_window',
    ]);
    expect(m['cwd']).to.equal('/x');
  });

  it('a fork meta names its source and cut; a fork of a fork replaces them; a legacy fork has no base', () => {
    const cut = { rolloutId: 'S', line: 38, byteOffset: 4000, ordinal: 38 };
    const f = forkSessionMeta({
      source: root,
      sourceThreadId: 'S',
      newThreadId: 'F',
      windowId: 'W2',
      timestamp: 'T',
      cut,
    });
    expect(f).to.include({
      id: 'F',
      session_id: 'F',
      forked_from_id: 'S',
      forked_from_ordinal_exclusive: 38,
      multi_agent_version: 'v1',
      timestamp: 'T',
    });
    expect(f['history_base']).to.deep.equal({ thread_id: 'S', end_ordinal_exclusive: 38, end_byte_offset: 4000 });
    expect(f['context_window']).to.deep.equal({ window_id: 'W2' });
    const ff = forkSessionMeta({
      source: f,
      sourceThreadId: 'F',
      newThreadId: 'G',
      windowId: 'W3',
      timestamp: 'T2',
      cut: { ...cut, rolloutId: 'F', ordinal: 40 },
    });
    expect(ff).to.include({ forked_from_id: 'F', forked_from_ordinal_exclusive: 40 });
    const legacy = forkSessionMeta({
      source: { ...f, history_mode: 'legacy' },
      sourceThreadId: 'F',
      newThreadId: 'H',
      windowId: 'W4',
      timestamp: 'T',
      cut: null,
    });
    expect(legacy).to.not.have.any.keys('history_base', 'forked_from_ordinal_exclusive');
    expect(copiedSessionMeta({ ...root, multi_agent_version: 'disabled' })['multi_agent_version']).to.equal('disabled');
  });

  it('a copied legacy line keeps its bytes but the timestamp', () => {
    const raw =
      '{"timestamp":"2026-01-01T00:00:00.000Z","type":"event_msg","payload":{"type":"agent_message","message":"café \\"q\\"","phase":null}}';
    const line = decodeRolloutLine(raw);
    if (E.isLeft(line)) throw new Error(line.left);
    expect(copyIntoLegacyFork(line.right, '2026-11-21T15:00:00.123Z')).to.equal(
      raw.replace('2026-01-01T00:00:00.000Z', '2026-11-21T15:00:00.123Z'),
    );
  });

  it('cuts: whole, just past lastTurnId, at beforeTurnId; running and unknown turns refused; rollback counts from the end', () => {
    const end = { rolloutId: 'S', line: 60, byteOffset: 6000, ordinal: 60 };
    expect(forkCut({ kind: 'whole' }, { target: undefined, next: undefined, end })).to.deep.equal(E.right(end));
    expect(
      forkCut({ kind: 'lastTurn', turnId: 'a' }, { target: turn('a', 1), next: turn('b', 16), end }),
    ).to.deep.equal(E.right(turn('b', 16).anchor));
    expect(forkCut({ kind: 'lastTurn', turnId: 'b' }, { target: turn('b', 16), next: undefined, end })).to.deep.equal(
      E.right(end),
    );
    expect(forkCut({ kind: 'beforeTurn', turnId: 'b' }, { target: turn('b', 16), next: undefined, end })).to.deep.equal(
      E.right(turn('b', 16).anchor),
    );
    expect(
      forkCut({ kind: 'lastTurn', turnId: 'r' }, { target: turn('r', 30, 'inProgress'), next: undefined, end }),
    ).to.deep.equal(E.left({ _tag: 'Rejected', reason: "lastTurnId 'r' identifies an in-progress turn" }));
    expect(
      E.isLeft(forkCut({ kind: 'beforeTurn', turnId: 'x' }, { target: undefined, next: undefined, end })),
    ).to.equal(true);
    const last = [turn('a', 1), turn('b', 16), turn('c', 27)];
    expect(rollbackCut(last, 2)).to.deep.equal(E.right(turn('b', 16).anchor));
    expect(rollbackCut(last, 9)).to.deep.equal(E.right(turn('a', 1).anchor));
    expect(rollbackCut([], 1)).to.deep.equal(E.right(undefined));
    expect(rollbackCut(last, 0)).to.deep.equal(E.left({ _tag: 'Rejected', reason: 'numTurns must be >= 1' }));
  });

  it('a revision keeps the thread (id, window) and re-bases it at the cut', () => {
    const [meta, settings] = revisionLines({
      currentMeta: root,
      threadId: 'S',
      timestamp: 'T',
      cut: { rolloutId: 'S', line: 27, byteOffset: 42353, ordinal: 27 },
      settings: { model: 'm' },
    });
    expect(meta!.payload).to.deep.include({
      id: 'S',
      session_id: 'S',
      timestamp: 'T',
      multi_agent_version: 'v1',
      context_window: { window_id: 'W' },
    });
    expect((meta!.payload as Record<string, unknown>)['history_base']).to.deep.equal({
      thread_id: 'S',
      end_ordinal_exclusive: 27,
      end_byte_offset: 42353,
    });
    expect(settings!.payload).to.deep.equal({
      type: 'thread_settings_applied',
      thread_id: 'S',
      thread_settings: { model: 'm' },
    });
  });

  it('review hints as Codex words them', () => {
    expect(userFacingHint({ type: 'uncommittedChanges' })).to.equal('current changes');
    expect(userFacingHint({ type: 'baseBranch', branch: 'main' })).to.equal("changes against 'main'");
    expect(userFacingHint({ type: 'commit', sha: 'abcdef0123', title: null })).to.equal('commit abcdef0');
    expect(userFacingHint({ type: 'commit', sha: 'abcdef0123', title: 'T' })).to.equal('commit abcdef0: T');
    expect(userFacingHint({ type: 'custom', instructions: '  Look.  ' })).to.equal('Look.');
  });

  it('token usage in protocol shape; the replayed turn falls back to the last settled one', () => {
    const u = threadTokenUsage({
      total_token_usage: { input_tokens: 10, output_tokens: 2, total_tokens: 12 },
      last_token_usage: null,
      model_context_window: 190000,
    });
    expect(u).to.deep.equal(
      E.right({
        total: {
          totalTokens: 12,
          inputTokens: 10,
          cachedInputTokens: 0,
          cacheWriteInputTokens: 0,
          outputTokens: 2,
          reasoningOutputTokens: 0,
        },
        last: {
          totalTokens: 0,
          inputTokens: 0,
          cachedInputTokens: 0,
          cacheWriteInputTokens: 0,
          outputTokens: 0,
          reasoningOutputTokens: 0,
        },
        modelContextWindow: 190000,
      }),
    );
    expect(E.isLeft(threadTokenUsage({ nope: 1 }))).to.equal(true);
    expect(replayTurnId('a', { has: () => true, lastSettled: 'b', last: 'c' })).to.equal('a');
    expect(replayTurnId('a', { has: () => false, lastSettled: 'b', last: 'c' })).to.equal('b');
    expect(replayTurnId(null, { has: () => false, lastSettled: null, last: 'c' })).to.equal('c');
    expect(replayTurnId(null, { has: () => false, lastSettled: null, last: null })).to.equal('');
  });
});
