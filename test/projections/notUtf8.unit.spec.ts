// A rollout with a line that is not UTF-8: the rows the index keeps for it. Codex's loads of such a
// file fail (codex-rs rollout/src/recorder.rs `load_rollout_items`: tokio's `lines()`), so its state
// DB holds no row for it, and it answers the thread from the head its file scan read before that
// line (rollout/src/list.rs `read_head_summary`: up to the first user message, or 210 lines). The
// answers themselves are compared with the binary in test/compat/historyNotUtf8.compat.spec.ts.
import { expect } from 'chai';
import { foldedRows } from '../fixtures/foldedRows.js';
import { turnContextPayload, user as userLines } from '../fixtures/legacyRollout.js';

const ID = '019a0000-0000-7000-8000-000000000041';
const PATH = `/home/sessions/2026/11/21/rollout-2026-11-21T09-00-00-${ID}.jsonl`;
const START = Date.parse('2026-11-21T09:30:00.000Z') / 1000;
const MTIME = Date.parse('2026-11-21T10:00:00Z') / 1000;
const meta = (extra: Record<string, unknown> = {}): string =>
  line('session_meta', {
    id: ID,
    timestamp: '2026-11-21T09:30:00.000Z',
    cwd: '/work/project',
    originator: 'codex_cli_rs',
    cli_version: '0.98.0',
    source: 'cli',
    model_provider: 'mock',
    ...extra,
  });
const line = (type: string, payload: Record<string, unknown>): string =>
  JSON.stringify({ timestamp: '2026-11-21T09:30:01.000Z', type, payload });
const user = (text: string): string[] => userLines(text).map((l) => line(l.type, l.payload));
const settings = line('turn_context', turnContextPayload());
const agent = line('event_msg', { type: 'agent_message', message: 'ok' });
/** A lone continuation byte and a lead byte cut short: no UTF-8. */
const BINARY = Buffer.from([0x00, 0xff, 0x80, 0x62, 0xc3, 0x28]);

const fold = (texts: ReadonlyArray<string | Buffer>) => foldedRows(PATH, ID, texts);

describe('rows of a rollout with a line that is not UTF-8', () => {
  it('after the first user message: its head is read, the thread answered from it with no model and its start as updatedAt', () => {
    const texts = [meta(), settings, ...user('hello'), agent, BINARY, ...user('later'), BINARY];
    const { rollout, thread } = fold(texts);
    const at = texts.slice(0, 5).reduce((n, t) => n + Buffer.byteLength(t) + 1, 0);
    // The first such line's place; the lines after it are folded as ever (our reads show them).
    expect(rollout?.notUtf8).to.deep.equal({ byteOffset: at, headRead: true });
    expect(rollout?.invalidLines).to.equal(2);
    expect(thread).to.include({
      historyUnloadable: 'headRead',
      preview: 'hello',
      model: null,
      reasoningEffort: null,
      createdAt: START,
      updatedAt: START,
      recencyAt: START,
      threadSource: null,
    });
    expect(thread?.stateDb).to.equal(undefined);
  });

  it('right after its meta: its head scan fails there, so no preview, and the file time as updatedAt', () => {
    const { rollout, thread } = fold([meta({ thread_source: 'user' }), BINARY, settings, ...user('hello')]);
    expect(rollout?.notUtf8?.headRead).to.equal(false);
    expect(thread).to.include({
      historyUnloadable: 'headUnread',
      preview: '',
      name: null,
      createdAt: START,
      updatedAt: MTIME,
      recencyAt: MTIME,
      threadSource: 'user',
    });
  });

  it('no user message in 210 lines: the head is read to its end, with no preview', () => {
    const lines = (n: number) => Array.from({ length: n }, () => agent);
    // The meta and 209 lines: 210 lines read, the scan's end.
    const read = fold([meta(), ...lines(209), BINARY, ...user('hello')]);
    expect(read.rollout?.notUtf8?.headRead).to.equal(true);
    expect(read.thread).to.include({ historyUnloadable: 'headRead', preview: '', updatedAt: START });
    // One line fewer: the scan reads the bad line.
    expect(fold([meta(), ...lines(208), BINARY, ...user('hello')]).rollout?.notUtf8?.headRead).to.equal(false);
    // A blank line is passed by uncounted (`trim`): 210 lines, 209 counted.
    expect(fold([meta(), ...lines(208), '  ', BINARY, ...user('hello')]).rollout?.notUtf8?.headRead).to.equal(false);
    // A BOM alone is no blank line to Rust's `trim` (it is to JavaScript's): counted.
    expect(fold([meta(), ...lines(208), '\ufeff', BINARY]).rollout?.notUtf8?.headRead).to.equal(true);
  });

  it('a first user message of images alone: the head scan stops at it, the preview `[Image]`', () => {
    const image = line('event_msg', { type: 'user_message', message: '', images: ['data:image/png;base64,AA=='] });
    const { rollout, thread } = fold([meta(), image, BINARY, ...user('hello')]);
    expect(rollout?.imageFirst).to.equal(true);
    expect(rollout?.notUtf8?.headRead).to.equal(true);
    expect(thread).to.include({ historyUnloadable: 'headRead', preview: '[Image]', updatedAt: START });
    // With text first, no mark of it.
    expect(fold([meta(), ...user('hello'), image, BINARY]).rollout?.imageFirst).to.equal(undefined);
  });

  it('a file whose meta Codex refuses: no thread row (its backfill, which would keep one, fails to load the file)', () => {
    const { rollout, thread } = fold([meta({ cwd: 0 }), ...user('hello'), BINARY]);
    expect(rollout?.refusedMeta).to.not.equal(undefined);
    expect(rollout?.notUtf8?.headRead).to.equal(false);
    expect(thread).to.equal(undefined);
  });

  it('bytes that are UTF-8 but no JSON are a line Codex passes by: nothing marked', () => {
    const { rollout, thread } = fold([meta(), ...user('hello'), Buffer.from('not json, é\n'.slice(0, -1))]);
    expect(rollout?.notUtf8).to.equal(undefined);
    expect(thread?.historyUnloadable).to.equal(undefined);
  });
});
