import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFileSync } from 'node:child_process';
import * as E from 'fp-ts/lib/Either.js';
import { RolloutWriter, baseAfter, threeTurnRoot } from '../fixtures/rolloutLines.js';
import { readThreadByFold, foldThread } from './wholeFileFold.js';
import { jsonlRolloutStore } from './rolloutStore.js';
import { CLI } from '../fixtures/cliBundle.js';

const ROOT = 'aaaaaaaa-0000-7000-8000-000000000001';
const FORK = 'aaaaaaaa-0000-7000-8000-000000000002';
const FORK2 = 'aaaaaaaa-0000-7000-8000-000000000003';
const REV = 'aaaaaaaa-0000-7000-8000-0000000000f1';
const OLD = 'bbbbbbbb-0000-4000-8000-000000000001';

const dayDir = (home: string): string => nodePath.join(home, 'sessions', '2026', '11', '21');
const write = (home: string, name: string, text: string): string => {
  fs.mkdirSync(dayDir(home), { recursive: true });
  const p = nodePath.join(dayDir(home), name);
  fs.writeFileSync(p, text);
  return p;
};

describe('readThreadByFold on real files (logical history, names, quarantine, upcast)', () => {
  let home: string;
  before(() => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 're-read-'));
    const { root, cut1, cutForRevert } = threeTurnRoot(ROOT);
    write(home, `rollout-2026-11-21T14-00-00-${ROOT}.jsonl`, root.text());

    // Fork after t1, one turn of its own; then a fork of that fork.
    const fork = new RolloutWriter('paginated', FORK, {
      startOrdinal: cut1.end_ordinal_exclusive,
      startMs: root.nowMs() + 1000,
    });
    fork.sessionMeta({
      forked_from_id: ROOT,
      forked_from_ordinal_exclusive: cut1.end_ordinal_exclusive,
      history_base: cut1,
    });
    fork.chatTurn('f1', 'fork turn', 'FA1');
    write(home, `rollout-2026-11-21T14-01-00-${FORK}.jsonl`, fork.text());
    const fork2 = new RolloutWriter('paginated', FORK2, {
      startOrdinal: fork.nextOrdinal(),
      startMs: fork.nowMs() + 1000,
    });
    fork2.sessionMeta({ forked_from_id: FORK, history_base: baseAfter(fork, FORK) });
    write(home, `rollout-2026-11-21T14-02-00-${FORK2}.jsonl`, fork2.text());

    // A revision before t3 with a new turn: the thread now reads t1, t2, r1.
    const rev = new RolloutWriter('paginated', ROOT, {
      startOrdinal: cutForRevert.end_ordinal_exclusive,
      startMs: fork2.nowMs() + 1000,
    });
    rev.sessionMeta({ history_base: cutForRevert });
    rev.chatTurn('r1', 'after revert', 'RA1');
    // One undecodable line between good ones: quarantined, reading goes on.
    const revText = rev.text().replace('\n', '\n{"timestamp": broken\n');
    write(home, `rollout-2026-11-21T14-03-00-${ROOT}_${REV}.jsonl`, revText);

    fs.writeFileSync(
      nodePath.join(home, 'session_index.jsonl'),
      `{"id":"${ROOT}","thread_name":"old name","updated_at":"x"}\n{"id":"${ROOT}","thread_name":"Renamed","updated_at":"y"}\n`,
    );

    // Early Codex: bare session meta, bare response items, a state record.
    const old = [
      { id: OLD, timestamp: '2025-05-01T10:00:00.000Z', instructions: null },
      { record_type: 'state' },
      {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: '<environment_context>cwd</environment_context>' }],
      },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'old question' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'old answer' }] },
    ];
    write(home, `rollout-2025-05-01T10-00-00-${OLD}.jsonl`, old.map((o) => `${JSON.stringify(o)}\n`).join(''));
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('reads a thread through its newest revision, with the name from session_index.jsonl', async () => {
    const r = await readThreadByFold(jsonlRolloutStore(home), ROOT, true)();
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    expect(r.right.turns.map((t) => t.id)).to.deep.equal(['t1', 't2', 'r1']);
    expect(r.right.path).to.match(new RegExp(`_${REV}\\.jsonl$`));
    expect(r.right.name).to.equal('Renamed');
    expect(r.right.preview).to.equal('first');
  });

  it('quarantines the broken line with its byte range and reason, and still answers', async () => {
    const f = await foldThread(jsonlRolloutStore(home), ROOT)();
    if (E.isLeft(f)) throw new Error(JSON.stringify(f.left));
    expect(f.right.quarantined).to.have.length(1);
    const q = f.right.quarantined[0]!;
    expect(q.ordinal).to.equal(1);
    expect(q.reason).to.match(/not JSON/);
    const bytes = fs.readFileSync(q.path);
    expect(bytes.subarray(q.byteOffset, q.byteOffset + q.byteLength).toString()).to.equal('{"timestamp": broken');
  });

  it('resolves a fork of a fork through every hop, keeping base turn and item ids', async () => {
    const r = await readThreadByFold(jsonlRolloutStore(home), FORK2, true)();
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    expect(r.right.turns.map((t) => t.id)).to.deep.equal(['t1', 'f1']);
    expect(r.right.turns[0]!.items.map((i) => i.id)).to.deep.equal(['u-t1', 'rs-t1', 'msg-t1']);
    expect(r.right.forkedFromId).to.equal(FORK);
  });

  it('reads an envelope-less early rollout through the upcaster', async () => {
    const r = await readThreadByFold(jsonlRolloutStore(home), OLD, true)();
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    expect(r.right.historyMode).to.equal('legacy');
    expect(r.right.preview).to.equal('old question');
    expect(r.right.turns).to.have.length(1);
    expect(r.right.turns[0]!.items.map((i) => [i.type, i.id])).to.deep.equal([
      ['userMessage', 'item-1'],
      ['agentMessage', 'item-2'],
    ]);
  });

  it('answers NotFound for an unknown thread', async () => {
    const r = await readThreadByFold(jsonlRolloutStore(home), 'nope', true)();
    expect(E.isLeft(r) && r.left._tag).to.equal('NotFound');
  });

  it('the CLI prints result.thread as JSON', () => {
    const out = JSON.parse(
      execFileSync(process.execPath, [CLI, 'read', ROOT, '--codex-home', home, '--json'], { encoding: 'utf8' }),
    ) as {
      id: string;
      turns: unknown[];
      status: unknown;
    };
    expect(out.id).to.equal(ROOT);
    expect(out.turns).to.have.length(3);
    expect(out.status).to.deep.equal({ type: 'notLoaded' });
  });
});
