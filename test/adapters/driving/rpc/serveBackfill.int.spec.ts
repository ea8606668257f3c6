// `serve` on a home it has never indexed: it answers while the first build runs behind it, a
// thread asked for meanwhile is indexed first and answered as the finished index answers it, a
// thread/list is the one the finished index gives; once warm, what changes in the rollout folders
// shows in the next thread/list (the folder watch), as it does through the CLI (no watch).
import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as readline from 'node:readline';
import { spawn } from 'node:child_process';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { serveOverStdio } from '../../../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../../../fixtures/stdioRpcClient.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { RolloutWriter } from '../../../fixtures/rolloutLines.js';
import { withIndex } from '../../../fixtures/openedIndex.js';
import { generatedHome, LEASE_WORKER, runCli } from '../cli/cliRun.js';
import { formatRolloutFileName, sessionDayParts } from '../../../../adapters/driven/jsonl/home/rolloutFileName.js';
import type { ParamsOf, ResultOf } from '../../../../protocol/methods.js';
import { holdAt } from '../../../fixtures/heldProcess.js';
import type { HeldStep } from '../../../fixtures/heldProcess.js';

/** Many files (the build holds at its first step until the answers are in: a named step, not a race). */
const HOME_MB = 48;
const NEW_THREAD = '01a1fe84-bdb0-7260-b7c8-794e23279a07';

const BUILT = /rollout-engine: indexed \d+ files/;

/** Lists asked while the build runs, and again once it is done: every order, a filter, a second page. */
const LISTS: ReadonlyArray<[string, ParamsOf<'thread/list'>]> = [
  ['newest 5', { limit: 5 }],
  ['newest 100', { limit: 100 }],
  ['oldest 7', { limit: 7, sortDirection: 'asc' }],
  ['updated 10', { limit: 10, sortKey: 'updated_at' }],
  ['updated oldest 10', { limit: 10, sortKey: 'updated_at', sortDirection: 'asc' }],
  ['recency 3', { limit: 3, sortKey: 'recency_at' }],
  ['exec only 4', { limit: 4, sourceKinds: ['exec'] }],
];

const waitFor = async (ready: () => boolean): Promise<void> => {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 50));
};

/** The paths of the home's rollout files under `sessions/`, by file name (oldest first). */
const rolloutPathsOf = async (home: string): Promise<string[]> => {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(nodePath.join(dir, e.name));
      else out.push(nodePath.join(dir, e.name));
    }
  };
  await walk(nodePath.join(home, 'sessions'));
  return out.sort((a, b) => (nodePath.basename(a) < nodePath.basename(b) ? -1 : 1));
};

/** Thread ids of the home's rollout files, by file name (oldest first). */
const threadIdsOf = async (home: string): Promise<string[]> =>
  (await rolloutPathsOf(home)).map((p) => /([0-9a-f-]{36})\.jsonl$/.exec(p)![1]!);

/** The path of the (one) rollout file named for `threadId`. */
const pathOf = async (home: string, threadId: string): Promise<string> => {
  const found = (await rolloutPathsOf(home)).filter((p) => p.endsWith(`${threadId}.jsonl`));
  expect(found).to.have.length(1);
  return found[0]!;
};

describe('serve on a home it has never indexed (the first build behind the answers)', function () {
  this.timeout(180_000);
  const tmp = useTempDir('serve-backfill-');
  let home: string;
  let indexDir: string;
  let server: StdioRpcClient;
  let stderr = '';
  let threads: string[];
  let hold: HeldStep;

  before(async () => {
    home = (await generatedHome(nodePath.join(tmp(), 'home'), HOME_MB)).home;
    indexDir = nodePath.join(tmp(), 'index');
    threads = await threadIdsOf(home);
    // The build holds where it first lets requests go first, until the answers asked while it runs are in.
    hold = holdAt('backfill.between', 1, nodePath.join(tmp(), 'backfill-held'));
    server = await serveOverStdio(home, { args: ['--index-dir', indexDir], env: { ...process.env, ...hold.env } });
    server.child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  });
  after(async () => {
    await server.close();
  });

  const during: Record<string, unknown> = {};

  it('answers initialize, a thread, its first page of turns, and thread lists in every order while the build runs', async () => {
    await server.typed.request('initialize', { clientInfo: { name: 'test', version: '1' } });
    await hold.held(() => (server.child.exitCode !== null || server.child.signalCode !== null ? stderr : undefined));
    expect(stderr, 'the build was over before initialize was answered').to.not.match(BUILT);
    server.notify('initialized');
    const middle = threads[Math.floor(threads.length / 2)]!;
    during.turns = await server.typed.request('thread/turns/list', { threadId: middle, itemsView: 'full', limit: 10 });
    during.read = await server.typed.request('thread/read', {
      threadId: threads[threads.length - 1]!,
      includeTurns: true,
    });
    expect(stderr, 'the build was over before the thread requests were answered').to.not.match(BUILT);
    expect((during.turns as ResultOf<'thread/turns/list'>).data).to.not.be.empty;
    // The newest few need only the threads that can be newer than them indexed: answered while the build runs.
    for (const [name, params] of LISTS.slice(0, 1)) during[name] = await server.typed.request('thread/list', params);
    expect(stderr, 'the build was over before the first list was answered').to.not.match(BUILT);
    for (const [name, params] of LISTS.slice(1)) during[name] = await server.typed.request('thread/list', params);
    expect(stderr, 'the build was over before the lists were answered').to.not.match(BUILT);
    await hold.release();
  });

  it('answers them as the finished index does', async () => {
    const middle = threads[Math.floor(threads.length / 2)]!;
    expect(
      await server.typed.request('thread/turns/list', { threadId: middle, itemsView: 'full', limit: 10 }),
    ).to.deep.equal(during.turns);
    expect(
      await server.typed.request('thread/read', { threadId: threads[threads.length - 1]!, includeTurns: true }),
    ).to.deep.equal(during.read);
    // thread/list answers from the index once the build is done.
    await waitFor(() => BUILT.test(stderr));
    for (const [name, params] of LISTS)
      expect(await server.typed.request('thread/list', params), name).to.deep.equal(during[name]);
    expect((during['newest 100'] as ResultOf<'thread/list'>).data).to.have.length(Math.min(100, threads.length));
  });

  it('shows a thread created, then grown, while it serves in the next thread/list (folder watch), as the CLI does (no watch)', async () => {
    const at = new Date(Date.UTC(2027, 0, 2, 10, 0, 0));
    const dir = nodePath.join(home, 'sessions', ...sessionDayParts(at));
    const path = nodePath.join(dir, formatRolloutFileName(at, NEW_THREAD));
    const writer = new RolloutWriter('paginated', NEW_THREAD, { startMs: at.getTime() }).sessionMeta();
    writer.chatTurn('turn-1', 'a question asked while serving', 'an answer');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path, writer.text());
    // The file scan's updatedAt is the listed file's mtime, in seconds, as Codex's (docs/compatibility.md):
    // it moves as the file grows.
    const mtimeSeconds = (): number => Math.floor(fsSync.statSync(path).mtimeMs / 1000);
    const created = await server.typed.request('thread/list', { limit: 5 });
    expect(created.data[0]).to.include({
      id: NEW_THREAD,
      preview: 'a question asked while serving',
      updatedAt: mtimeSeconds(),
    });

    // A turn a minute later (thread/list's updatedAt is in seconds).
    const later = new RolloutWriter('paginated', NEW_THREAD, {
      startOrdinal: writer.nextOrdinal(),
      startMs: at.getTime() + 60_000,
    });
    later.chatTurn('turn-2', 'a second question', 'a second answer');
    await fs.appendFile(path, later.text());
    const grown = await server.typed.request('thread/list', { limit: 5 });
    expect(grown.data[0]!.id).to.equal(NEW_THREAD);
    expect(grown.data[0]!.updatedAt).to.equal(mtimeSeconds());
    const turns = await server.typed.request('thread/turns/list', { threadId: NEW_THREAD, itemsView: 'notLoaded' });
    expect(turns.data.map((t) => t.id)).to.deep.equal(['turn-2', 'turn-1']);

    // The CLI has no watch: its refresh looks at every file. It answers the same page.
    const cli = runCli(['threads', '--codex-home', home, '--index-dir', indexDir, '--json', '--limit', '5']);
    expect(await cli.exited, cli.stderr()).to.equal(0);
    expect(JSON.parse(cli.stdout())).to.deep.equal(grown);
  });

  it('forgets a deleted thread in the next thread/list', async () => {
    const day = nodePath.join(home, 'sessions', ...sessionDayParts(new Date(Date.UTC(2027, 0, 2))));
    await fs.rm(day, { recursive: true });
    const list = await server.typed.request('thread/list', { limit: 5 });
    expect(list.data.map((t) => t.id)).to.not.include(NEW_THREAD);
  });
});

describe('the CLI on a home it has never indexed', function () {
  this.timeout(120_000);
  const tmp = useTempDir('cli-one-thread-');

  it('`turns <id>` indexes that thread only (its files), says so, and answers as a full index does', async () => {
    const g = await generatedHome(nodePath.join(tmp(), 'home'), 8);
    const threads = await threadIdsOf(g.home);
    const id = threads[Math.floor(threads.length / 2)]!;
    const one = runCli(['turns', id, '--codex-home', g.home, '--json', '--view', 'full']);
    expect(await one.exited, one.stderr()).to.equal(0);
    expect(one.stderr()).to.match(new RegExp(`^rollout-engine: indexed thread ${id} only \\(1 file, `));
    await withIndex(g.home, async (store) => {
      const files = await store.range('files', [])();
      expect(files).to.have.nested.property('right.length', 1);
    });
    const built = runCli(['index', '--codex-home', g.home, '--index-dir', nodePath.join(tmp(), 'full')]);
    expect(await built.exited).to.equal(0);
    const full = runCli([
      'turns',
      id,
      '--codex-home',
      g.home,
      '--index-dir',
      nodePath.join(tmp(), 'full'),
      '--json',
      '--view',
      'full',
    ]);
    expect(await full.exited).to.equal(0);
    expect(full.stderr()).to.equal('');
    expect(JSON.parse(one.stdout())).to.deep.equal(JSON.parse(full.stdout()));
  });

  it("`turns <forkId>` of a paginated fork also indexes the fork's base (found by name), and answers as a full index does", async () => {
    const g = await generatedHome(nodePath.join(tmp(), 'fork-home'), 4);
    const threads = await threadIdsOf(g.home);
    let fork: string | undefined;
    for (const id of threads) {
      const forked = runCli(['fork', id, '--codex-home', g.home, '--json', '--exclude-turns']);
      expect(await forked.exited, forked.stderr()).to.equal(0);
      const answer = JSON.parse(forked.stdout()) as { thread: { id: string } };
      // A paginated thread's fork is a file that continues its base's (a legacy one copies it).
      if ((await fs.readFile(await pathOf(g.home, answer.thread.id), 'utf8')).includes('"history_base":{')) {
        fork = answer.thread.id;
        break;
      }
    }
    expect(fork, 'no paginated thread to fork').to.be.a('string');
    await fs.rm(nodePath.join(g.home, '.rollout-engine'), { recursive: true });
    const one = runCli(['turns', fork!, '--codex-home', g.home, '--json', '--view', 'full']);
    expect(await one.exited, one.stderr()).to.equal(0);
    expect(one.stderr()).to.match(new RegExp(`^rollout-engine: indexed thread ${fork} only \\(2 files, `));
    const built = runCli(['index', '--codex-home', g.home, '--index-dir', nodePath.join(tmp(), 'fork-full')]);
    expect(await built.exited).to.equal(0);
    const full = runCli([
      'turns',
      fork!,
      '--codex-home',
      g.home,
      '--index-dir',
      nodePath.join(tmp(), 'fork-full'),
      '--json',
      '--view',
      'full',
    ]);
    expect(await full.exited).to.equal(0);
    expect((JSON.parse(one.stdout()) as { data: unknown[] }).data).to.not.be.empty;
    expect(JSON.parse(one.stdout())).to.deep.equal(JSON.parse(full.stdout()));
    // The fork's row too (its preview is its base's first message), read first on a fresh index.
    const readFresh = runCli([
      'read',
      fork!,
      '--codex-home',
      g.home,
      '--index-dir',
      nodePath.join(tmp(), 'fork-read'),
      '--json',
      '--no-turns',
    ]);
    const readFull = runCli([
      'read',
      fork!,
      '--codex-home',
      g.home,
      '--index-dir',
      nodePath.join(tmp(), 'fork-full'),
      '--json',
      '--no-turns',
    ]);
    expect(await readFresh.exited, readFresh.stderr()).to.equal(0);
    expect(await readFull.exited).to.equal(0);
    expect(JSON.parse(readFresh.stdout())).to.deep.equal(JSON.parse(readFull.stdout()));
  });
});

describe('serve while another process holds the build lease', function () {
  this.timeout(120_000);
  const tmp = useTempDir('serve-held-');

  it('answers a thread from its own files while it waits, and ends when its input ends (not when the wait does)', async () => {
    const g = await generatedHome(nodePath.join(tmp(), 'home'), 4);
    const indexDir = nodePath.join(tmp(), 'index');
    const holder = spawn(
      process.execPath,
      [LEASE_WORKER, nodePath.join(indexDir, 'index'), `${os.hostname()}:${process.pid}:test`, '60000', 'hold'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const first = await readline.createInterface({ input: holder.stdout })[Symbol.asyncIterator]().next();
      expect(first.value).to.equal('acquired');
      const server = await serveOverStdio(g.home, { args: ['--index-dir', indexDir, '--gate-wait-ms', '600000'] });
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      server.child.once('exit', (code, signal) => (exit = { code, signal }));
      await server.typed.request('initialize', { clientInfo: { name: 'test', version: '1' } });
      const turns = await server.typed.request('thread/turns/list', { threadId: g.threadId, itemsView: 'notLoaded' });
      expect(turns.data).to.not.be.empty;
      await server.close(); // kills it if it has not ended 5 s after its input did
      expect(exit).to.deep.equal({ code: 0, signal: null });
      expect(holder.exitCode, 'the lease holder is still there: the server did not wait for it').to.equal(null);
    } finally {
      holder.kill();
    }
  });
});
