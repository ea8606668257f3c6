// Issue 68, findings 3 and 6: the engine run as root on a home owned by another user leaves
// nothing there its owner cannot read or write (what it creates takes the owner of the folder it
// is created in: adapters/driven/fs/ownership.ts), and a rollout folder its user cannot list (mode 000)
// is skipped and reported like an unreadable file: every command still answers. The owner's
// commands are run as that uid (setpriv), as the owner's Codex and engine would run.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ENGINE_CLI_PATH, runEngineCli } from '../compat/engineCli.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { assistantRows, text, userRow, writeClaudeSession } from '../fixtures/claudeSessions.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { EXIT } from '../../adapters/driving/cli/exitCodes.js';
import { spawnRpcServer } from '../fixtures/stdioRpcClient.js';
import { reportArea } from './areaSummary.js';
import { skipUnmet } from '../fixtures/skipUnmet.js';
import { chownTree } from '../fixtures/chownTree.js';

const A = '01a1fe84-0000-7000-8000-0000000000e1';
const B = '01a1fe84-0000-7000-8000-0000000000e2';
const C = '01a1fe84-0000-7000-8000-0000000000e3';
/** The home's owner: not root, not this process (a uid with no account: setpriv runs as it all the same). */
const OWNER = 23456;
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
const AS_OWNER = [`--reuid=${OWNER}`, `--regid=${OWNER}`, '--clear-groups'];

const figures = {
  rootCommands: 0,
  rootOwnedPaths: 0,
  ownerCommands: 0,
  ownerFailures: 0,
  ownerWriteProbes: 0,
  ownerWriteFailures: 0,
  unreadableFolders: 0,
  foldersReportedSkipped: 0,
  threadsListed: 0,
  watchLosses: 0,
};

/** Three threads in one day folder, Codex's session index; everything given to the owner. */
const makeHome = (home: string): RolloutWriter => {
  const a = chatThread('paginated', A, 3);
  writeRollout(home, rolloutName(A), a.text());
  writeRollout(home, rolloutName(B), chatThread('paginated', B, 2, 'b').text());
  writeRollout(home, rolloutName(C), chatThread('paginated', C, 2, 'c').text());
  fs.writeFileSync(
    nodePath.join(home, 'session_index.jsonl'),
    `${JSON.stringify({ id: A, thread_name: 'first', updated_at: '2026-11-21T14:00:00Z' })}\n`,
  );
  return a;
};

/** Every path below `root` (itself included) not owned by the owner (uid or gid), as `path uid:gid mode`. */
const notTheOwners = (root: string): string[] => {
  const out: string[] = [];
  const visit = (path: string): void => {
    const st = fs.lstatSync(path);
    if (st.uid !== OWNER || st.gid !== OWNER) out.push(`${path} ${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`);
    if (st.isDirectory()) for (const name of fs.readdirSync(path)) visit(nodePath.join(path, name));
  };
  visit(root);
  return out;
};

/** Every folder below `root` (itself included). */
const foldersOf = (root: string): string[] => {
  const out = [root];
  for (const e of fs.readdirSync(root, { withFileTypes: true }))
    if (e.isDirectory()) out.push(...foldersOf(nodePath.join(root, e.name)));
  return out;
};

/** Our CLI run as the home's owner. */
const asOwner = (
  args: ReadonlyArray<string>,
): { readonly status: number | null; readonly stdout: string; readonly stderr: string } => {
  const r = spawnSync(SETPRIV!, [...AS_OWNER, process.execPath, ENGINE_CLI_PATH, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('reliability · the home owner (root’s mutations leave the home its owner’s; an unreadable folder is skipped)', function () {
  this.timeout(600_000);
  const tmp = useTempDir('rollout-engine-owner-');

  before(function () {
    skipUnmet(
      this,
      process.getuid?.() === 0,
      'root',
      'only root creates files another user then owns (or cannot read)',
    );
    skipUnmet(this, SETPRIV !== undefined, 'setpriv', "util-linux runs the owner's commands as the owner");
    // The owner reaches its home through the temp folder.
    fs.chmodSync(tmp(), 0o755);
  });

  after(() => reportArea('home owner', figures));

  it('as root, rollback, fork, revert, rename, metadata, archive, import, a plugin install, verify, rebuild and delete on a home owned by another uid: every created path is the owner’s, whose threads, read and name then succeed', async () => {
    const home = nodePath.join(tmp(), 'root-mutations', 'home');
    const a = makeHome(home);
    // Codex's session index made by root's rename.
    fs.rmSync(nodePath.join(home, 'session_index.jsonl'));
    const inputs = nodePath.join(tmp(), 'root-mutations', 'inputs');
    // A local marketplace for a plugin install (its cache and config.toml's edit).
    const mk = nodePath.join(inputs, 'mk');
    const marketplace = nodePath.join(mk, '.agents', 'plugins', 'marketplace.json');
    fs.mkdirSync(nodePath.dirname(marketplace), { recursive: true });
    fs.writeFileSync(
      marketplace,
      JSON.stringify({
        name: 'local-mk',
        plugins: [{ name: 'docs', source: { source: 'local', path: './plugins/docs' } }],
      }),
    );
    fs.mkdirSync(nodePath.join(mk, 'plugins', 'docs', '.codex-plugin'), { recursive: true });
    fs.writeFileSync(
      nodePath.join(mk, 'plugins', 'docs', '.codex-plugin', 'plugin.json'),
      JSON.stringify({ name: 'docs', version: '2.0.0' }),
    );
    fs.writeFileSync(
      nodePath.join(home, 'config.toml'),
      `model = "m"\n\n[marketplaces.local-mk]\nsource_type = "local"\nsource = ${JSON.stringify(mk)}\n`,
    );
    chownTree(home, OWNER);
    const claude = nodePath.join(inputs, 'claude');
    const project = nodePath.join(inputs, 'project');
    fs.mkdirSync(project, { recursive: true });
    writeClaudeSession(claude, project, 's1', [
      userRow(project, 'imported question'),
      ...assistantRows(project, [text('imported answer')]),
    ]);
    const lines = nodePath.join(inputs, 'lines.jsonl');
    fs.writeFileSync(
      lines,
      new RolloutWriter('paginated', A, { startOrdinal: a.nextOrdinal(), startMs: a.nowMs() + 1000 })
        .chatTurn('t4', 'question 4', 'answer 4')
        .text(),
    );
    const asRoot: string[][] = [
      ['index'],
      [
        'append',
        A,
        '--lines-file',
        lines,
        '--expected-ordinal',
        String(a.nextOrdinal()),
        '--idempotency-key',
        'k-owner',
      ],
      ['rollback', B, '--num-turns', '1'],
      ['fork', A],
      ['revert', A, '--before-turn-id', 't3'],
      ['name', A, 'renamed by root'],
      ['metadata', A, '--git-branch', 'main'],
      ['read-state', A, '--mark', 'read', '--expected-revision', `initial:${A}`],
      ['archive', C],
      ['import', 'claude', '--from', claude],
      ['plugins', 'install', marketplace, 'docs'],
      ['verify'],
      ['index', '--rebuild'],
      ['unarchive', C],
      ['delete', B],
    ];
    for (const c of asRoot) {
      const r = await runEngineCli(
        [...c, '--codex-home', home, '--json', ...(c[0] === 'plugins' ? [] : ['--quiet'])],
        60_000,
      );
      figures.rootCommands += 1;
      // verify exits 3 when it found differences: an answer, not a failure.
      expect(
        c[0] === 'verify' ? [EXIT.ok, EXIT.differences] : [EXIT.ok],
        `${c.join(' ')} as root: ${r.stderr}`,
      ).to.include(r.exitCode);
    }
    // Created by root: today's day folder and revision, the fork, .rollout-engine/ and its index, the import's rollout,
    // session_index.jsonl, the plugin's cache and config.toml's new version.
    const wrong = notTheOwners(home);
    figures.rootOwnedPaths += wrong.length;
    // The owner's commands and writes, all tried before any verdict (so a failing run shows each).
    const failed: string[] = [];
    for (const c of [
      ['threads'],
      ['read', A],
      ['name', A, 'renamed by its owner'],
      ['index'],
      ['threads', '--archived'],
    ]) {
      const r = asOwner([...c, '--codex-home', home, '--json', '--quiet']);
      figures.ownerCommands += 1;
      if (r.status !== EXIT.ok) {
        figures.ownerFailures += 1;
        failed.push(`${c.join(' ')} as the owner: exit ${r.status} ${r.stderr.slice(0, 300)}`);
      }
    }
    // The owner's Codex writes in every folder of its home (today's day folder above all).
    for (const dir of foldersOf(home)) {
      const probe = nodePath.join(dir, '.owner-probe');
      const script = 'require("fs").writeFileSync(process.argv[1], "x"); require("fs").unlinkSync(process.argv[1])';
      const r = spawnSync(SETPRIV!, [...AS_OWNER, process.execPath, '-e', script, probe], { encoding: 'utf8' });
      figures.ownerWriteProbes += 1;
      if (r.status !== 0) {
        figures.ownerWriteFailures += 1;
        failed.push(
          `the owner writes in ${dir}: ${r.stderr.split('\n').find((l) => l.includes('Error')) ?? r.stderr.slice(0, 200)}`,
        );
      }
    }
    expect(wrong, 'paths in the home not the owner’s after root’s commands').to.deep.equal([]);
    expect(failed, 'what the owner could not do after root’s commands').to.deep.equal([]);
  });

  it('a mode-000 day, month and year folder and archived_sessions sub folder: the owner’s threads and index exit 0, each folder reported skipped, thread/list answers the readable threads', async () => {
    const home = nodePath.join(tmp(), 'unreadable', 'home');
    makeHome(home);
    // D's rollout lies in a month folder the owner cannot list: it is skipped with its folder.
    // The closed folders are of past years, never today's: the import below writes its thread there
    // (on 2026-12-01 a closed 2026/12 failed it; a closed day folder of today is readOnlyHome.int's).
    const D = '01a1fe84-0000-7000-8000-0000000000e4';
    fs.mkdirSync(nodePath.join(home, 'sessions', '2024', '12', '01'), { recursive: true });
    fs.writeFileSync(
      nodePath.join(home, 'sessions', '2024', '12', '01', rolloutName(D).replace('2026-11-21', '2024-12-01')),
      chatThread('paginated', D, 1, 'd').text(),
    );
    const unreadable = [
      nodePath.join(home, 'sessions', '2024', '11', '22'),
      nodePath.join(home, 'sessions', '2024', '12'),
      nodePath.join(home, 'sessions', '2023'),
      nodePath.join(home, 'archived_sessions', '2026'),
    ];
    for (const dir of unreadable) fs.mkdirSync(dir, { recursive: true });
    chownTree(home, OWNER);
    for (const dir of unreadable) fs.chmodSync(dir, 0o000);
    figures.unreadableFolders += unreadable.length;

    const threads = asOwner(['threads', '--codex-home', home, '--json', '--quiet']);
    expect(threads.status, `threads: ${threads.stderr}`).to.equal(EXIT.ok);
    const listed = (JSON.parse(threads.stdout) as { data: Array<{ id: string }> }).data.map((t) => t.id).sort();
    expect(listed).to.deep.equal([A, B, C]);

    const index = asOwner(['index', '--codex-home', home, '--json', '--quiet']);
    expect(index.status, `index: ${index.stderr}`).to.equal(EXIT.ok);
    const skipped = (JSON.parse(index.stdout) as { unreadable: Array<{ path: string }> }).unreadable.map((u) => u.path);
    // The folders discovery lists (archived_sessions is flat: its sub folders are never listed).
    const listedFolders = unreadable.filter((d) => d.includes(`${nodePath.sep}sessions${nodePath.sep}`));
    figures.foldersReportedSkipped += listedFolders.filter((d) => skipped.includes(d)).length;
    expect(skipped.sort()).to.deep.equal([...listedFolders].sort());

    for (const c of [['verify'], ['repair'], ['read', A]]) {
      const r = asOwner([...c, '--codex-home', home, '--json', '--quiet']);
      expect([EXIT.ok, EXIT.differences], `${c.join(' ')}: ${r.stderr}`).to.include(r.status);
    }

    // Import's session discovery: a Claude Code project folder the owner may not list is refused and reported, the other imported.
    const claude = nodePath.join(tmp(), 'unreadable', 'claude');
    const project = nodePath.join(tmp(), 'unreadable', 'project');
    fs.mkdirSync(project, { recursive: true });
    writeClaudeSession(claude, project, 's1', [
      userRow(project, 'readable question'),
      ...assistantRows(project, [text('readable answer')]),
    ]);
    const closed = nodePath.join(claude, 'projects', '-closed-project');
    fs.mkdirSync(closed, { recursive: true });
    chownTree(nodePath.join(tmp(), 'unreadable'), OWNER);
    fs.chmodSync(closed, 0o000);
    figures.unreadableFolders += 1;
    const imported = asOwner(['import', 'claude', '--from', claude, '--codex-home', home, '--json', '--quiet']);
    expect(imported.status, `import: ${imported.stderr}`).to.equal(EXIT.ok);
    expect(imported.stdout, 'the unreadable project folder reported').to.include(closed);
    figures.foldersReportedSkipped += 1;

    const server = spawnRpcServer(SETPRIV!, [
      ...AS_OWNER,
      process.execPath,
      ENGINE_CLI_PATH,
      'serve',
      '--codex-home',
      home,
    ]);
    try {
      await server.request('initialize', {
        clientInfo: { name: 'owner', version: '1' },
        capabilities: { experimentalApi: true },
      });
      server.notify('initialized');
      const answer = await server.request('thread/list', {});
      expect('result' in answer, JSON.stringify(answer)).to.equal(true);
      const ids = ((answer as { result: { data: Array<{ id: string }> } }).result.data ?? []).map((t) => t.id).sort();
      figures.threadsListed += ids.length;
      // The imported thread too: every readable one.
      expect(ids).to.have.length(4);
      expect(ids).to.include.members([A, B, C]);
    } finally {
      await server.close();
    }
  });

  it('the home watch run by the owner over mode-000 folders: each skipped as discovery skips it, not a loss of track (no whole-home catch-up forced)', () => {
    const home = nodePath.join(tmp(), 'watch', 'home');
    makeHome(home);
    const unreadable = [nodePath.join(home, 'sessions', '2026', '11', '22'), nodePath.join(home, 'sessions', '2025')];
    for (const dir of unreadable) fs.mkdirSync(dir, { recursive: true });
    chownTree(home, OWNER);
    for (const dir of unreadable) fs.chmodSync(dir, 0o000);
    const script = [
      `const { watchHome } = await import(${JSON.stringify(new URL('../../adapters/driven/jsonl/home/homeWatch.js', import.meta.url).href)});`,
      `const w = watchHome(${JSON.stringify(home)});`,
      'const first = w.take();',
      'console.log(JSON.stringify({ first, losses: w.mark().losses }));',
      'w.close();',
    ].join('\n');
    const r = spawnSync(SETPRIV!, [...AS_OWNER, process.execPath, '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).to.equal(0);
    const seen = JSON.parse(r.stdout) as { first: unknown; losses: number };
    figures.watchLosses += seen.losses;
    expect(seen).to.deep.equal({ first: 'unknown', losses: 0 });
  });
});
