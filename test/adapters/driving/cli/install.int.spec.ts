import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { skipUnmet } from '../../../fixtures/skipUnmet.js';
import { openSqlite } from '../../../../adapters/driven/sqlite/sqliteDb.js';

const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));
const PACKAGE = JSON.parse(fs.readFileSync(nodePath.join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
};
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
const runBin = (bin: string, args: ReadonlyArray<string>, cwd: string) =>
  spawnSync(bin, [...args], { cwd, env: cleanEnv(), encoding: 'utf8' });

/**
 * Puts this checkout's built better-sqlite3 where its install script (prebuild-install) looks for
 * a prebuilt binary it downloaded before: `<npm cache>/_prebuilds/<sha512(url)[0..6]>-<file>`. A
 * user of Node 20 whose machine can fetch the prebuilt gets the same; where none can be fetched,
 * the user-level install below shows what Node 20 gets when asked (INSTALL_COMPILES_ENV), and
 * `.ci/node-lines` shows the install with no setting on every other line.
 */
const seedBetterSqlitePrebuild = async (npmCache: string): Promise<void> => {
  const pkgDir = nodePath.join(REPO, 'node_modules', 'better-sqlite3');
  const require = createRequire(nodePath.join(pkgDir, 'package.json'));
  const rc = require('prebuild-install/rc') as (pkg: unknown) => Record<string, unknown>;
  const util = require('prebuild-install/util') as { getDownloadUrl: (opts: unknown) => string };
  const pkg = JSON.parse(fs.readFileSync(nodePath.join(pkgDir, 'package.json'), 'utf8')) as unknown;
  const url = util.getDownloadUrl({ ...rc(pkg), pkg });
  const digest = createHash('sha512').update(url).digest('hex').slice(0, 6);
  const file = nodePath.join(
    npmCache,
    '_prebuilds',
    `${digest}-${nodePath.basename(url).replace(/[^a-zA-Z0-9.]+/g, '-')}`,
  );
  fs.mkdirSync(nodePath.dirname(file), { recursive: true });
  await tar.c({ gzip: true, file, cwd: pkgDir, portable: true }, ['build/Release/better_sqlite3.node']);
};

/** A copy of this machine's npm cache (packages only: no prebuilt binary), so an install reads what `npm ci` fetched before. */
const copyNpmCache = (to: string): void => {
  const cache = spawnSync('npm', ['config', 'get', 'cache'], { env: cleanEnv(), encoding: 'utf8' }).stdout.trim();
  if (fs.existsSync(nodePath.join(cache, '_cacache')))
    fs.cpSync(nodePath.join(cache, '_cacache'), nodePath.join(to, '_cacache'), { recursive: true });
};

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
    const turns = runBin(
      bin,
      ['turns', THREAD, '--codex-home', home, '--index-dir', fs.mkdtempSync(nodePath.join(tmp(), 'index-')), '--json'],
      elsewhere,
    );
    expect(turns.status, turns.stderr).to.equal(0);
    expect((JSON.parse(turns.stdout) as { data: unknown[] }).data).to.have.length(2);
  };

  it('npm pack: the CLI bundle (its entry point, worker threads and chunks) and the viewer, and no sources, tsc output, tests, benches or source maps', () => {
    expect(PACKAGE.bin['rollout-engine']).to.equal('dist/cli/main.js');
    expect(packed.files).to.include.members([
      'package.json',
      'README.md',
      PACKAGE.bin['rollout-engine']!,
      'dist/cli/indexWorker.js',
      'dist/cli/tailWorker.js',
      'dist/viewer/index.html',
      'dist/viewer/app.js',
      'dist/viewer/viewer.css',
    ]);
    const unexpected = packed.files.filter(
      (f) =>
        !/^dist\/cli\/[\w-]+\.js$/.test(f) &&
        !/^dist\/viewer\/(index\.html|app\.js|viewer\.css)$/.test(f) &&
        f !== 'package.json' &&
        f !== 'README.md',
    );
    expect(unexpected, 'files the package should not hold').to.deep.equal([]);
  });

  it('npm install -g <tarball> --prefix DIR: DIR/bin/rollout-engine runs from another directory, with no dev dependency installed', async function () {
    this.timeout(600_000);
    const prefix = nodePath.join(tmp(), 'prefix');
    const npmCache = nodePath.join(tmp(), 'npm-cache');
    copyNpmCache(npmCache);
    await seedBetterSqlitePrebuild(npmCache);
    npm(
      ['install', '--global', '--prefer-offline', '--cache', npmCache, '--prefix', prefix, packed.tarball],
      elsewhere,
    );
    const bin = nodePath.join(prefix, 'bin', 'rollout-engine');
    const installed = nodePath.join(prefix, 'lib', 'node_modules', PACKAGE.name);
    expect(fs.realpathSync(bin)).to.equal(fs.realpathSync(nodePath.join(installed, PACKAGE.bin['rollout-engine']!)));
    for (const dev of ['typescript', 'mocha', '@openai/codex'])
      expect(fs.existsSync(nodePath.join(installed, 'node_modules', dev)), dev).to.equal(false);
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

/** The unprivileged account the README's user-level install is tried as, when the test runs as root (made once, then reused). */
const INSTALL_USER = 'rollout-engine-install';

/**
 * Who runs the README's steps: as root, `INSTALL_USER` (created if missing; null with the reason
 * where the system cannot create it); as anyone else, that user, with a fresh HOME either way.
 */
const unprivileged = (): { readonly uid: number; readonly gid: number; readonly name: string } | string => {
  if (process.getuid?.() !== 0)
    return {
      uid: process.getuid!(),
      gid: process.getgid!(),
      name: spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim(),
    };
  if (spawnSync('id', ['-u', INSTALL_USER]).status !== 0) {
    const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/bin/sh', INSTALL_USER], {
      encoding: 'utf8',
    });
    if (made.status !== 0)
      return `the system cannot create a user (useradd: ${made.error?.message ?? made.stderr.trim()})`;
  }
  const id = (flag: string): number =>
    Number(spawnSync('id', [flag, INSTALL_USER], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g'), name: INSTALL_USER };
};

/**
 * npm settings of this machine's network a user-level install needs too (a CA file, a registry), as
 * environment variables. Not `nodedir`: the install needs none (docs/install.md).
 */
const machineNpmConfig = (): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const key of ['cafile', 'registry']) {
    const v = spawnSync('npm', ['config', 'get', key], { env: cleanEnv(), encoding: 'utf8' }).stdout.trim();
    if (v !== '' && v !== 'undefined' && v !== 'null') out[`npm_config_${key}`] = v;
  }
  return out;
};

/**
 * The install steps of docs/install.md, word for word: no setting on any line, online or offline
 * (issue 72). `npm link --ignore-scripts`: `npm ci` built already.
 */
const INSTALL_STEPS = 'npm ci && npm link --ignore-scripts';

/** prebuild-install's mirror of better-sqlite3's prebuilt binaries, at a closed loopback port: out of reach on any machine. */
const UNREACHABLE_PREBUILT = { npm_config_better_sqlite3_binary_host: 'http://127.0.0.1:9' };
/** What npm says of that setting (a test's, not a user's): the one warning an install here may print. */
const UNKNOWN_PREBUILT_SETTING = /^npm warn Unknown env config "better-sqlite3-binary-host"\..*$/;

/**
 * Set (to 1) to have the user-level install find better-sqlite3's prebuilt out of reach. On Node 20
 * it is then not installed (an optional dependency: no headers to compile against offline, none
 * downloaded); Node 22.13 and later need it not (node:sqlite), and never get this checkout's
 * Node-20 build as their prebuilt. Unset, on Node 20 the prebuilt is in the user's npm cache as a
 * download leaves it.
 */
const INSTALL_COMPILES_ENV = 'ROLLOUT_ENGINE_INSTALL_COMPILES';
const compiles = process.env[INSTALL_COMPILES_ENV] === '1';
/** This Node has node:sqlite (22.13 and later, engines' floor on 22): better-sqlite3 is not needed. */
const nodeSqlite = Number(process.versions.node.split('.')[0]) >= 22;

describe('install without root, as docs/install.md says: npm config set prefix ~/.local, npm ci && npm link --ignore-scripts, ~/.local/bin on PATH', function () {
  // A fresh npm ci, offline, from the npm cache: 1-3 minutes on 2 cores, 5-10 on busy ones. Bounded at 15.
  this.timeout(900_000);
  const tmp = useTempDir('cli-user-install-');

  it(`a copy of the repository, installed by an unprivileged user with no setting (${nodeSqlite ? 'node:sqlite' : `better-sqlite3 ${compiles ? 'out of reach' : 'from its prebuilt'}`}), answers a first \`turns\` and serves the viewer`, async function () {
    const user = unprivileged();
    skipUnmet(this, typeof user !== 'string', 'an unprivileged user', typeof user === 'string' ? user : '');
    if (typeof user === 'string') return;
    const root = tmp();
    const home = nodePath.join(root, 'home');
    const clone = nodePath.join(home, 'rollout-engine');
    const codexHome = nodePath.join(root, 'codex-home');
    // The repository as a clone holds it: its tracked files (and new ones not ignored), as they are in this checkout; no node_modules, no dist.
    const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: REPO,
      encoding: 'utf8',
    })
      .stdout.split('\0')
      .filter((f) => f !== '');
    for (const f of files) {
      const from = nodePath.join(REPO, f);
      if (!fs.existsSync(from)) continue;
      fs.mkdirSync(nodePath.dirname(nodePath.join(clone, f)), { recursive: true });
      fs.copyFileSync(from, nodePath.join(clone, f));
    }
    expect(fs.existsSync(nodePath.join(clone, 'node_modules')) || fs.existsSync(nodePath.join(clone, 'dist'))).to.equal(
      false,
    );
    writeRollout(codexHome, rolloutName(THREAD), chatThread('legacy', THREAD, 2).text());
    // A state DB beside it (Codex's `threads` table, the columns the engine reads): the first answer reads it, through the installed SQLite driver.
    const stateDb = openSqlite(nodePath.join(codexHome, 'state_5.sqlite'), { mustExist: false });
    stateDb.exec('CREATE TABLE threads (id TEXT PRIMARY KEY, updated_at_ms INTEGER, recency_at_ms INTEGER)');
    stateDb.prepare('INSERT INTO threads VALUES (?, ?, ?)').run(THREAD, 1_700_000_000_000, 1_700_000_000_000);
    stateDb.close();
    // Offline: npm ci reads this machine's npm cache, copied into the user's (with the prebuilt, unless it compiles).
    copyNpmCache(nodePath.join(home, '.npm'));
    if (!compiles && !nodeSqlite) await seedBetterSqlitePrebuild(nodePath.join(home, '.npm'));
    spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, home, codexHome]);
    fs.chmodSync(root, 0o755);

    const env = {
      ...Object.fromEntries(
        Object.entries(cleanEnv()).filter(([k]) => !/^(HOME|USER|LOGNAME|NPM_CONFIG_.*|npm_config_.*)$/i.test(k)),
      ),
      ...machineNpmConfig(),
      ...(compiles || nodeSqlite ? UNREACHABLE_PREBUILT : {}),
      HOME: home,
      USER: user.name,
      LOGNAME: user.name,
      PATH: `${nodePath.join(home, '.local', 'bin')}:${process.env['PATH'] ?? ''}`,
    };
    /** A shell command as the user, in its home. */
    const asUser = (script: string) =>
      spawnSync('sh', ['-c', script], {
        cwd: home,
        env,
        uid: user.uid,
        gid: user.gid,
        encoding: 'utf8',
        timeout: 840_000,
      });

    // docs/install.md's steps: a prefix of one's own, then npm ci && npm link --ignore-scripts (offline where the cache has it), no setting.
    expect(
      fs.readFileSync(nodePath.join(REPO, 'docs', 'install.md'), 'utf8'),
      'the install steps of docs/install.md',
    ).to.contain(INSTALL_STEPS);
    const prefix = asUser('npm config set prefix ~/.local && npm config get prefix');
    expect(prefix.status, prefix.stderr).to.equal(0);
    expect(prefix.stdout.trim()).to.equal(nodePath.join(home, '.local'));
    const started = Date.now();
    // As the user types it (npm's own warnings shown; offline: what the npm cache holds, copied above).
    const install = asUser(`cd rollout-engine && export npm_config_prefer_offline=true && ${INSTALL_STEPS}`);
    expect(
      install.status,
      `npm ci && npm link as ${user.name}${install.signal === null ? '' : ` (stopped by ${install.signal} after ${Math.round((Date.now() - started) / 1000)} s)`}\n${install.stdout}\n${install.stderr}`,
    ).to.equal(0);
    const installSeconds = (Date.now() - started) / 1000;
    // No warning the docs do not explain: npm lists no unapproved install script (allowScripts), the root's `prepare` included.
    const warnings = `${install.stdout}\n${install.stderr}`
      .split('\n')
      .filter((l) => /\bwarn\b/i.test(l) && !UNKNOWN_PREBUILT_SETTING.test(l));
    expect(warnings, 'npm warnings').to.deep.equal([]);
    // Node 22.13 and later read Codex's state DB with node:sqlite: better-sqlite3 (optional) is whatever its install made of it, never needed.
    // On Node 20 it is the prebuilt (its .node file alone), or, its prebuilt out of reach and no headers to compile against, not installed.
    const built = nodePath.join(clone, 'node_modules', 'better-sqlite3', 'build', 'Release');
    if (!nodeSqlite)
      expect(fs.existsSync(nodePath.join(built, 'better_sqlite3.node')), 'better-sqlite3 installed').to.equal(
        !compiles,
      );
    expect(fs.existsSync(nodePath.join(built, 'obj.target')), 'better-sqlite3 compiled').to.equal(false);
    const bin = nodePath.join(home, '.local', 'bin', 'rollout-engine');
    expect(fs.realpathSync(bin)).to.equal(fs.realpathSync(nodePath.join(clone, PACKAGE.bin['rollout-engine']!)));

    // Found on PATH, from anywhere: the first answer.
    const turns = asUser(`cd / && rollout-engine turns ${THREAD} --codex-home ${codexHome} --json`);
    expect(turns.status, turns.stderr).to.equal(0);
    expect(turns.stderr, 'no warning of Node (node:sqlite is experimental on 22)').to.not.include('Warning');
    expect((JSON.parse(turns.stdout) as { data: unknown[] }).data).to.have.length(2);

    // And the viewer: its address printed, its page served.
    const view = spawn('rollout-engine', ['view', '--no-open', '--codex-home', codexHome], {
      cwd: home,
      env,
      uid: user.uid,
      gid: user.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        view.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /viewer: (http:\/\/127\.0\.0\.1:\d+\/viewer\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        view.once('exit', (code) => reject(new Error(`view exited ${code}: ${out}`)));
        setTimeout(() => reject(new Error(`no viewer address in 60 s: ${out}`)), 60_000);
      });
      const page = await fetch(url);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.contain('<title>rollout-engine');
      expect((await fetch(new URL('app.js', url))).status).to.equal(200);
    } finally {
      // Stopped as Ctrl-C stops it, and waited for: its index is removed with the temporary directory after.
      if (view.exitCode === null && view.signalCode === null) {
        const exited = new Promise((resolve) => view.once('exit', resolve));
        view.kill('SIGINT');
        await exited;
      }
    }
    process.stdout.write(
      `      user-level install as ${user.name} (uid ${user.uid}), node ${process.version}, SQLite ${nodeSqlite ? 'node:sqlite' : `better-sqlite3 ${compiles ? 'out of reach (not installed)' : 'prebuilt'}`}: ${INSTALL_STEPS} ${installSeconds.toFixed(0)} s\n`,
    );
  });
});
