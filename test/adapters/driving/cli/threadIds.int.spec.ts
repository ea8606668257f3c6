// Issue 72, item 6: a thread id at the shell, as a new user types it. The four frictions, each run
// through the CLI as users run it: an unknown id said with no way forward, a prefix (what
// `threads` lists, cut) refused in the id parser's words, an archived thread's rename refused with
// no word of where the thread is, a malformed id said in the parser's words. After: every command
// that takes a thread id takes the unique start of one (an ambiguous one refused with its
// candidates), and every refusal that finds no thread ends with where to look. The words, kind and
// exit code of each refusal stay the method's (`serve`'s, Codex's): the line under it is the CLI's.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { chatThread, dayDir, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { runCli } from './runCli.js';
import { stderrJson } from '../../../fixtures/stderrJson.js';

/** Two threads that share their first 9 characters, and one each for the commands that move, fork or delete. */
const A1 = '019a7f00-1111-7000-8000-000000000001';
const A2 = '019a7f00-2222-7000-8000-000000000002';
const B = '019b0000-3333-7000-8000-000000000003';
const ARCHIVED = '019c0000-4444-7000-8000-000000000004';
const MOVED = '019d0000-5555-7000-8000-000000000005';
const CUT = '019e0000-6666-7000-8000-000000000006';
const DELETED = '019f0000-7777-7000-8000-000000000007';
const UNKNOWN = '01a20000-0000-7000-8000-000000000000';
const LIST_HINT = 'run `rollout-engine threads` to list them';

describe('CLI thread ids: a unique prefix stands for the id, and a thread not found says where to look (issue 72)', function () {
  this.timeout(300_000);
  const homeOf = useTempDir('cli-thread-ids-');
  const cli = (...args: string[]) => runCli(...args, '--codex-home', homeOf());

  before(() => {
    for (const id of [A1, A2, B, ARCHIVED, MOVED, CUT, DELETED])
      writeRollout(homeOf(), rolloutName(id), chatThread('paginated', id, 2).text());
    fs.mkdirSync(nodePath.join(homeOf(), 'archived_sessions'), { recursive: true });
    fs.renameSync(
      nodePath.join(dayDir(homeOf()), rolloutName(ARCHIVED)),
      nodePath.join(homeOf(), 'archived_sessions', rolloutName(ARCHIVED)),
    );
  });

  it(`friction 1: read <unknown id> — "thread not loaded: …" now ends with how to list threads (exit 2, the method's words first)`, () => {
    const r = cli('read', UNKNOWN);
    process.stderr.write(`    $ rollout-engine read ${UNKNOWN}\n${r.stderr.replace(/^/gm, '    ')}`);
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal('');
    const [said, hint] = r.stderr.split('\n');
    expect(said).to.equal(`rollout-engine: thread not loaded: ${UNKNOWN}`);
    expect(hint).to.contain(LIST_HINT).and.contain('threads --archived');
    // With --json: one object, the method's message, the hint a field of its own.
    const j = stderrJson(cli('read', UNKNOWN, '--json').stderr) as {
      error: { message: string; hint: string; exitCode: number };
    };
    expect(j.error.message).to.equal(`thread not loaded: ${UNKNOWN}`);
    expect(j.error.hint).to.contain(LIST_HINT);
  });

  it('friction 2: read <prefix> — read, not "invalid group count"; any case, with or without hyphens', () => {
    const r = cli('read', '019b', '--no-turns');
    process.stderr.write(`    $ rollout-engine read 019b --no-turns\n${r.stdout.replace(/^/gm, '    ')}`);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.split('\n')[0]).to.equal(`${B}  (paginated)`);
    expect((JSON.parse(cli('read', '019A7F00-2', '--no-turns', '--json').stdout) as { id: string }).id).to.equal(A2);
    expect((JSON.parse(cli('read', '019a7f001111', '--no-turns', '--json').stdout) as { id: string }).id).to.equal(A1);
  });

  it('an ambiguous prefix is refused (exit 2), each candidate listed with its date and name or preview; a prefix no thread starts says how to list them', () => {
    const r = cli('read', '019a');
    process.stderr.write(`    $ rollout-engine read 019a\n${r.stderr.replace(/^/gm, '    ')}`);
    expect(r.status).to.equal(2);
    expect(r.stderr.split('\n').slice(0, 3)).to.deep.equal([
      'rollout-engine: thread id prefix 019a is ambiguous: 2 threads start with it',
      `  ${A1}  2026-11-21  question 1`,
      `  ${A2}  2026-11-21  question 1`,
    ]);
    const none = cli('read', '0199');
    process.stderr.write(`\n    $ rollout-engine read 0199\n${none.stderr.replace(/^/gm, '    ')}`);
    expect(none.status).to.equal(2);
    expect(none.stderr.split('\n').slice(0, 2)).to.deep.equal([
      'rollout-engine: no thread id starts with 0199',
      `  ${LIST_HINT} (\`rollout-engine threads --archived\`: the archived ones)`,
    ]);
  });

  it('every command that takes a thread id takes a unique prefix of it (exit 0, the thread the prefix starts)', () => {
    const runs: ReadonlyArray<[string[], (out: string) => string | undefined]> = [
      [['read', '019b', '--json'], (o) => (JSON.parse(o) as { id: string }).id],
      [['turns', '019b', '--json'], (o) => ((JSON.parse(o) as { data: unknown[] }).data.length === 2 ? B : undefined)],
      [['items', '019b', '--json'], (o) => ((JSON.parse(o) as { data: unknown[] }).data.length > 0 ? B : undefined)],
      [['token-usage', '019b', '--json'], () => B],
      [
        ['threads', '--only', '019b', '--codex-version', '0.171.0', '--json'],
        (o) =>
          (JSON.parse(o) as { data: Array<{ id: string }> }).data.length === 1
            ? (JSON.parse(o) as { data: Array<{ id: string }> }).data[0]!.id
            : undefined,
      ],
      [
        ['search', 'question', '--thread', '019b', '--json'],
        (o) => ((JSON.parse(o) as { data: unknown[] }).data.length > 0 ? B : undefined),
      ],
      [['name', '019b', 'Named by prefix', '--json'], () => B],
      [['metadata', '019b', '--git-sha', 'abc', '--json'], () => B],
      [['read-state', '019b', '--mark', 'unread', '--expected-revision', `initial:${B}`, '--json'], () => B],
      [['fork', '019b', '--json'], (o) => (JSON.parse(o) as { thread: { forkedFromId: string } }).thread.forkedFromId],
      [['rollback', '019e', '--num-turns', '1', '--json'], () => CUT],
      [['revert', '019e', '--before-turn-id', 't1', '--json'], () => CUT],
      [['review', '019e', '--uncommitted', '--json'], () => CUT],
      [['archive', '019d', '--json'], () => MOVED],
      [['unarchive', '019d', '--json'], (o) => (JSON.parse(o) as { thread: { id: string } }).thread.id],
      [['delete', '019f', '--json'], () => DELETED],
    ];
    const failed: string[] = [];
    for (const [args, idOf] of runs) {
      const r = cli(...args);
      const full = r.status === 0 ? idOf(r.stdout) : undefined;
      const flag = args.find((a) => a === '--thread' || a === '--only');
      const prefix = flag !== undefined ? args[args.indexOf(flag) + 1]! : args[1]!;
      if (r.status !== 0 || full === undefined || !full.startsWith(prefix))
        failed.push(`${args.join(' ')}: exit ${r.status} ${r.stderr.trim()} ${String(full)}`);
    }
    expect(failed).to.deep.equal([]);
    // Each ran on the thread the prefix starts: the name, the git sha are B's.
    const b = JSON.parse(cli('read', B, '--no-turns', '--json').stdout) as { name: string; gitInfo: { sha: string } };
    expect([b.name, b.gitInfo.sha]).to.deep.equal(['Named by prefix', 'abc']);
  });

  it('friction 3: name <archived thread> — still refused as Codex refuses it (its words, exit 2), now saying it is archived and how to bring it back; unarchived, it is named', () => {
    const r = cli('name', ARCHIVED, 'Old work');
    process.stderr.write(`    $ rollout-engine name ${ARCHIVED} 'Old work'\n${r.stderr.replace(/^/gm, '    ')}`);
    expect(r.status).to.equal(2);
    const [said, hint] = r.stderr.split('\n');
    expect(said).to.equal(`rollout-engine: no rollout found for thread id ${ARCHIVED}`);
    expect(hint).to.contain(`thread ${ARCHIVED} is archived`).and.contain(`rollout-engine unarchive ${ARCHIVED}`);
    expect(
      fs.existsSync(nodePath.join(homeOf(), 'archived_sessions', rolloutName(ARCHIVED))),
      'nothing moved',
    ).to.equal(true);
    // Its siblings: archive of an archived thread, unarchive of a live one.
    const again = cli('archive', '019c');
    expect(again.stderr.split('\n')[1]).to.contain(`thread ${ARCHIVED} is archived`);
    const live = cli('unarchive', '019b');
    process.stderr.write(`\n    $ rollout-engine unarchive 019b\n${live.stderr.replace(/^/gm, '    ')}`);
    expect(live.stderr.split('\n')).to.deep.include(
      `  thread ${B} is not archived (its rollout is under sessions/): \`rollout-engine threads\` lists it`,
    );
    // The way forward works, by prefix.
    expect(cli('unarchive', '019c').status).to.equal(0);
    const named = cli('name', '019c', 'Old work');
    expect(named.status, named.stderr).to.equal(0);
    expect(named.stdout.trim()).to.equal(`named ${ARCHIVED} "Old work"`);
  });

  it("a turn the thread does not have: the method's words, then where the thread's turns are listed", () => {
    const r = cli('revert', '019b', '--before-turn-id', 't9');
    process.stderr.write(`    $ rollout-engine revert 019b --before-turn-id t9\n${r.stderr.replace(/^/gm, '    ')}`);
    expect(r.status).to.equal(2);
    expect(r.stderr.split('\n').slice(0, 2)).to.deep.equal([
      'rollout-engine: turn not found: t9',
      `  \`rollout-engine turns ${B} --view notLoaded\` lists the thread's turns`,
    ]);
  });

  it("friction 4: read <malformed id> — the method's refusal (its words, exit 2), then that it is no thread id and how to list threads", () => {
    const r = cli('read', 'nope');
    process.stderr.write(`    $ rollout-engine read nope\n${r.stderr.replace(/^/gm, '    ')}`);
    expect(r.status).to.equal(2);
    const [said, hint] = r.stderr.split('\n');
    expect(said).to.match(/^rollout-engine: invalid thread id: /);
    expect(hint).to.equal(
      `  "nope" is not a thread id (nor the start of one): ${LIST_HINT} (\`rollout-engine threads --archived\`: the archived ones)`,
    );
  });
});
