// `rollout-engine threads` as a person reads it: a header naming the columns and the sort key, the
// time column showing the sort key's timestamp, how many threads the default source filter hid
// (and the option that shows them), and page hints that are commands one can run as printed.
import { expect } from 'chai';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { RolloutWriter } from '../../../fixtures/rolloutLines.js';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { writeRollout } from '../../../replay/mutationHome.js';
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
    text += new RolloutWriter('paginated', threadId, { startMs: laterMs, startOrdinal: w.nextOrdinal() })
      .chatTurn('t2', 'again', 'answer')
      .text();
  const stamp = new Date(startMs).toISOString().slice(0, 19).replace(/:/g, '-');
  const path = writeRollout(home, `rollout-${stamp}-${threadId}.jsonl`, text);
  // Last written at its last line, as a Codex writing it leaves it: a thread no Codex state DB row
  // holds is dated by its file's mtime (issue 69).
  const last = new Date((JSON.parse(text.trimEnd().split('\n').at(-1)!) as { timestamp: string }).timestamp);
  fs.utimesSync(path, last, last);
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
    const json = JSON.parse(cli('threads', '--json').stdout) as {
      data: Array<{ id: string; forkedFromId: string | null }>;
    };
    expect(json.data.find((t) => t.id === fork)?.forkedFromId).to.equal(null);
  });
});

// Issue 55: multi-line texts in the readable output. A message's further lines spilled to column 0
// (before the escapes) or stayed on one line as `\n` escapes; now an item is one line and the rest
// of its text a block indented under its first line's text; a name, preview or snippet on one line
// shows its breaks as ↵, and a listing's cut text ends with … and closes the quote it cut inside.
describe('multi-line texts: items as indented blocks, one-line fields with ↵, cuts that close their quote', function () {
  this.timeout(120_000);
  const homeOf = useTempDir('cli-multiline-');
  const cli = (...args: string[]) => runCli(...args, '--codex-home', homeOf());
  const rows = (stdout: string) => stdout.split('\n').filter((l) => /^[0-9a-f]{8}-/.test(l));
  const [NAMED, LONG] = [id(7), id(8)] as [string, string];
  const question =
    'Please fix the parser.\nSteps to see it:\n  1. run `npm test`\n  2. read the failure, which says "expected the parser to accept a trailing comma"';
  const answer = 'Fixed. The diff:\n\n```ts\nconst args = parse("a, b,");\n```\nRun `npm test` again.';
  const block = (indent: number) =>
    ['Fixed. The diff:', '', '```ts', 'const args = parse("a, b,");', '```', 'Run `npm test` again.'].map((l, i) =>
      i === 0 || l === '' ? l : `${' '.repeat(indent)}${l}`,
    );

  before(() => {
    const home = homeOf();
    for (const [threadId, h] of [
      [NAMED, 14],
      [LONG, 15],
    ] as const) {
      const w = new RolloutWriter('paginated', threadId, { startMs: at(h) }).sessionMeta({ source: 'cli' });
      w.chatTurn('t1', question, answer);
      writeRollout(home, `rollout-2026-11-21T${h}-00-00-${threadId}.jsonl`, w.text());
    }
    fs.writeFileSync(
      nodePath.join(home, 'session_index.jsonl'),
      `${JSON.stringify({ id: NAMED, thread_name: 'Parser fix\n(second try)', updated_at: '2026-11-21T14:10:00Z' })}\n`,
    );
  });

  /** The lines of `stdout` from the one that starts with `first` on, as many as `expected` holds. */
  const linesFrom = (stdout: string, first: string, count: number) => {
    const lines = stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith(first));
    expect(at, `a line starting with ${JSON.stringify(first)} in:\n${stdout}`).to.not.equal(-1);
    return lines.slice(at, at + count);
  };

  it('read and turns: a message is its item line, then its other lines indented under its text; nothing of it at column 0', () => {
    for (const args of [
      ['read', NAMED],
      ['turns', NAMED, '--view', 'full'],
    ]) {
      const r = cli(...args);
      expect(r.status, r.stderr).to.equal(0);
      const expected = block(23);
      expected[0] = `    agentMessage       ${expected[0]}`;
      expect(linesFrom(r.stdout, '    agentMessage ', expected.length), args[0]).to.deep.equal(expected);
      expect(linesFrom(r.stdout, '    userMessage ', 4), args[0]).to.deep.equal([
        '    userMessage        Please fix the parser.',
        '                       Steps to see it:',
        '                         1. run `npm test`',
        '                         2. read the failure, which says "expected the parser to accept a trailing comma"',
      ]);
      // Every line at column 0 is the thread's own (read's header), none a message's.
      expect(
        r.stdout.split('\n').filter((l) => /^\S/.test(l) && !l.startsWith(NAMED) && l !== 'last page'),
        args[0],
      ).to.deep.equal([]);
    }
    const header = cli('read', NAMED, '--no-turns').stdout.split('\n');
    expect(header[0]).to.equal(`${NAMED}  "Parser fix ↵ (second try)"  (paginated)`);
    expect(header[3]).to.equal(
      '  preview: Please fix the parser. ↵ Steps to see it: ↵ 1. run `npm test` ↵ 2. read the failure, which says "expected the parser to accept a trailing comma"',
    );
  });

  it('items: the turn id starts the item line; the block is indented under the text', () => {
    const r = cli('items', NAMED);
    expect(r.status, r.stderr).to.equal(0);
    const expected = block(23);
    expected[0] = `t1  agentMessage       ${expected[0]}`;
    expect(linesFrom(r.stdout, 't1  agentMessage ', expected.length)).to.deep.equal(expected);
  });

  it('threads and search: a row is one line, breaks shown as ↵; a long preview cut with … and the quote it cut inside closed', () => {
    const listed = rows(cli('threads').stdout);
    expect(listed).to.have.length(2);
    expect(listed.find((l) => l.startsWith(NAMED))).to.match(/  Parser fix ↵ \(second try\)$/);
    const cut = listed.find((l) => l.startsWith(LONG))!;
    expect(cut).to.match(
      /  Please fix the parser\. ↵ Steps to see it: ↵ 1\. run `npm test` ↵ 2\. read the failure, which says "ex…"$/,
    );
    const found = cli('search', 'trailing', 'comma');
    expect(found.status, found.stderr).to.equal(0);
    expect(found.stdout.split('\n').find((l) => l.startsWith(LONG))).to.match(/ says "ex…"$/);
    const occurrences = cli('search', 'npm', 'test', '--thread', LONG);
    expect(occurrences.status, occurrences.stderr).to.equal(0);
    expect(occurrences.stdout.split('\n')[1]).to.equal(
      '    ... lease fix the parser. ↵ Steps to see it: ↵   1. run `npm test` ↵   2. read the failure, which says "expected the parser to accept a trailing comma"',
    );
  });
});
