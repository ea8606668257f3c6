// Issue 55: `--codex-home` naming a folder that is not a Codex home (`~/.codex/sessions`, `/etc`, an
// empty folder) answered `no threads` with exit 0 and made an index in it (or under ~/.cache). Now
// it is refused (InvalidArgument, exit 2) with what a home holds, and nothing is created anywhere;
// `--new-home` asks for a new home in an empty folder.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { CLI } from '../../../fixtures/cliBundle.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { stderrJson } from '../../../fixtures/stderrJson.js';

const THREAD = '01a1fe84-0000-7000-8000-0000000000c1';
const ENTRIES = 'sessions/, archived_sessions/, session_index.jsonl, config.toml, auth.json, history.jsonl';

/** Every path under `dir` (folders too): what "nothing was created" is checked against. */
const tree = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : [];

describe('CLI: a folder that is not a Codex home is refused, and nothing is created (issue 55)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('not-a-home-');
  // The user's own home and cache, so that "nothing under ~/.cache" is checked where the CLI would write.
  const userHome = () => nodePath.join(tmp(), 'user');
  const cacheOf = () => nodePath.join(userHome(), '.cache');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      input: '',
      timeout: 60_000,
      env: { ...process.env, HOME: userHome(), XDG_CACHE_HOME: '', CODEX_HOME: '' },
    });
  const codexHome = () => nodePath.join(tmp(), 'codex');

  before(() => {
    fs.mkdirSync(userHome());
    writeRollout(codexHome(), rolloutName(THREAD), chatThread('paginated', THREAD, 1).text());
  });

  it('the sessions folder itself: exit 2, names what a home holds and the home above it; nothing created in it or under ~/.cache', () => {
    const sessions = nodePath.join(codexHome(), 'sessions');
    const before = tree(sessions);
    for (const command of [['threads'], ['index'], ['tokens'], ['search', 'hello'], ['read', THREAD]]) {
      const r = run(...command, '--codex-home', sessions);
      expect(r.status, `${command[0]}: ${r.stderr}`).to.equal(2);
      expect(r.stdout, command[0]).to.equal('');
      expect(r.stderr, command[0]).to.equal(
        `rollout-engine: invalid CODEX_HOME: ${sessions} is not a Codex home: it holds none of ${ENTRIES}; Codex keeps this folder inside its home: --codex-home ${codexHome()}\n`,
      );
    }
    expect(tree(sessions)).to.deep.equal(before);
    expect(tree(cacheOf())).to.deep.equal([]);
    expect(fs.existsSync(nodePath.join(codexHome(), '.rollout-engine'))).to.equal(false);
  });

  it('/etc: refused, no index folder made in it; --json gives the typed error', () => {
    const r = run('threads', '--codex-home', '/etc', '--json');
    expect(r.status, r.stderr).to.equal(2);
    expect(stderrJson(r.stderr)).to.deep.equal({
      error: {
        tag: 'InvalidArgument',
        message: `invalid CODEX_HOME: /etc is not a Codex home: it holds none of ${ENTRIES}`,
        exitCode: 2,
        field: 'CODEX_HOME',
        reason: `/etc is not a Codex home: it holds none of ${ENTRIES}`,
      },
    });
    expect(fs.existsSync('/etc/.rollout-engine')).to.equal(false);
    expect(tree(cacheOf())).to.deep.equal([]);
    // --new-home makes a home only of an empty folder.
    const asNew = run('threads', '--codex-home', '/etc', '--new-home');
    expect(asNew.status).to.equal(2);
    expect(asNew.stderr).to.contain('--new-home starts a new home only in an empty folder');
    expect(fs.existsSync('/etc/sessions')).to.equal(false);
  });

  it('serve and view refuse it before they listen', () => {
    const etc = nodePath.join(tmp(), 'etc-like');
    fs.mkdirSync(etc);
    fs.writeFileSync(nodePath.join(etc, 'hosts'), '127.0.0.1 localhost\n');
    for (const command of [['serve'], ['serve', '--listen', 'ws://127.0.0.1:0'], ['view', '--no-open']]) {
      const r = run(...command, '--codex-home', etc);
      expect(r.status, `${command.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.equal(
        `rollout-engine: invalid CODEX_HOME: ${etc} is not a Codex home: it holds none of ${ENTRIES}\n`,
      );
    }
    expect(tree(etc)).to.deep.equal(['hosts']);
  });

  it('an empty folder is refused unless --new-home asks for a new home; then it is one (its sessions/ made)', () => {
    const empty = nodePath.join(tmp(), 'empty');
    fs.mkdirSync(empty);
    const refused = run('threads', '--codex-home', empty);
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.equal(
      `rollout-engine: invalid CODEX_HOME: ${empty} is an empty folder, not a Codex home (a Codex home holds at least one of ${ENTRIES}); give --new-home to start a new home there\n`,
    );
    expect(tree(empty)).to.deep.equal([]);

    const started = run('threads', '--codex-home', empty, '--new-home', '--json');
    expect(started.status, started.stderr).to.equal(0);
    expect(JSON.parse(started.stdout)).to.have.property('data').that.deep.equals([]);
    expect(fs.statSync(nodePath.join(empty, 'sessions')).isDirectory()).to.equal(true);
    // A home from now on, without the flag.
    expect(run('threads', '--codex-home', empty).status).to.equal(0);

    // A new home not there yet, in a folder that is: made; one whose parent is missing: refused.
    const fresh = nodePath.join(tmp(), 'fresh');
    expect(run('index', '--codex-home', fresh, '--new-home').status).to.equal(0);
    expect(fs.statSync(nodePath.join(fresh, 'sessions')).isDirectory()).to.equal(true);
    const orphan = nodePath.join(tmp(), 'no-parent', 'home');
    const r = run('threads', '--codex-home', orphan, '--new-home');
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('its parent folder does not exist');
    expect(fs.existsSync(nodePath.join(tmp(), 'no-parent'))).to.equal(false);
  });

  it('a home that has not run a session yet (config.toml, or auth.json) is a Codex home', () => {
    for (const file of ['config.toml', 'auth.json']) {
      const home = nodePath.join(tmp(), `only-${file}`);
      fs.mkdirSync(home);
      fs.writeFileSync(nodePath.join(home, file), file === 'auth.json' ? '{}' : 'model = "gpt-5"\n');
      const r = run('threads', '--codex-home', home);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('no threads');
    }
  });
});
