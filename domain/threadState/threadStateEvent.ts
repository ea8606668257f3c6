import * as t from 'io-ts';

/**
 * State of a thread that Codex keeps only in its SQLite cache (`state_5.sqlite`), not in any
 * rollout: read receipts (`thread_read_receipts`) and the git metadata `thread/metadata/update`
 * stores. The engine keeps it as events in an append-only log of its own
 * (`.rollout-engine/thread-state.jsonl`), folded into the index like the rollouts are.
 */

const UnreadPosition = t.union([
  t.type({ type: t.literal('threadStart') }),
  t.type({ type: t.literal('turn'), turnId: t.string }),
]);

/** `ThreadReadState`: the first unread position (null: read) and the revision that guards edits. */
export const ReadState = t.type({ firstUnread: t.union([UnreadPosition, t.null]), revision: t.string });
export type ReadState = t.TypeOf<typeof ReadState>;

export const StoredGitInfo = t.type({
  sha: t.union([t.string, t.null]),
  branch: t.union([t.string, t.null]),
  originUrl: t.union([t.string, t.null]),
});

/** One line of the log. Each event carries the whole new value, so folding it again changes nothing. */
export const ThreadStateEvent = t.union([
  t.type({ type: t.literal('readState'), threadId: t.string, at: t.string, readState: ReadState }),
  t.type({ type: t.literal('gitInfo'), threadId: t.string, at: t.string, gitInfo: t.union([StoredGitInfo, t.null]) }),
  /** `thread/delete`: what the log held for the thread goes with it. */
  t.type({ type: t.literal('forgotten'), threadId: t.string, at: t.string }),
]);
export type ThreadStateEvent = t.TypeOf<typeof ThreadStateEvent>;

/** The fold of a thread's events (index table `threadState`); a field is absent until an event set it. */
export interface ThreadStateRow {
  readonly readState?: ReadState;
  readonly gitInfo?: t.TypeOf<typeof StoredGitInfo> | null;
}

/** The row after one event (undefined: nothing left for the thread). Pure. */
export const foldThreadState = (row: ThreadStateRow | undefined, e: ThreadStateEvent): ThreadStateRow | undefined => {
  switch (e.type) {
    case 'readState':
      return { ...row, readState: e.readState };
    case 'gitInfo':
      return { ...row, gitInfo: e.gitInfo };
    case 'forgotten':
      return undefined;
  }
};
