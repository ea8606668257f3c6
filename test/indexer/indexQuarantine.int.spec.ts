import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { collectingQuarantineSink } from '../../adapters/driven/jsonl/writers/quarantine.js';
import { newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { CLI } from '../fixtures/cliBundle.js';

const run = promisify(execFile);

/**
 * A thread whose file has, between good lines: text that is not JSON, JSON that is not a rollout
 * line, a known kind whose payload fails its codec, an empty line, invalid UTF-8, and a long
 * item_completed (its unread output is elided before parsing) whose item fails its codec.
 */
const damagedThread = (): { threadId: string; bytes: Buffer; bad: Array<{ text: string; reason: RegExp }> } => {
  const t = newThread(81);
  const lines = threadLines(t, 2);
  const bigBad = JSON.stringify({
    timestamp: '2026-11-21T14:00:30.000Z',
    ordinal: 99,
    type: 'event_msg',
    payload: {
      type: 'item_completed',
      thread_id: t.threadId,
      turn_id: 'x',
      item: { type: 'CommandExecution', id: 'c1', command: 'not an array', aggregated_output: 'y'.repeat(20_000) },
    },
  });
  const bad = [
    { text: 'this is not json', reason: /not JSON/ },
    { text: '{"hello":"world"}', reason: /not a rollout line/ },
    {
      text: '{"timestamp":"2026-11-21T14:00:20.000Z","ordinal":98,"type":"event_msg","payload":{"type":"task_started","turn_id":42}}',
      reason: /event_msg\/task_started does not decode/,
    },
    { text: '', reason: /empty line/ },
    { text: bigBad, reason: /event_msg\/item_completed does not decode/ },
  ];
  const parts: Buffer[] = [];
  lines.forEach((l, i) => {
    parts.push(Buffer.from(l + '\n'));
    if (i === 3) for (const b of bad) parts.push(Buffer.from(b.text + '\n'));
  });
  // Invalid UTF-8 inside an otherwise skipped (never parsed) kind.
  const utf8 = Buffer.concat([
    Buffer.from('{"timestamp":"2026-11-21T14:00:40.000Z","ordinal":97,"type":"world_state","payload":{"x":"'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('"}}\n'),
  ]);
  parts.splice(6, 0, utf8);
  return {
    threadId: t.threadId,
    bytes: Buffer.concat(parts),
    bad: [...bad, { text: utf8.subarray(0, -1).toString('utf8'), reason: /invalid UTF-8/ }],
  };
};

describe('index quarantine: every line it cannot use is recorded with its byte range and reason', function () {
  this.timeout(120_000);
  let home: string;
  let file: string;
  let damaged: ReturnType<typeof damagedThread>;

  beforeEach(async () => {
    home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-q-'));
    damaged = damagedThread();
    file = nodePath.join(home, rolloutRelPath(damaged.threadId));
    await fs.mkdir(nodePath.dirname(file), { recursive: true });
    await fs.writeFile(file, damaged.bytes);
  });
  afterEach(() => fs.rm(home, { recursive: true, force: true }));

  it('undecodable text lines (not JSON, not a rollout line, bad payload), empty lines and invalid UTF-8 reach the sink once', async () => {
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-q-'));
    const store = right(await openLmdbIndex(dir)());
    try {
      const sink = collectingQuarantineSink();
      const s = right(await catchUpHome(store, home, { quarantine: sink, batchLines: 4 })());
      expect(s.quarantined).to.equal(damaged.bad.length);
      expect(sink.records).to.have.length(damaged.bad.length);
      for (const r of sink.records) {
        expect(r.path).to.equal(file);
        // The byte range is exactly the line.
        expect(damaged.bytes.subarray(r.byteOffset, r.byteOffset + r.byteLength).toString('utf8')).to.equal(r.text);
        expect(damaged.bytes[r.byteOffset + r.byteLength]).to.equal(0x0a);
      }
      for (const b of damaged.bad) {
        const rec = sink.records.find((r) => r.text === b.text);
        expect(rec, b.text.slice(0, 60)).to.not.equal(undefined);
        expect(rec!.reason).to.match(b.reason);
      }
      // The thread is still indexed from its good lines; the rollout row counts the bad ones.
      expect(right(await store.range('turns', [damaged.threadId])())).to.have.length(2);
      expect(right(await store.get('rollouts', [damaged.threadId])())!.invalidLines).to.equal(damaged.bad.length);
      // Nothing new: nothing recorded again.
      const again = right(await catchUpHome(store, home, { quarantine: sink })());
      expect(again.quarantined).to.equal(0);
      expect(sink.records).to.have.length(damaged.bad.length);
    } finally {
      right(await store.close()());
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('index --json counts them and writes quarantine.jsonl in the index dir', async () => {
    const summary = JSON.parse((await run('node', [CLI, 'index', '--codex-home', home, '--json'])).stdout) as {
      quarantined: number;
    };
    expect(summary.quarantined).to.equal(damaged.bad.length);
    const records = (await fs.readFile(nodePath.join(home, '.rollout-engine', 'quarantine.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { path: string; byteOffset: number; byteLength: number; reason: string; message: string },
      );
    expect(records).to.have.length(damaged.bad.length);
    expect(
      records.every(
        (r) =>
          r.path === file && r.byteLength >= 0 && r.reason.length > 0 && r.message.includes(`bytes ${r.byteOffset}..`),
      ),
    ).to.equal(true);
  });
});
