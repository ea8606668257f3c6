// Issue 39, items 2 and 10: a home owned by another user who planted a link at every path the
// engine writes (its `.rollout-engine/` folder and files, the index and LMDB's files, the
// quarantine, a rollout's lock and superseded mark, Codex's session index and import ledger),
// each leading to a watched file or folder outside the home. Every mutating command is run as
// root through the CLI: nothing outside the home may be created, changed or chmodded (names,
// bytes, mtime, mode before and after), and each refusal is a typed error with its exit code.
// And the modes of everything the engine creates are as documented whatever the umask.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { runEngineCli } from '../compat/engineCli.js';
import type { EngineCliRun } from '../compat/engineCli.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { assistantRows, text, userRow, writeClaudeSession } from '../fixtures/claudeSessions.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { EXIT } from '../../adapters/driving/cli/exitCodes.js';
import { serveOverStdio } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer } from '../fixtures/stdioRpcClient.js';
import { reportArea } from './areaSummary.js';
import { skipUnmet } from '../fixtures/skipUnmet.js';
import { chownTree } from '../fixtures/chownTree.js';

const A = '01a1fe84-0000-7000-8000-0000000000f1';
const B = '01a1fe84-0000-7000-8000-0000000000f2';
const C = '01a1fe84-0000-7000-8000-0000000000f3';
/** The home's owner: not root, not this process. */
const OWNER = 12345;

const figures = {
  cases: 0,
  commands: 0,
  serveRequests: 0,
  linksPlanted: 0,
  outsideChanges: 0,
  refusals: 0,
  crashes: 0,
  hangs: 0,
  modeChecks: 0,
  wrongModes: 0,
};

/** Run the CLI (optionally under `umask 000`). */
const runCli = (args: ReadonlyArray<string>, umask000 = false): Promise<EngineCliRun> =>
  runEngineCli(args, 60_000, {}, umask000);

/** Every entry below `root` (itself included) as lstat sees it: kind, mode, mtime, and the bytes' digest or the link's target. */
const scan = (root: string): Map<string, string> => {
  const out = new Map<string, string>();
  const visit = (path: string): void => {
    const st = fs.lstatSync(path);
    const head = `${(st.mode & 0o7777).toString(8)} ${st.mtimeMs} ${st.uid}`;
    if (st.isSymbolicLink()) out.set(path, `link ${head} ${fs.readlinkSync(path)}`);
    else if (st.isDirectory()) {
      out.set(path, `dir ${head}`);
      for (const name of fs.readdirSync(path)) visit(nodePath.join(path, name));
    } else out.set(path, `file ${head} ${createHash('sha256').update(fs.readFileSync(path)).digest('hex')}`);
  };
  visit(root);
  return out;
};

/** What differs between two scans (created, removed, changed), as lines to read. */
const differences = (before: Map<string, string>, after: Map<string, string>): string[] => {
  const out: string[] = [];
  for (const [p, v] of after)
    if (before.get(p) !== v) out.push(`${before.has(p) ? 'changed' : 'created'} ${p}: ${before.get(p) ?? '-'} → ${v}`);
  for (const p of before.keys()) if (!after.has(p)) out.push(`removed ${p}`);
  return out;
};

/** A rollout's path in the home (all three threads live in the same day folder). */
const rolloutOf = (home: string, id: string): string =>
  nodePath.join(home, 'sessions', '2026', '11', '21', rolloutName(id));

/**
 * A home with three paginated threads (C with a line that does not decode: a quarantine record),
 * Codex's session index, and the inputs the commands read (outside the watched folder).
 */
const makeHome = (home: string): { readonly a: RolloutWriter } => {
  const a = chatThread('paginated', A, 3);
  writeRollout(home, rolloutName(A), a.text());
  writeRollout(home, rolloutName(B), chatThread('paginated', B, 2, 'b').text());
  writeRollout(home, rolloutName(C), `${chatThread('paginated', C, 2, 'c').text()}{"not a rollout line\n`);
  fs.writeFileSync(
    nodePath.join(home, 'session_index.jsonl'),
    `${JSON.stringify({ id: A, thread_name: 'first', updated_at: '2026-11-21T14:00:00Z' })}\n`,
  );
  return { a };
};

/** A link planted by the home's owner. */
const plant = (target: string, at: string): void => {
  fs.mkdirSync(nodePath.dirname(at), { recursive: true });
  fs.symlinkSync(target, at);
  figures.linksPlanted += 1;
};

interface Case {
  readonly name: string;
  /** Plant this case's links in `home`, leading into `outside`; `index` first when the case needs an index already there. */
  readonly plant: (home: string, outside: string, engine: string) => void;
  readonly indexFirst?: boolean;
  /** The commands that reach the files of this case (default: every one). */
  readonly commands?: ReadonlyArray<Command>;
}

type Command =
  | 'index'
  | 'verify'
  | 'repair'
  | 'rebuild'
  | 'threads'
  | 'read'
  | 'append'
  | 'fork'
  | 'revert'
  | 'rollback'
  | 'review'
  | 'name'
  | 'metadata'
  | 'readState'
  | 'archive'
  | 'unarchive'
  | 'delete'
  | 'import';

describe('reliability · planted links (a home owned by another user, commands run as root)', function () {
  this.timeout(600_000);
  const tmp = useTempDir('rollout-engine-links-');
  let outside: string;
  let inputs: string;

  before(async function () {
    skipUnmet(
      this,
      process.getuid?.() === 0,
      'root',
      "the escape it guards against: a planted link is followed with root's rights",
    );
    outside = nodePath.join(tmp(), 'outside');
    inputs = nodePath.join(tmp(), 'inputs');
    fs.mkdirSync(inputs, { recursive: true });
    // Watched: root's files and folders (0644/0755, an hour old) that links lead to, and names links lead to that must stay absent.
    const past = new Date(Date.now() - 3600_000);
    for (const kind of [
      'engine',
      'index',
      'quarantine',
      'state',
      'keys',
      'verify',
      'mark',
      'lock',
      'sessionIndex',
      'ledger',
      'data',
    ]) {
      const dir = nodePath.join(outside, `dir-${kind}`);
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      fs.writeFileSync(nodePath.join(dir, 'keep.txt'), `root's ${kind} folder\n`, { mode: 0o644 });
      fs.writeFileSync(nodePath.join(outside, `file-${kind}.txt`), `root's ${kind} file\n`, { mode: 0o644 });
      fs.utimesSync(nodePath.join(dir, 'keep.txt'), past, past);
      fs.utimesSync(nodePath.join(outside, `file-${kind}.txt`), past, past);
      fs.utimesSync(dir, past, past);
    }
    // Root's index of another home (a real LMDB environment) for the LMDB files' links to lead to.
    const other = nodePath.join(tmp(), 'root-home');
    makeHome(other);
    const built = await runCli([
      'index',
      '--codex-home',
      other,
      '--index-dir',
      nodePath.join(outside, 'lmdb-env'),
      '--quiet',
    ]);
    expect(built.exitCode, built.stderr).to.equal(0);
    fs.chmodSync(outside, 0o755);
    fs.utimesSync(outside, past, past);
  });

  after(() => reportArea('planted links', figures));

  /** Every mutating command (and the views that open the index), as root, on `home`: each answer checked as a typed one. */
  const runAll = async (
    home: string,
    a: RolloutWriter,
    only: ReadonlyArray<Command> | undefined,
  ): Promise<EngineCliRun[]> => {
    const claude = nodePath.join(inputs, 'claude');
    const project = nodePath.join(inputs, 'project');
    fs.mkdirSync(project, { recursive: true });
    writeClaudeSession(claude, project, 's1', [
      userRow(project, 'imported question'),
      ...assistantRows(project, [text('imported answer')]),
    ]);
    const lines = nodePath.join(inputs, 'lines.jsonl');
    const next = new RolloutWriter('paginated', A, { startOrdinal: a.nextOrdinal(), startMs: a.nowMs() + 1000 });
    fs.writeFileSync(lines, next.chatTurn('t4', 'question 4', 'answer 4').text());
    const table: Readonly<Record<Command, string[]>> = {
      index: ['index'],
      verify: ['verify'],
      repair: ['repair'],
      rebuild: ['index', '--rebuild'],
      threads: ['threads'],
      read: ['read', A],
      append: [
        'append',
        A,
        '--lines-file',
        lines,
        '--expected-ordinal',
        String(a.nextOrdinal()),
        '--idempotency-key',
        'k-planted',
      ],
      fork: ['fork', A],
      revert: ['revert', A, '--before-turn-id', 't3'],
      rollback: ['rollback', B, '--num-turns', '1'],
      review: ['review', A, '--custom', 'look at it'],
      name: ['name', A, 'renamed'],
      metadata: ['metadata', A, '--git-branch', 'main'],
      readState: ['read-state', A, '--mark', 'read', '--expected-revision', '0'],
      archive: ['archive', B],
      unarchive: ['unarchive', B],
      delete: ['delete', C],
      import: ['import', 'claude', '--from', claude],
    };
    const commands = (only ?? (Object.keys(table) as Command[])).map((k) => table[k]);
    const runs: EngineCliRun[] = [];
    for (const c of commands) {
      const r = await runCli([...c, '--codex-home', home, '--json', '--quiet']);
      figures.commands += 1;
      runs.push(r);
      if (r.timedOut) figures.hangs += 1;
      const said = `${c.join(' ')} → exit ${r.exitCode} ${r.signal ?? ''}\n${r.stderr.slice(0, 2000)}`;
      if (r.signal !== null || r.timedOut || r.exitCode === null) figures.crashes += 1;
      expect(r.signal, said).to.equal(null);
      expect(r.timedOut, said).to.equal(false);
      // An answer (verify and repair exit 3 when they found differences: not an error).
      if (r.exitCode === EXIT.ok || (r.exitCode === EXIT.differences && r.stderr.trim() === '')) continue;
      // A refusal: one typed error on stderr, its exit code the table's (no stack, no internal failure).
      const last = r.stderr.trim().split('\n').pop() ?? '';
      let error: { tag?: unknown; exitCode?: unknown; message?: unknown } | undefined;
      try {
        error = (JSON.parse(last) as { error?: typeof error }).error;
      } catch {
        error = undefined;
      }
      if (error === undefined) figures.crashes += 1;
      expect(error, said).to.not.equal(undefined);
      expect(error?.exitCode, said).to.equal(r.exitCode);
      expect(Object.values(EXIT), said).to.include(r.exitCode);
      if (/ELOOP|symbolic link|not a regular file|not a folder/.test(String(error?.message))) figures.refusals += 1;
    }
    return runs;
  };

  /** The case's home made, its links planted (by its owner), every command run as root; nothing outside may differ. */
  const runCase = async (c: Case): Promise<EngineCliRun[]> => {
    figures.cases += 1;
    const home = nodePath.join(tmp(), c.name, 'home');
    const { a } = makeHome(home);
    const engine = nodePath.join(home, '.rollout-engine');
    if (c.indexFirst === true) {
      const r = await runCli(['index', '--codex-home', home, '--quiet']);
      expect(r.exitCode, r.stderr).to.equal(0);
    }
    c.plant(home, outside, engine);
    chownTree(home, OWNER);
    // Against the watched folder as it was before this case (so each case shows on its own; the first scan is before any).
    const before = scan(outside);
    const runs = await runAll(home, a, c.commands);
    const changed = differences(before, scan(outside));
    figures.outsideChanges += changed.length;
    expect(changed, `${c.name}: outside the home`).to.deep.equal([]);
    return runs;
  };

  const cases: ReadonlyArray<Case> = [
    { name: 'engine-folder', plant: (_h, out, engine) => plant(nodePath.join(out, 'dir-engine'), engine) },
    {
      name: 'index-folder',
      commands: ['index', 'verify', 'repair', 'rebuild', 'read'],
      plant: (_h, out, engine) => plant(nodePath.join(out, 'dir-index'), nodePath.join(engine, 'index')),
    },
    {
      // Root's own index of another home: LMDB would open (and write) it through the links.
      name: 'lmdb-files',
      commands: ['index', 'rebuild', 'read'],
      plant: (_h, out, engine) => {
        fs.mkdirSync(nodePath.join(engine, 'index'), { recursive: true });
        plant(nodePath.join(out, 'lmdb-env', 'index', 'data.mdb'), nodePath.join(engine, 'index', 'data.mdb'));
        plant(nodePath.join(out, 'lmdb-env', 'index', 'lock.mdb'), nodePath.join(engine, 'index', 'lock.mdb'));
      },
    },
    {
      name: 'lmdb-lock',
      indexFirst: true,
      commands: ['index', 'read'],
      plant: (_h, out, engine) => {
        fs.rmSync(nodePath.join(engine, 'index', 'lock.mdb'));
        plant(nodePath.join(out, 'new-lmdb-lock'), nodePath.join(engine, 'index', 'lock.mdb'));
      },
    },
    {
      name: 'quarantine',
      commands: ['index', 'rebuild', 'repair', 'read'],
      plant: (_h, out, engine) => {
        plant(nodePath.join(out, 'file-quarantine.txt'), nodePath.join(engine, 'quarantine.jsonl'));
      },
    },
    {
      name: 'quarantine-lock',
      commands: ['index', 'rebuild', 'read'],
      plant: (_h, out, engine) =>
        plant(nodePath.join(out, 'new-quarantine-lock'), nodePath.join(engine, 'quarantine.jsonl.lock')),
    },
    {
      name: 'thread-state',
      indexFirst: true,
      commands: ['metadata', 'readState', 'read', 'archive'],
      plant: (_h, out, engine) =>
        plant(nodePath.join(out, 'file-state.txt'), nodePath.join(engine, 'thread-state.jsonl')),
    },
    {
      name: 'thread-state-new',
      commands: ['metadata', 'readState'],
      plant: (_h, out, engine) => {
        plant(nodePath.join(out, 'new-state'), nodePath.join(engine, 'thread-state.jsonl'));
        plant(nodePath.join(out, 'new-state-lock'), nodePath.join(engine, 'thread-state.jsonl.lock'));
      },
    },
    {
      name: 'append-keys',
      commands: ['append'],
      indexFirst: true,
      plant: (_h, out, engine) => {
        plant(nodePath.join(out, 'file-keys.txt'), nodePath.join(engine, 'append-keys.jsonl'));
        plant(nodePath.join(out, 'new-keys-lock'), nodePath.join(engine, 'append-keys.jsonl.lock'));
      },
    },
    {
      name: 'verify-findings',
      commands: ['verify', 'repair'],
      indexFirst: true,
      plant: (_h, out, engine) => plant(nodePath.join(out, 'file-verify.txt'), nodePath.join(engine, 'verify.json')),
    },
    {
      name: 'rollout-marks',
      commands: ['revert', 'rollback', 'append', 'review'],
      indexFirst: true,
      plant: (home, out) => {
        plant(nodePath.join(out, 'new-mark-a'), `${rolloutOf(home, A)}.superseded`);
        plant(nodePath.join(out, 'file-mark.txt'), `${rolloutOf(home, B)}.superseded`);
      },
    },
    {
      name: 'rollout-locks',
      commands: ['append', 'revert', 'rollback', 'review', 'fork'],
      indexFirst: true,
      plant: (home, out) => {
        plant(nodePath.join(out, 'new-lock-a'), `${rolloutOf(home, A)}.lock`);
        plant(nodePath.join(out, 'file-lock.txt'), `${rolloutOf(home, B)}.lock`);
      },
    },
    {
      name: 'import-ledger',
      commands: ['import'],
      indexFirst: true,
      plant: (home, out) =>
        plant(nodePath.join(out, 'file-ledger.txt'), nodePath.join(home, 'external_agent_session_imports.json')),
    },
  ];

  for (const c of cases)
    it(`${c.name}: every command as root creates, changes and chmods nothing outside the home; refusals are typed`, async () =>
      void (await runCase(c)));

  // Codex's session_index.jsonl is rewritten by thread/delete in adapters/driven/jsonl/home/sessionIndex.ts (another part of issue 39).
  it('session_index.jsonl and a guessable temp name beside it: name and delete create, change and chmod nothing outside the home', async () => {
    await runCase({
      name: 'session-index',
      commands: ['name', 'delete', 'archive', 'unarchive'],
      indexFirst: true,
      plant: (home, out) => {
        fs.rmSync(nodePath.join(home, 'session_index.jsonl'));
        plant(nodePath.join(out, 'file-sessionIndex.txt'), nodePath.join(home, 'session_index.jsonl'));
        plant(nodePath.join(out, 'new-session-index-lock'), nodePath.join(home, 'session_index.jsonl.lock'));
        // The temp name thread/delete used (`session_index.jsonl.<pid>.tmp`), for the next pids this machine hands out.
        const last = Number(fs.readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
        for (let pid = last + 1; pid <= last + 200; pid++)
          plant(
            nodePath.join(out, `new-session-index-tmp-${pid}`),
            nodePath.join(home, `session_index.jsonl.${pid}.tmp`),
          );
      },
    });
  });

  it('serve, as root, over a home with a link at every engine file: each request answered, nothing outside created, changed or chmodded', async () => {
    figures.cases += 1;
    const home = nodePath.join(tmp(), 'serve', 'home');
    const { a } = makeHome(home);
    const engine = nodePath.join(home, '.rollout-engine');
    const first = await runCli(['index', '--codex-home', home, '--quiet']);
    expect(first.exitCode, first.stderr).to.equal(0);
    fs.rmSync(nodePath.join(engine, 'quarantine.jsonl'));
    // C's bad line again, in a new file: serve's catch-up quarantines it.
    writeRollout(
      home,
      rolloutName(C).replace('T14-00-00', 'T15-00-00'),
      `${chatThread('paginated', C.replace('f3', 'f4'), 1, 'd').text()}{"bad line\n`,
    );
    plant(nodePath.join(outside, 'file-quarantine.txt'), nodePath.join(engine, 'quarantine.jsonl'));
    plant(nodePath.join(outside, 'file-keys.txt'), nodePath.join(engine, 'append-keys.jsonl'));
    plant(nodePath.join(outside, 'new-serve-state'), nodePath.join(engine, 'thread-state.jsonl'));
    plant(nodePath.join(outside, 'new-serve-mark'), `${rolloutOf(home, A)}.superseded`);
    plant(nodePath.join(outside, 'new-serve-lock'), `${rolloutOf(home, B)}.lock`);
    chownTree(home, OWNER);
    const before = scan(outside);
    const server = await serveOverStdio(home);
    const ask = async (method: string, params: unknown): Promise<RpcAnswer> => {
      figures.serveRequests += 1;
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<RpcAnswer>((resolve) => {
        timer = setTimeout(() => resolve({ error: { code: -2, message: `${method}: no answer in 30 s` } }), 30_000);
      });
      const answer = await Promise.race([server.request(method, params), hung]);
      clearTimeout(timer);
      if ('error' in answer && answer.error.code === -2) figures.hangs += 1;
      if ('error' in answer && answer.error.code === -1) figures.crashes += 1;
      return answer;
    };
    try {
      await ask('initialize', { clientInfo: { name: 'links', version: '1' }, capabilities: { experimentalApi: true } });
      server.notify('initialized');
      const next = new RolloutWriter('paginated', A, { startOrdinal: a.nextOrdinal(), startMs: a.nowMs() + 1000 });
      const answers = [
        await ask('thread/list', {}),
        await ask('thread/read', { threadId: A, includeTurns: true }),
        await ask('rollout/append', {
          threadId: A,
          lines: next.chatTurn('t4', 'q4', 'a4').lines,
          expectedOrdinal: a.nextOrdinal(),
          idempotencyKey: 'k-serve',
        }),
        await ask('thread/metadata/update', { threadId: A, gitInfo: { branch: 'main' } }),
        await ask('thread/revert', { threadId: A, beforeTurnId: 't3' }),
        await ask('thread/rollback', { threadId: B, numTurns: 1 }),
        await ask('thread/fork', { threadId: A }),
        await ask('thread/name/set', { threadId: B, name: 'served' }),
        await ask('thread/archive', { threadId: B }),
        await ask('thread/readState/update', { threadId: A, read: true, expectedRevision: 0 }),
      ];
      // Every answer a result or a JSON-RPC error (never a dead server).
      for (const r of answers)
        expect(
          'result' in r || ('error' in r && r.error.code !== -1 && r.error.code !== -2),
          JSON.stringify(r),
        ).to.equal(true);
      figures.refusals += answers.filter(
        (r) => 'error' in r && /ELOOP|symbolic link|not a regular file/.test(r.error.message),
      ).length;
    } finally {
      await server.close();
    }
    const changed = differences(before, scan(outside));
    figures.outsideChanges += changed.length;
    expect(changed, 'serve: outside the home').to.deep.equal([]);
  });

  it('under umask 000, everything the engine creates has its documented mode: files 0600, folders 0700', async () => {
    const home = nodePath.join(tmp(), 'umask', 'home');
    const { a } = makeHome(home);
    const lines = nodePath.join(inputs, 'umask-lines.jsonl');
    const next = new RolloutWriter('paginated', A, { startOrdinal: a.nextOrdinal(), startMs: a.nowMs() + 1000 });
    fs.writeFileSync(lines, next.chatTurn('t4', 'question 4', 'answer 4').text());
    const steps: string[][] = [
      ['index'],
      ['metadata', A, '--git-branch', 'main'],
      [
        'append',
        A,
        '--lines-file',
        lines,
        '--expected-ordinal',
        String(a.nextOrdinal()),
        '--idempotency-key',
        'k-umask',
      ],
      ['revert', A, '--before-turn-id', 't3'],
      ['verify'],
    ];
    for (const s of steps) {
      const r = await runCli([...s, '--codex-home', home, '--json', '--quiet'], true);
      figures.commands += 1;
      expect([EXIT.ok, EXIT.differences], `${s.join(' ')}: ${r.stderr}`).to.include(r.exitCode);
    }
    const engine = nodePath.join(home, '.rollout-engine');
    // The revision file revert made: the superseded mark names it (relative to the rollout's folder).
    const mark = `${rolloutOf(home, A)}.superseded`;
    const revision = nodePath.resolve(nodePath.dirname(mark), fs.readFileSync(mark, 'utf8').trim());
    const expected: Array<readonly [string, string]> = [
      [engine, '700'],
      [nodePath.join(engine, 'index'), '700'],
      [nodePath.join(engine, 'index', 'data.mdb'), '600'],
      [nodePath.join(engine, 'index', 'lock.mdb'), '600'],
      [nodePath.join(engine, 'quarantine.jsonl'), '600'],
      [nodePath.join(engine, 'thread-state.jsonl'), '600'],
      [nodePath.join(engine, 'append-keys.jsonl'), '600'],
      [nodePath.join(engine, 'verify.json'), '600'],
      [`${rolloutOf(home, A)}.superseded`, '600'],
      [revision, '600'],
      [nodePath.dirname(revision), '700'],
    ];
    const found = expected.map(([p]) => [p, (fs.statSync(p).mode & 0o777).toString(8)] as const);
    figures.modeChecks += expected.length;
    figures.wrongModes += found.filter(([, m], i) => m !== expected[i]![1]).length;
    expect(found).to.deep.equal(expected);
  });
});
