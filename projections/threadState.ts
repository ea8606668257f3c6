import type { IndexReader, IndexWrite } from '../domain/index/rows.js';
import type { ThreadStateEvent } from '../domain/threadState/threadStateEvent.js';
import { foldThreadState } from '../domain/threadState/threadStateEvent.js';
import { Batch } from './batch.js';
import { withThreadState, writeThreadRow } from './threadRows.js';

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
