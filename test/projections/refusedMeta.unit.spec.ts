// Issue 69, a thread whose first session_meta Codex's serde refuses: the rows the index keeps for
// it (its rollout row marked `refusedMeta`, its thread row the one Codex's state DB's backfill
// builds, or the thread read by a later meta Codex takes before any response item). The answers
// themselves are compared with the binary in test/compat/undecodableLines.compat.spec.ts.
import { expect } from 'chai';
import { foldedRows } from '../fixtures/foldedRows.js';

const ID = '019a0000-0000-7000-8000-000000000031';
const PATH = `/home/sessions/2026/11/21/rollout-2026-11-21T09-00-00-${ID}.jsonl`;
const meta = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: ID,
  timestamp: '2026-11-21T09:30:00.000Z',
  cwd: '/work/project',
  originator: 'codex_cli_rs',
  cli_version: '0.169.0',
  source: 'cli',
  model_provider: 'mock',
  history_mode: 'legacy',
  ...extra,
});
const line = (type: string, payload: Record<string, unknown>): string =>
  JSON.stringify({ timestamp: '2026-11-21T09:30:01.000Z', type, payload });
const userLines = [
  line('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] }),
  line('event_msg', { type: 'user_message', message: 'hello', images: [] }),
];

/** The rows of a file of `texts`, folded as the indexer folds it. */
const fold = (texts: string[]) => foldedRows(PATH, ID, texts);

describe('rows of a first session_meta Codex refuses (issue 69)', () => {
  it('our codec refuses it too: a rollout row under the name id, the state DB row from the file name', () => {
    const { rollout, thread } = fold([line('session_meta', meta({ cwd: 0 })), ...userLines]);
    expect(rollout?.refusedMeta).to.deep.equal({ headClosed: true, codexItems: true });
    expect(rollout?.meta).to.equal(null);
    expect(thread).to.include({
      id: ID,
      metaRefused: true,
      originator: null,
      cliVersion: '',
      cwd: '',
      modelProvider: 'openai',
      source: 'vscode',
      preview: 'hello',
    });
    // The name's time (rollout-2026-11-21T09-00-00), not the refused meta's.
    expect(thread?.createdAt).to.equal(Date.parse('2026-11-21T09:00:00Z') / 1000);
  });

  it('no line of the file Codex decodes (its meta and a rollback it refuses, a NUL tail): no thread row, as its state DB keeps none', () => {
    const refusedRollback = line('event_msg', { type: 'thread_rolled_back', num_turns: null });
    const { rollout, thread } = fold([line('session_meta', meta({ runtime_workspace_roots: '/x' })), refusedRollback]);
    expect(rollout?.refusedMeta).to.deep.equal({ headClosed: false });
    expect(thread).to.equal(undefined);
    // One line Codex decodes is enough for its backfill's row.
    const kept = fold([line('session_meta', meta({ runtime_workspace_roots: '/x' })), refusedRollback, ...userLines]);
    expect(kept.rollout?.refusedMeta).to.deep.equal({ headClosed: true, codexItems: true });
    expect(kept.thread).to.include({ id: ID, metaRefused: true });
  });

  it('our codec reads it, Codex refuses it (an id of no ThreadId): keyed by the name id as when both refuse it', () => {
    const { rollout, thread } = fold([line('session_meta', meta({ id: 'x'.repeat(5000) })), ...userLines]);
    expect(rollout?.refusedMeta).to.deep.equal({ headClosed: true, codexItems: true });
    expect(rollout?.threadId).to.equal(ID);
    expect(thread).to.include({
      id: ID,
      sessionId: ID,
      metaRefused: true,
      originator: null,
      cwd: '',
      source: 'vscode',
    });
    expect(thread?.createdAt).to.equal(Date.parse('2026-11-21T09:00:00Z') / 1000);
  });

  it('a later meta Codex reads before any response item is the thread meta: read as any thread', () => {
    const { rollout, thread } = fold([
      line('session_meta', meta({ timestamp: null })),
      line('session_meta', meta({ cwd: '/work/second' })),
      ...userLines,
    ]);
    expect(rollout?.refusedMeta).to.equal(undefined);
    expect(rollout?.meta).to.include({ cwd: '/work/second' });
    expect(thread).to.include({ id: ID, cwd: '/work/second', originator: 'codex_cli_rs' });
    expect(thread?.metaRefused).to.equal(undefined);
  });

  it('a later meta after a response item: reads refused, the state DB row built from that meta', () => {
    const { rollout, thread } = fold([
      line('session_meta', meta({ cwd: 0 })),
      ...userLines,
      line('session_meta', meta({ cwd: '/work/second' })),
    ]);
    expect(rollout?.refusedMeta?.headClosed).to.equal(true);
    expect(rollout?.refusedMeta?.stateDbMeta).to.include({ cwd: '/work/second' });
    expect(thread).to.include({
      metaRefused: true,
      cwd: '/work/second',
      originator: 'codex_cli_rs',
      createdAt: Date.parse('2026-11-21T09:30:00Z') / 1000,
    });
    // In the 10 records Codex's file scan reads: it lists the thread by that meta.
    expect(rollout?.refusedMeta?.scanned).to.equal(true);
    expect(thread?.scanListed).to.equal(true);
  });

  it("a later meta past the head of 10 records Codex's file scan reads: the scan does not list the thread", () => {
    const { rollout, thread } = fold([
      line('session_meta', meta({ cwd: 0 })),
      ...userLines,
      ...Array.from({ length: 8 }, () => line('event_msg', { type: 'agent_message', message: 'a' })),
      line('session_meta', meta({ cwd: '/work/second' })),
    ]);
    expect(rollout?.refusedMeta?.stateDbMeta).to.include({ cwd: '/work/second' });
    expect(rollout?.refusedMeta?.scanned).to.equal(undefined);
    expect(thread?.metaRefused).to.equal(true);
    expect(thread?.scanListed).to.equal(undefined);
  });

  it('no session_meta first (a response item): a rollout row under the name id, the state DB row from the file name', () => {
    const { rollout, thread } = fold([...userLines]);
    expect(rollout?.refusedMeta).to.deep.equal({ headClosed: true, codexItems: true });
    expect(thread).to.include({ id: ID, metaRefused: true, originator: null, source: 'vscode', preview: 'hello' });
  });

  it('a history mode Codex refuses: no later meta taken, no state DB row', () => {
    const { rollout, thread } = fold([
      line('session_meta', meta({ history_mode: 0 })),
      line('session_meta', meta()),
      ...userLines,
    ]);
    expect(rollout?.refusedMeta).to.include({ headClosed: true, historyModeRefused: true });
    expect(rollout?.meta).to.equal(null);
    expect(thread).to.equal(undefined);
  });
});
