import type { IndexReader, IndexWrite, ThreadRow } from '../domain/index/rows.js';
import type { ThreadStateEvent, ThreadStateRow } from '../domain/threadState/threadStateEvent.js';
import { foldThreadState } from '../domain/threadState/threadStateEvent.js';
import { Batch } from './batch.js';
import { writeThreadRow } from './threadRows.js';

/**
 * A thread row with what the thread-state log says of it: its read receipt, and the git metadata
 * `thread/metadata/update` stored (which replaces the rollout's, as Codex's cache does).
 */
export const withThreadState = (row: ThreadRow, state: ThreadStateRow | undefined): ThreadRow => {
  const { readState: _old, ...rest } = row;
  const git = state?.gitInfo === undefined ? rest : { ...rest, gitInfo: state.gitInfo };
  return state?.readState === undefined ? git : { ...git, readState: state.readState };
};

/**
 * Fold events of the thread-state log into `threadState`, and into the thread rows that exist
 * (a row written later reads `threadState` itself: projections/threadRows.ts). Pure.
 */
export const foldThreadStateEvents = (reader: IndexReader, events: ReadonlyArray<ThreadStateEvent>): IndexWrite[] => {
  const b = new Batch(reader);
  for (const e of events) {
    const next = foldThreadState(b.get('threadState', [e.threadId]), e);
    if (next === undefined) b.del('threadState', [e.threadId]);
    else b.put('threadState', [e.threadId], next);
    const thread = b.get('threads', [e.threadId]);
    if (thread !== undefined) writeThreadRow(b, e.threadId, withThreadState(thread, next));
  }
  return b.writes();
};
