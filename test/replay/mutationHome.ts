// A CODEX_HOME on disk with an LMDB index and the mutation ports over it, for mutation tests.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { Thread } from '../../domain/thread/thread.js';
import { openIndex } from '../../indexer/open/openIndex.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import { portsOver } from '../../adapters/driving/composition/openCodexHome.js';
import type { ThreadManagementPorts } from '../../replay/ports.js';
import { materialisedThread, readThread } from '../../replay/history/readThread.js';
import { useCase } from '../../domain/effect.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { right as rightOf } from '../fixtures/right.js';
import type { HistoryMode } from '../../domain/rollout/historyMode.js';
import { forkThread } from '../../replay/mutations/forkThread.js';
import { startReview } from '../../replay/mutations/startReview.js';

export const dayDir = (home: string): string => nodePath.join(home, 'sessions', '2026', '11', '21');

/** Write (or extend) a rollout file; returns its path. */
export const writeRollout = (home: string, name: string, text: string, append = false): string => {
  fs.mkdirSync(dayDir(home), { recursive: true });
  const p = nodePath.join(dayDir(home), name);
  if (append) fs.appendFileSync(p, text);
  else fs.writeFileSync(p, text);
  return p;
};

export const rolloutName = (threadId: string): string => `rollout-2026-11-21T14-00-00-${threadId}.jsonl`;

/** A thread of `turns` chat turns (turn ids `<prefix>1`, …) with settings in its first turn. */
export const chatThread = (mode: HistoryMode, threadId: string, turns: number, prefix = 't'): RolloutWriter => {
  const w = new RolloutWriter(mode, threadId).sessionMeta();
  for (let i = 1; i <= turns; i++) {
    if (i === 1)
      w.push('event_msg', {
        type: 'thread_settings_applied',
        thread_id: threadId,
        thread_settings: { model: 'mock-model', cwd: '/work/project' },
      });
    w.chatTurn(`${prefix}${i}`, `question ${i}`, `answer ${i}`);
  }
  return w;
};

export interface MutationHome {
  readonly home: string;
  readonly store: LmdbIndexStore;
  readonly ports: ThreadManagementPorts;
  readonly close: () => Promise<void>;
}

export const openMutationHome = async (home: string): Promise<MutationHome> => {
  const opened = await openIndex(nodePath.join(home, '.rollout-engine', 'index'), home)();
  if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
  const store = opened.right.store;
  return { home, store, ports: portsOver(store, home, {}).mutations, close: async () => void (await store.close()()) };
};

export const right = async <A>(te: TE.TaskEither<EngineError, A>): Promise<A> => rightOf(await te());

export const left = async <A>(te: TE.TaskEither<EngineError, A>): Promise<EngineError> => {
  const r = await te();
  if (E.isRight(r)) throw new Error(`expected Left, got ${JSON.stringify(r.right).slice(0, 300)}`);
  return r.left;
};

/** `thread/read includeTurns` from the index. */
export const readTurns = async (m: MutationHome, threadId: string): Promise<Thread['turns']> =>
  (
    await right(
      useCase(async () =>
        materialisedThread((await right(readThread(m.ports, { threadId: threadId, includeTurns: true }))).thread),
      ),
    )
  ).turns;

/** A thread family as clients make one: a fork of `forked` (before its turn `t2`), a fork of that fork, and a detached review of `reviewed`. */
export const threadFamily = async (
  m: MutationHome,
  forked: string,
  reviewed: string,
): Promise<{ readonly fork: string; readonly forkOfFork: string; readonly review: string }> => {
  const fork = (await right(forkThread(m.ports, { threadId: forked, lastTurnId: 't2' }))).thread.id;
  const forkOfFork = (await right(forkThread(m.ports, { threadId: fork }))).thread.id;
  const review = (
    await right(
      startReview(m.ports, {
        threadId: reviewed,
        target: { type: 'commit', sha: '0123456789abcdef', title: 'Fix it' },
        delivery: 'detached',
      }),
    )
  ).reviewThreadId;
  return { fork, forkOfFork, review };
};
