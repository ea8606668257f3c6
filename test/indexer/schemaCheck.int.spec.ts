import { writeSynthThread } from '../fixtures/synthHome.js';
import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openLmdbIndex } from '../../adapters/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp.js';
import { openIndex } from '../../indexer/openIndex.js';
import { SCHEMA_VERSION, SCHEMA_VERSION_KEY } from '../../adapters/lmdb/schema.js';
import { newThread } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { CLI } from '../fixtures/cliBundle.js';

const run = promisify(execFile);
const READER = fileURLToPath(new URL('./readerWorker.js', import.meta.url));

const writeHome = async (home: string, n: number): Promise<string[]> => {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = newThread(300 + i);
    await writeSynthThread(home, t, 6);
    ids.push(t.threadId);
  }
  return ids;
};

/** An index at `dir` built by this version but stamped with `version`. */
const indexAtVersion = async (dir: string, home: string, version: number): Promise<void> => {
  const s = right(await openLmdbIndex(dir)());
  right(await catchUpHome(s, home)());
  right(s.transact('stamp', (_r, write) => write({ op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: version })));
  right(await s.close()());
};

const versionOf = async (dir: string): Promise<unknown> => {
  const s = right(await openLmdbIndex(dir)());
  try {
    return s.reader.get('meta', SCHEMA_VERSION_KEY);
  } finally {
    right(await s.close()());
  }
};

describe('index schema version on every open (verify, repair, rebuild-and-swap)', function () {
  this.timeout(120_000);
  let home: string;
  let root: string;
  let indexDir: string;
  let lmdbDir: string;

  beforeEach(async () => {
    home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-s-'));
    root = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-s-'));
    indexDir = nodePath.join(root, 'ix');
    lmdbDir = nodePath.join(indexDir, 'index');
  });
  afterEach(async () => {
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(root, { recursive: true, force: true });
  });

  for (const command of ['verify', 'repair']) {
    it(`${command} refuses an index written by a newer version (Unsupported) and leaves it as it is`, async () => {
      await writeHome(home, 2);
      await indexAtVersion(lmdbDir, home, SCHEMA_VERSION + 1);
      const r = await run('node', [CLI, command, '--codex-home', home, '--index-dir', indexDir]).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/Unsupported|newer/i);
      expect(await versionOf(lmdbDir)).to.equal(SCHEMA_VERSION + 1);
    });

    it(`${command} migrates an older index first, as index does, then answers`, async () => {
      await writeHome(home, 2);
      await indexAtVersion(lmdbDir, home, SCHEMA_VERSION - 1);
      const out = JSON.parse((await run('node', [CLI, command, '--codex-home', home, '--index-dir', indexDir, '--json'])).stdout);
      if (command === 'verify') expect(out.diffs).to.deep.equal([]);
      else {
        // No verify before it: a rebuild (of the migrated index).
        expect(out).to.deep.include({ strategy: 'rebuild', rebuilt: true });
      }
      expect(await versionOf(lmdbDir)).to.equal(SCHEMA_VERSION);
    });
  }

  it('a reader that has the old index open keeps being served while it is rebuilt and swapped', async () => {
    const ids = await writeHome(home, 40);
    // Schema 5 → 6 is a rebuild step (6 → 7 is in place).
    await indexAtVersion(lmdbDir, home, 5);
    const child = spawn(process.execPath, [READER, lmdbDir, ids[0]!], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let buf = '';
    const nextLine = () =>
      new Promise<string>((resolve) => {
        const check = () => {
          const i = buf.indexOf('\n');
          if (i < 0) return false;
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
          resolve(lines[lines.length - 1]!);
          return true;
        };
        if (check()) return;
        const on = (d: Buffer) => {
          buf += d.toString();
          if (check()) child.stdout!.off('data', on);
        };
        child.stdout!.on('data', on);
      });
    try {
      expect(await nextLine()).to.equal('ready');
      await new Promise((r) => setTimeout(r, 50));
      const t0 = Date.now();
      const opened = right(await openIndex(lmdbDir, home)());
      const t1 = Date.now();
      try {
        expect(opened.migrated).to.equal('rebuilt');
        expect(opened.store.reader.get('meta', SCHEMA_VERSION_KEY)).to.equal(SCHEMA_VERSION);
        expect(opened.store.reader.keys('threads', [])).to.have.length(40);
      } finally {
        right(await opened.store.close()());
      }
      await new Promise((r) => setTimeout(r, 50));
      child.stdin!.write('report\n');
      const stats = JSON.parse(await nextLine()) as { ok: number; failed: number; missing: number; times: number[] };
      // Served before, during and after the rebuild and swap: no failure, never an empty answer.
      expect(stats.failed).to.equal(0);
      expect(stats.missing).to.equal(0);
      expect(stats.times.filter((t) => t < t0)).to.not.be.empty;
      expect(stats.times.filter((t) => t >= t0 && t <= t1)).to.not.be.empty;
      expect(stats.times.filter((t) => t > t1)).to.not.be.empty;
      expect((await fs.readdir(indexDir)).sort()).to.deep.equal(['index']);
    } finally {
      child.kill();
    }
  });
});
