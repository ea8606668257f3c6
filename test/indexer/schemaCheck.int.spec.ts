import { writeSynthThread } from '../fixtures/synthHome.js';
import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFile, spawn } from 'node:child_process';
import * as readline from 'node:readline';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../indexer/open/openIndex.js';
import { SCHEMA_VERSION, SCHEMA_VERSION_KEY } from '../../adapters/driven/lmdb/schema.js';
import { newThread } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { CLI } from '../fixtures/cliBundle.js';
import { holdAt } from '../fixtures/heldProcess.js';

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
  right(
    s.transact('stamp', (_r, write) =>
      write({ op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: version }),
    ),
  );
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
      const out = JSON.parse(
        (await run('node', [CLI, command, '--codex-home', home, '--index-dir', indexDir, '--json'])).stdout,
      );
      if (command === 'verify') expect(out.diffs).to.deep.equal([]);
      else {
        // No verify before it: a rebuild (of the migrated index).
        expect(out).to.deep.include({ strategy: 'rebuild', rebuilt: true });
      }
      expect(await versionOf(lmdbDir)).to.equal(SCHEMA_VERSION);
    });
  }

  // At each step of the swap the rebuild holds (a hold point of the same name as its crash point,
  // adapters/driven/system/holdPoint.ts) while the reader reads: every read lands where the test says.
  for (const step of ['rebuild.built', 'rebuild.swap.asideMoved', 'rebuild.swap.freshMoved'] as const) {
    it(`a reader that has the old index open is served before the rebuild, at ${step}, and after the swap`, async () => {
      const ids = await writeHome(home, 40);
      // Schema 5 → 6 is a rebuild step (6 → 7 is in place).
      await indexAtVersion(lmdbDir, home, 5);
      const reader = spawn(process.execPath, [READER, lmdbDir, ids[0]!], { stdio: ['pipe', 'pipe', 'inherit'] });
      const answers = readline.createInterface({ input: reader.stdout! })[Symbol.asyncIterator]();
      const next = async (): Promise<string> => {
        const r = await answers.next();
        if (r.done === true) throw new Error('the reader ended');
        return r.value;
      };
      const read = async (): Promise<unknown> => {
        reader.stdin!.write('read\n');
        return JSON.parse(await next());
      };
      const hold = holdAt(step, 1, nodePath.join(root, 'held'));
      try {
        expect(await next()).to.equal('ready');
        expect(await read(), 'before the rebuild').to.deep.equal({ ok: true });
        const index = spawn(process.execPath, [CLI, 'index', '--codex-home', home, '--index-dir', indexDir, '--json'], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, ...hold.env },
        });
        let stderr = '';
        index.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<number | null>((resolve) => index.once('exit', resolve));
        let code: number | null | undefined;
        void exited.then((c) => (code = c));
        await hold.held(() => (code !== undefined ? `exit ${code}: ${stderr}` : undefined));
        expect(await read(), `at ${step}`).to.deep.equal({ ok: true });
        await hold.release();
        expect(await exited, stderr).to.equal(0);
        expect(await read(), 'after the swap').to.deep.equal({ ok: true });
        const opened = right(await openIndex(lmdbDir, home)());
        try {
          expect(opened.migrated, 'the CLI left it current').to.equal('current');
          expect(opened.store.reader.get('meta', SCHEMA_VERSION_KEY)).to.equal(SCHEMA_VERSION);
          expect(opened.store.reader.keys('threads', [])).to.have.length(40);
        } finally {
          right(await opened.store.close()());
        }
        expect((await fs.readdir(indexDir)).sort()).to.deep.equal(['index']);
      } finally {
        reader.stdin!.write('exit\n');
        reader.kill();
      }
    });
  }
});
