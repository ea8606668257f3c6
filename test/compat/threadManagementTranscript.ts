// The thread management transcript: one plain list of steps, sent as it is to the real
// `codex app-server` and to ours (any transport), answers and notifications compared step by
// step. A step's params may use what earlier answers said (`seen`).

export interface Seen {
  /** The scenario's thread. */
  readonly threadId: string;
  /** Its turn ids, oldest first. */
  readonly turnIds: ReadonlyArray<string>;
  /** Earlier answers by step label (the `result`, or the `error`). */
  readonly answers: Readonly<Record<string, any>>;
}

export interface TranscriptStep {
  readonly label: string;
  readonly method: string;
  readonly params: (seen: Seen) => unknown;
}

const step = (label: string, method: string, params: (seen: Seen) => unknown): TranscriptStep => ({
  label,
  method,
  params,
});
const revisionOf = (seen: Seen, label: string): string =>
  seen.answers[label]?.readState?.revision ?? seen.answers[label]?.data?.readState?.revision;

/** A well-formed thread id no home holds. */
export const UNKNOWN_THREAD = '01a20000-0000-7000-8000-000000000000';

export const THREAD_MANAGEMENT_TRANSCRIPT: ReadonlyArray<TranscriptStep> = [
  step('list', 'thread/list', () => ({})),
  step('read', 'thread/read', (s) => ({ threadId: s.threadId })),
  step('turns page', 'thread/turns/list', (s) => ({ threadId: s.threadId, limit: 2, itemsView: 'summary' })),
  step('items page', 'thread/items/list', (s) => ({ threadId: s.threadId, limit: 3 })),
  step('name', 'thread/name/set', (s) => ({ threadId: s.threadId, name: '  Differential name  ' })),
  step('name blank', 'thread/name/set', (s) => ({ threadId: s.threadId, name: '   ' })),
  step('name bad id', 'thread/name/set', () => ({ threadId: 'not-a-uuid', name: 'x' })),
  step('read named', 'thread/read', (s) => ({ threadId: s.threadId })),
  step('unread', 'thread/readState/update', (s) => ({
    threadId: s.threadId,
    operation: { type: 'unread' },
    expectedRevision: s.answers['read']!.readState.revision,
  })),
  step('stale revision', 'thread/readState/update', (s) => ({
    threadId: s.threadId,
    operation: { type: 'read' },
    expectedRevision: s.answers['read']!.readState.revision,
  })),
  step('read again', 'thread/readState/update', (s) => ({
    threadId: s.threadId,
    operation: { type: 'read' },
    expectedRevision: revisionOf(s, 'stale revision'),
  })),
  step('read with state', 'thread/read', (s) => ({ threadId: s.threadId })),
  step('git info', 'thread/metadata/update', (s) => ({
    threadId: s.threadId,
    gitInfo: { sha: 'abc123', branch: 'main', originUrl: 'https://example.invalid/r.git' },
  })),
  step('git branch cleared', 'thread/metadata/update', (s) => ({ threadId: s.threadId, gitInfo: { branch: null } })),
  step('metadata nothing', 'thread/metadata/update', (s) => ({ threadId: s.threadId })),
  step('metadata blank sha', 'thread/metadata/update', (s) => ({ threadId: s.threadId, gitInfo: { sha: '' } })),
  step('list after', 'thread/list', () => ({})),
  step('loaded before fork', 'thread/loaded/list', () => ({})),
  step('fork', 'thread/fork', (s) => ({ threadId: s.threadId, excludeTurns: true })),
  step('loaded after fork', 'thread/loaded/list', () => ({})),
  step('name unknown', 'thread/name/set', () => ({ threadId: UNKNOWN_THREAD, name: 'x' })),
  step('archive unknown', 'thread/archive', () => ({ threadId: UNKNOWN_THREAD })),
  step('unarchive unknown', 'thread/unarchive', () => ({ threadId: UNKNOWN_THREAD })),
  step('metadata unknown', 'thread/metadata/update', () => ({ threadId: UNKNOWN_THREAD, gitInfo: { sha: 'abc' } })),
  step('read state unknown', 'thread/readState/update', () => ({
    threadId: UNKNOWN_THREAD,
    operation: { type: 'read' },
    expectedRevision: `initial:${UNKNOWN_THREAD}`,
  })),
  step('delete unknown', 'thread/delete', () => ({ threadId: UNKNOWN_THREAD })),
  step('unarchive bad id', 'thread/unarchive', () => ({ threadId: 'nope' })),
  step('delete bad id', 'thread/delete', () => ({ threadId: 'nope' })),
  step('metadata bad id', 'thread/metadata/update', () => ({ threadId: 'nope', gitInfo: { sha: 'abc' } })),
  step('read state bad id', 'thread/readState/update', () => ({
    threadId: 'nope',
    operation: { type: 'read' },
    expectedRevision: 'x',
  })),
  step('archive', 'thread/archive', (s) => ({ threadId: s.threadId })),
  step('archive again', 'thread/archive', (s) => ({ threadId: s.threadId })),
  step('archive bad id', 'thread/archive', () => ({ threadId: 'nope' })),
  step('list archived', 'thread/list', () => ({ archived: true })),
  step('list active', 'thread/list', () => ({})),
  step('read archived', 'thread/read', (s) => ({ threadId: s.threadId })),
  step('turns of archived', 'thread/turns/list', (s) => ({ threadId: s.threadId, limit: 2, itemsView: 'notLoaded' })),
  // Codex names only a thread under sessions/: refused, nothing written.
  step('name archived', 'thread/name/set', (s) => ({ threadId: s.threadId, name: 'Archived name' })),
  step('unarchive', 'thread/unarchive', (s) => ({ threadId: s.threadId })),
  step('unarchive again', 'thread/unarchive', (s) => ({ threadId: s.threadId })),
  step('delete referenced', 'thread/delete', (s) => ({ threadId: s.threadId })),
  step('archive fork', 'thread/archive', (s) => ({ threadId: s.answers['fork']!.thread.id })),
  step('loaded after archiving it', 'thread/loaded/list', () => ({})),
  step('unarchive fork', 'thread/unarchive', (s) => ({ threadId: s.answers['fork']!.thread.id })),
  step('loaded after unarchiving it', 'thread/loaded/list', () => ({})),
  step('delete fork', 'thread/delete', (s) => ({ threadId: s.answers['fork']!.thread.id })),
  step('loaded after delete', 'thread/loaded/list', () => ({})),
  step('read deleted fork', 'thread/read', (s) => ({ threadId: s.answers['fork']!.thread.id })),
  step('list end', 'thread/list', () => ({})),
];
