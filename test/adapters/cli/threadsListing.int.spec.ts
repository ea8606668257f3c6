// `rollout-engine threads` as a person reads it: a header naming the columns and the sort key, the
// time column showing the sort key's timestamp, how many threads the default source filter hid
// (and the option that shows them), and page hints that are commands one can run as printed.
import { expect } from 'chai';
import { useTempDir } from '../../fixtures/tempDir.js';
import { RolloutWriter } from '../../fixtures/rolloutLines.js';
import { writeRollout } from '../../replay/mutationHome.js';
import { runCli } from './runCli.js';

const id = (n: number) => `01a1fe84-0000-7000-8000-0000000000c${n}`;
const [A, B, C, X1, X2, S] = [1, 2, 3, 4, 5, 6].map(id) as [string, string, string, string, string, string];
const at = (h: number) => Date.UTC(2026, 10, 21, h, 0, 0);

/** A paginated thread from `source`, started at `startMs`; with `laterMs`, a second turn then. */
const thread = (home: string, threadId: string, source: unknown, startMs: number, laterMs?: number): void => {
  const w = new RolloutWriter('paginated', threadId, { startMs }).sessionMeta({ source });
  w.chatTurn('t1', `question of ${threadId.slice(-2)}`, 'answer');
  let text = w.text();
  if (laterMs !== undefined)
    text += new RolloutWriter('paginated', threadId, { startMs: laterMs, startOrdinal: w.nextOrdinal() }).chatTurn('t2', 'again', 'answer').text();
  const stamp = new Date(startMs).toISOString().slice(0, 19).replace(/:/g, '-');
  writeRollout(home, `rollout-${stamp}-${threadId}.jsonl`, text);
};

describe('threads: header, sort-key time, hidden threads, runnable page hints', function () {
  this.timeout(120_000);
  const homeOf = useTempDir('cli-threads-');
  const cli = (...args: string[]) => runCli(...args, '--codex-home', homeOf());
  /** The rows of a human listing: the lines that start with a thread id. */
  const rows = (stdout: string) => stdout.split('\n').filter((l) => /^[0-9a-f]{8}-/.test(l));
  before(() => {
    const home = homeOf();
    thread(home, A, 'vscode', at(14), at(18));
    thread(home, B, 'cli', at(15));
    thread(home, C, 'cli', at(16));
    thread(home, X1, 'exec', at(17));
    thread(home, X2, 'exec', at(19));
    thread(home, S, { subagent: 'review' }, at(20));
  });

  it('says how many threads the default source filter hid, of which kinds, and how to list them', () => {
    const r = cli('threads');
    expect(r.status, r.stderr).to.equal(0);
    expect(rows(r.stdout).map((l) => l.slice(0, 36))).to.deep.equal([C, B, A]);
    expect(r.stderr).to.include('3 threads hidden by the source filter (2 exec, 1 subAgent); --all-sources lists them');
    const all = cli('threads', '--all-sources');
    expect(rows(all.stdout)).to.have.length(6);
    expect(all.stderr).to.equal('');
  });

  it("--json stays exactly thread/list's result (nothing added), with nothing on stderr", () => {
    const r = cli('threads', '--json');
    expect(r.status, r.stderr).to.equal(0);
    expect(Object.keys(JSON.parse(r.stdout))).to.deep.equal(['data', 'readStates', 'nextCursor', 'backwardsCursor']);
    expect(r.stderr).to.equal('');
  });

  it('a header names the columns and the sort key; the time column is the timestamp rows are sorted by', () => {
    const byCreated = cli('threads').stdout.split('\n');
    expect(byCreated[0]).to.match(/^thread id\s+created_at \(UTC\)\s+mode\s+name or preview/);
    expect(byCreated.find((l) => l.startsWith(A))).to.include('2026-11-21T14:00:00');
    const byUpdated = cli('threads', '--sort', 'updated_at').stdout.split('\n');
    expect(byUpdated[0]).to.match(/^thread id\s+updated_at \(UTC\)/);
    expect(rows(byUpdated.join('\n')).map((l) => l.slice(0, 36))).to.deep.equal([A, C, B]);
    expect(byUpdated.find((l) => l.startsWith(A))).to.include('2026-11-21T18:00:00');
  });
});
