import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { CLI } from '../../../fixtures/cliBundle.js';

const run = (args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input: '', timeout: 30_000 });

describe('a home that is not there is an error (exit 2), and nothing is created', () => {
  const tmp = useTempDir('missing-home-');

  for (const command of [
    ['threads'],
    ['index'],
    ['tokens'],
    ['serve'],
    ['read', '01a1fe84-0000-7000-8000-00000000000a'],
    ['verify'],
  ]) {
    it(`${command[0]} --codex-home <missing>`, () => {
      const home = nodePath.join(tmp(), `nope-${command[0]}`);
      const r = run([...command, '--codex-home', home]);
      expect(r.status, r.stderr).to.equal(2);
      expect(r.stderr).to.contain(home);
      expect(r.stderr).to.match(/CODEX_HOME/);
      expect(r.stdout).to.equal('');
      expect(fs.existsSync(home)).to.equal(false);
    });
  }

  it('a home that is a file: exit 2, nothing created beside it', () => {
    const home = nodePath.join(tmp(), 'a-file');
    fs.writeFileSync(home, 'not a home');
    const r = run(['threads', '--codex-home', home]);
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stderr).to.contain(home);
    expect(fs.readdirSync(tmp())).to.deep.equal(['a-file']);
  });

  it('a home without sessions/ yet is fine (Codex creates it lazily): one with its config.toml, or an empty folder asked for with --new-home', () => {
    const home = nodePath.join(tmp(), 'fresh-home');
    fs.mkdirSync(home);
    fs.writeFileSync(nodePath.join(home, 'config.toml'), 'model = "gpt-5"\n');
    const r = run(['threads', '--codex-home', home, '--json']);
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.have.property('data').that.deep.equals([]);
    const empty = nodePath.join(tmp(), 'new-home');
    fs.mkdirSync(empty);
    expect(run(['threads', '--codex-home', empty]).status).to.equal(2);
    const started = run(['threads', '--codex-home', empty, '--new-home', '--json']);
    expect(started.status, started.stderr).to.equal(0);
    expect(JSON.parse(started.stdout)).to.have.property('data').that.deep.equals([]);
  });
});
