import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { useTempDir } from '../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../replay/mutationHome.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const PACKAGE = JSON.parse(fs.readFileSync(nodePath.join(REPO, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string> };
const THREAD = '01a1fe84-0000-7000-8000-0000000000b1';

/** The environment without the npm_* variables of an enclosing `npm test` (they would point npm back at this repo). */
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
  ...extra,
});

const npm = (args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = cleanEnv()) => {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env, encoding: 'utf8' });
  expect(r.status, `npm ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).to.equal(0);
  return r.stdout;
};

/** Runs an installed bin from `cwd`, as a person would: by its path, with nothing of this repo around. */
const runBin = (bin: string, args: ReadonlyArray<string>, cwd: string) => spawnSync(bin, [...args], { cwd, env: cleanEnv(), encoding: 'utf8' });

describe('install: the packed package and `npm link` give a `rollout-engine` bin that runs from anywhere, without a rebuild', function () {
  this.timeout(120_000);
  const tmp = useTempDir('cli-install-');
  let elsewhere: string;
  let home: string;
  let packed: { readonly tarball: string; readonly files: ReadonlyArray<string> };

  before(() => {
    elsewhere = fs.mkdtempSync(nodePath.join(tmp(), 'cwd-'));
    home = nodePath.join(tmp(), 'home');
    writeRollout(home, rolloutName(THREAD), chatThread('legacy', THREAD, 2).text());
    // --ignore-scripts: `npm test` has just built dist/ (a pack's prepack and prepare would rebuild it under the running tests).
    const [pack] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp()], REPO)) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    packed = { tarball: nodePath.join(tmp(), pack!.filename), files: pack!.files.map((f) => f.path) };
  });

  /** The bin works: help, the package's version, and a real answer (lmdb and the other dependencies load from where it is installed). */
  const works = (bin: string) => {
    const help = runBin(bin, ['--help'], elsewhere);
    expect(help.status, help.stderr).to.equal(0);
    expect(help.stdout).to.match(/^Usage: rollout-engine /);
    expect(runBin(bin, ['--version'], elsewhere).stdout.trim()).to.equal(PACKAGE.version);
    const turns = runBin(bin, ['turns', THREAD, '--codex-home', home, '--index-dir', fs.mkdtempSync(nodePath.join(tmp(), 'index-')), '--json'], elsewhere);
    expect(turns.status, turns.stderr).to.equal(0);
    expect((JSON.parse(turns.stdout) as { data: unknown[] }).data).to.have.length(2);
  };

  it('npm pack: the built dist/ the bin needs, and no sources, tests, benches or source maps', () => {
    expect(packed.files).to.include.members([
      'package.json',
      'README.md',
      PACKAGE.bin['rollout-engine']!,
      'dist/indexer/indexWorker.js',
      'dist/adapters/jsonl/tailWorker.js',
      'dist/viewer/index.html',
      'dist/viewer/app.js',
      'dist/viewer/viewer.css',
    ]);
    const unexpected = packed.files.filter(
      (f) =>
        !/^dist\/(adapters|domain|indexer|migrations|projections|protocol|replay)\/.*\.js$/.test(f) &&
        !/^dist\/viewer\/(index\.html|app\.js|viewer\.css)$/.test(f) &&
        f !== 'package.json' &&
        f !== 'README.md',
    );
    expect(unexpected, 'files the package should not hold').to.deep.equal([]);
  });

  it('npm install -g <tarball> --prefix DIR: DIR/bin/rollout-engine runs from another directory, with no dev dependency installed', function () {
    // better-sqlite3 is built from source where its prebuilt binary cannot be downloaded (1-3 minutes on 2 cores).
    this.timeout(600_000);
    const prefix = nodePath.join(tmp(), 'prefix');
    npm(['install', '--global', '--prefer-offline', '--prefix', prefix, packed.tarball], elsewhere);
    const bin = nodePath.join(prefix, 'bin', 'rollout-engine');
    const installed = nodePath.join(prefix, 'lib', 'node_modules', PACKAGE.name);
    expect(fs.realpathSync(bin)).to.equal(fs.realpathSync(nodePath.join(installed, PACKAGE.bin['rollout-engine']!)));
    for (const dev of ['typescript', 'mocha', '@openai/codex']) expect(fs.existsSync(nodePath.join(installed, 'node_modules', dev)), dev).to.equal(false);
    works(bin);
  });

  it('npm link: the bin on the (temporary) global prefix resolves to this checkout', () => {
    const prefix = nodePath.join(tmp(), 'link-prefix');
    // --ignore-scripts: as for the pack (a person's `npm link` runs `prepare`, an incremental build).
    npm(['link', '--ignore-scripts'], REPO, cleanEnv({ NPM_CONFIG_PREFIX: prefix }));
    const bin = nodePath.join(prefix, 'bin', 'rollout-engine');
    expect(fs.realpathSync(bin)).to.equal(fs.realpathSync(nodePath.join(REPO, PACKAGE.bin['rollout-engine']!)));
    works(bin);
  });
});
