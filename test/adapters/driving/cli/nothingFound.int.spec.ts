// Issue 55: an answer of "nothing" says where it looked — `import --dry-run` (the agent's sessions
// folder, there or not, and the bounds it applied), `search` (the home, which threads, how to look
// further), `tokens` on an empty range (the home, the range, what fell outside it) — and an unknown
// cost (`?`) says how to give its price: `--pricing FILE`.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { CLI } from '../../../fixtures/cliBundle.js';
import { writeSynthThread } from '../../../fixtures/synthHome.js';
import { newThread } from '../../../projections/synth.js';
import { assistantRows, text, userRow, writeClaudeSession } from '../../../fixtures/claudeSessions.js';

// The file adds to the table shipped (issue 72): the hint says so, and that the missing models are all it needs.
const PRICING_HINT = [
  'give their prices with --pricing FILE: it adds to the price table shipped (a model it names takes its price), so name only the models above',
  '  (JSON: {"source", "asOf", "models": {"<model>": {"inputPerMTok", "cachedInputPerMTok", "outputPerMTok"}}})',
];

describe('CLI: every "nothing found" names where it looked; every unknown cost names --pricing (issue 55)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('nothing-found-');
  const home = () => nodePath.join(tmp(), 'codex');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args, '--codex-home', home(), '-q'], {
      encoding: 'utf8',
      input: '',
      timeout: 60_000,
      env: { ...process.env, CLAUDE_CONFIG_DIR: '', TZ: 'UTC' },
    });
  let threadId: string;

  before(async () => {
    const thread = newThread(1);
    await writeSynthThread(home(), thread, 2);
    threadId = thread.threadId;
  });

  it('import claude --dry-run: an agent home that is not there, one without sessions, one whose sessions are all too old, one already imported', async () => {
    const missing = run('import', 'claude', '--dry-run', '--from', '/nonexistent');
    expect(missing.status, missing.stderr).to.equal(0);
    expect(missing.stdout).to.equal(
      "no sessions to import: /nonexistent/projects does not exist (the agent's home is /nonexistent; --from names another)\n",
    );

    const claude = nodePath.join(tmp(), 'claude');
    fs.mkdirSync(nodePath.join(claude, 'projects'), { recursive: true });
    const none = run('import', 'claude', '--dry-run', '--from', claude);
    expect(none.stdout).to.equal(`no sessions to import: no session files in ${nodePath.join(claude, 'projects')}\n`);

    const project = nodePath.join(tmp(), 'project');
    fs.mkdirSync(project);
    const session = writeClaudeSession(claude, project, 's1', [
      userRow(project, 'hello'),
      ...assistantRows(project, [text('hi')]),
    ]);
    const old = new Date(Date.now() - 90 * 24 * 3600 * 1000);
    fs.utimesSync(session, old, old);
    const tooOld = run('import', 'claude', '--dry-run', '--from', claude);
    expect(tooOld.stdout).to.equal(
      `no sessions to import: 1 session file in ${nodePath.join(claude, 'projects')}: 1 not modified in the last 30 days (--since widens the window)\n`,
    );
    // The window widened, it is offered; --json says where it looked too.
    const wide = run('import', 'claude', '--dry-run', '--from', claude, '--since', '120', '--json');
    const answer = JSON.parse(wide.stdout) as { sessions: Array<{ status: string }>; lookedIn: unknown };
    expect(answer.sessions.map((s) => s.status)).to.deep.equal(['wouldImport']);
    expect(answer.lookedIn).to.deep.equal({
      folder: nodePath.join(claude, 'projects'),
      exists: true,
      sessionFiles: 1,
      olderThanWindow: 0,
      alreadyImported: 0,
      noWorkingDirectory: 0,
    });

    // Imported (into a home of its own: the cost test below reads this one's models), a dry run says so, not that nothing is recent.
    const importHome = nodePath.join(tmp(), 'codex-imports');
    await writeSynthThread(importHome, newThread(2), 1);
    const intoImportHome = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args, '--codex-home', importHome, '-q'], {
        encoding: 'utf8',
        input: '',
        timeout: 60_000,
        env: { ...process.env, TZ: 'UTC' },
      });
    const imported = intoImportHome('import', 'claude', '--from', claude, '--since', '120');
    expect(imported.status, imported.stderr).to.equal(0);
    expect(imported.stdout).to.match(/^imported /);
    const again = intoImportHome('import', 'claude', '--dry-run', '--from', claude, '--since', '120');
    expect(again.stdout).to.equal(
      `no sessions to import: 1 session file in ${nodePath.join(claude, 'projects')}: 1 already imported (unchanged since)\n`,
    );
  });

  it('search with no hits: the home, the threads searched and how to widen; in one thread: which thread', () => {
    const threads = run('search', 'zzz-not-said');
    expect(threads.status, threads.stderr).to.equal(0);
    expect(threads.stdout).to.equal(
      `no thread found: no live (not archived) thread of ${home()} mentions "zzz-not-said" (searched interactive threads only; --all-sources adds exec and sub-agent threads; --archived searches the archived ones)\nlast page\n`,
    );
    const archived = run('search', 'zzz-not-said', '--archived', '--all-sources');
    expect(archived.stdout).to.equal(
      `no thread found: no archived thread of ${home()} mentions "zzz-not-said" (searched threads of every source)\nlast page\n`,
    );
    const inThread = run('search', 'zzz-not-said', '--thread', threadId);
    expect(inThread.status, inThread.stderr).to.equal(0);
    expect(inThread.stdout).to.equal(
      `no occurrence found: "zzz-not-said" is not in the messages of thread ${threadId} in ${home()}\nlast page\n`,
    );
  });

  it('tokens on an empty range: the home, the range and how many responses fell outside it', () => {
    const later = run('tokens', '--since', '2100-01-01', '--tz', 'UTC');
    expect(later.status, later.stderr).to.equal(0);
    expect(later.stdout).to.match(
      new RegExp(
        `^no token usage found in ${home().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} since 2100-01-01T00:00:00\\.000Z: \\d+ responses fall outside that range \\(--since / --until, read in UTC\\)\\n$`,
      ),
    );
    const between = run('tokens', '--since', '1990-01-01', '--until', '1990-02-01', '--tz', 'UTC');
    expect(between.stdout).to.contain(
      `no token usage found in ${home()} from 1990-01-01T00:00:00.000Z to 1990-02-01T00:00:00.000Z: `,
    );
  });

  it('an unknown cost (?) is explained under the table: the price table used, and --pricing FILE', () => {
    const r = run('tokens');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/\? \(mock-model: no price\)\n/);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.at(-3)).to.match(
      /^no price for mock-model in the price table \(.+, as of \d{4}-\d{2}-\d{2}\): a cost holding their tokens is its priced part \+ \?$/,
    );
    expect(lines.slice(-2)).to.deep.equal(PRICING_HINT);
    // Priced by a file: no `?`, no hint.
    const prices = nodePath.join(tmp(), 'prices.json');
    fs.writeFileSync(
      prices,
      JSON.stringify({
        source: 'test',
        asOf: '2026-11-25',
        models: { 'mock-model': { inputPerMTok: 1, cachedInputPerMTok: 0.1, outputPerMTok: 2 } },
      }),
    );
    const priced = run('tokens', '--pricing', prices);
    expect(priced.stdout).to.not.contain('?');
    expect(priced.stdout).to.not.contain('--pricing');
  });
});
