// `rollout-engine threads` as a person reads it: a header naming the columns and the sort key, the
// time column showing the sort key's timestamp, how many threads the default source filter hid
// (and the option that shows them), and page hints that are commands one can run as printed.
import { expect } from 'chai';
import { useTempDir } from '../../fixtures/tempDir.js';
import { RolloutWriter } from '../../fixtures/rolloutLines.js';
import { writeRollout } from '../../replay/mutationHome.js';
import { runCli, shellWords } from './runCli.js';

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
  /** The printed command on the line starting with `label`, run as printed. */
  const runHint = (stdout: string, label: string) => {
    const line = stdout.split('\n').find((l) => l.startsWith(label));
    expect(line, `a "${label}" line in:\n${stdout}`).to.be.a('string');
    const words = shellWords(line!.slice(label.length));
    expect(words[0]).to.equal('rollout-engine');
    return { words, run: runCli(...words.slice(1)) };
  };

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

  it('prints the next and the previous page as commands that run as printed', () => {
    const first = cli('threads', '--limit', '1');
    expect(rows(first.stdout).map((l) => l.slice(0, 36))).to.deep.equal([C]);
    const next = runHint(first.stdout, 'next page:');
    expect(next.words).to.include('--cursor').and.to.include('--limit').and.to.include('--codex-home');
    expect(next.run.status, next.run.stderr).to.equal(0);
    expect(rows(next.run.stdout).map((l) => l.slice(0, 36))).to.deep.equal([B]);
    // Codex's backwards cursor: the opposite direction, from the start of this page (B again).
    const back = runHint(next.run.stdout, 'back:');
    expect(back.words).to.include('--cursor').and.to.include('--asc');
    expect(back.run.status, back.run.stderr).to.equal(0);
    expect(rows(back.run.stdout).map((l) => l.slice(0, 36))).to.deep.equal([B]);
    const last = cli('threads', '--limit', '3');
    expect(last.stdout).to.include('last page');
  });

  it('turns and items print runnable page commands too', () => {
    const turns = cli('turns', A, '--limit', '1', '--view', 'notLoaded');
    expect(turns.status, turns.stderr).to.equal(0);
    const next = runHint(turns.stdout, 'next page:');
    expect(next.words).to.include('--view');
    expect(next.run.status, next.run.stderr).to.equal(0);
    expect(next.run.stdout).to.match(/turn t1 /);
    const back = runHint(next.run.stdout, 'back:');
    expect(back.words).to.include('--asc');
    expect(back.run.status, back.run.stderr).to.equal(0);
    const items = cli('items', A, '--limit', '2');
    const itemsNext = runHint(items.stdout, 'next page:');
    expect(itemsNext.run.status, itemsNext.run.stderr).to.equal(0);
    const itemsBack = runHint(itemsNext.run.stdout, 'back:');
    expect(itemsBack.words).to.include('--desc');
    expect(itemsBack.run.status, itemsBack.run.stderr).to.equal(0);
  });

  it("marks a fork with the thread it was forked from (thread/list's rows do not say; the index does), and --json stays thread/list's result", () => {
    const forked = cli('fork', B, '--json');
    expect(forked.status, forked.stderr).to.equal(0);
    const fork = (JSON.parse(forked.stdout) as { thread: { id: string } }).thread.id;
    const listed = rows(cli('threads').stdout);
    expect(listed.find((l) => l.startsWith(fork))).to.match(new RegExp(`  \\[fork of ${B}\\]$`));
    expect(listed.filter((l) => l.includes('[fork of '))).to.have.length(1);
    const json = JSON.parse(cli('threads', '--json').stdout) as { data: Array<{ id: string; forkedFromId: string | null }> };
    expect(json.data.find((t) => t.id === fork)?.forkedFromId).to.equal(null);
  });
});
