// Issue 21, "quarantine that tells the truth": a line cut in half in the middle of a rollout lost a
// turn's agent message and nothing said so. Counts are the home's totals, quarantine.jsonl holds
// each bad line once with an editor's (1-based) line number, reads of the thread warn (stderr in
// the CLI, a notification Codex clients ignore over JSON-RPC), verify counts them. A torn last
// line (an append in flight) is not quarantined while it may still be completed.
import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { collectingQuarantineSink } from '../../adapters/driven/jsonl/writers/quarantine.js';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import { newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { CLI } from '../fixtures/cliBundle.js';
import { stderrJson } from '../fixtures/stderrJson.js';

const run = promisify(execFile);

interface Cut {
  readonly threadId: string;
  readonly path: string;
  /** 1-based, as an editor (or `sed -n Np`) counts. */
  readonly lineNumber: number;
  readonly text: string;
}

/** A thread of three turns whose second agent message line was cut in half (the rest of it lost). */
const writeCutThread = async (home: string, seed: number): Promise<Cut> => {
  const t = newThread(seed);
  const lines = threadLines(t, 3);
  const i = lines.findIndex((l, k) => k > 12 && l.includes('AgentMessage'));
  lines[i] = lines[i]!.slice(0, Math.floor(lines[i]!.length / 2));
  const path = nodePath.join(home, rolloutRelPath(t.threadId));
  await fs.mkdir(nodePath.dirname(path), { recursive: true });
  await fs.writeFile(path, lines.map((l) => l + '\n').join(''));
  return { threadId: t.threadId, path, lineNumber: i + 1, text: lines[i]! };
};

const writeThread = async (home: string, seed: number): Promise<string> => {
  const t = newThread(seed);
  const path = nodePath.join(home, rolloutRelPath(t.threadId));
  await fs.mkdir(nodePath.dirname(path), { recursive: true });
  await fs.writeFile(
    path,
    threadLines(t, 2)
      .map((l) => l + '\n')
      .join(''),
  );
  return t.threadId;
};

const cli = async (...args: string[]): Promise<{ stdout: string; stderr: string }> => run('node', [CLI, ...args]);

const quarantineEntries = async (home: string): Promise<Array<Record<string, unknown>>> =>
  (await fs.readFile(nodePath.join(home, '.rollout-engine', 'quarantine.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('quarantine tells the truth: totals, one entry per line numbered from 1, warnings on reads', function () {
  this.timeout(120_000);
  let home: string;
  let cut: Cut;
  let clean: string;

  beforeEach(async () => {
    home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-qt-'));
    cut = await writeCutThread(home, 61);
    clean = await writeThread(home, 62);
  });
  afterEach(() => fs.rm(home, { recursive: true, force: true }));

  it('index reports the quarantined lines of the home on every run, and those this run found, labelled', async () => {
    const first = JSON.parse((await cli('index', '--codex-home', home, '--json')).stdout) as Record<string, unknown>;
    expect(first).to.deep.include({ quarantined: 1, quarantinedFiles: 1, quarantinedThisRun: 1 });
    const again = JSON.parse((await cli('index', '--codex-home', home, '--json')).stdout) as Record<string, unknown>;
    expect(again).to.deep.include({ quarantined: 1, quarantinedFiles: 1, quarantinedThisRun: 0 });
    const human = (await cli('index', '--codex-home', home)).stdout;
    expect(human).to.match(/1 quarantined line in 1 file \(0 found by this run; see .*quarantine\.jsonl\)/);
  });

  it('quarantine.jsonl holds the bad line once, with its 1-based line number, after catch-ups, two rebuilds and a repair', async () => {
    await cli('index', '--codex-home', home);
    await cli('index', '--codex-home', home);
    await cli('index', '--codex-home', home, '--rebuild');
    await cli('index', '--codex-home', home, '--rebuild');
    await cli('repair', '--codex-home', home);
    const entries = await quarantineEntries(home);
    expect(entries).to.have.length(1);
    const e = entries[0]!;
    expect(e).to.deep.include({ path: cut.path, lineNumber: cut.lineNumber, text: cut.text });
    expect(e).to.not.have.property('ordinal');
    expect(e['message']).to.include(`line ${cut.lineNumber} `);
    // `sed -n <lineNumber>p` shows the line the entry names.
    const fileLines = (await fs.readFile(cut.path, 'utf8')).split('\n');
    expect(fileLines[(e['lineNumber'] as number) - 1]).to.equal(cut.text);
    const bytes = await fs.readFile(cut.path);
    expect(
      bytes
        .subarray(e['byteOffset'] as number, (e['byteOffset'] as number) + (e['byteLength'] as number))
        .toString('utf8'),
    ).to.equal(cut.text);
  });

  it('reads of the thread warn on stderr (count, file and line, where to look), the answer unchanged; a clean thread reads silently', async () => {
    await cli('index', '--codex-home', home);
    for (const args of [
      ['turns', cut.threadId, '--view', 'full'],
      ['read', cut.threadId],
      ['items', cut.threadId],
    ]) {
      const r = await cli(...args, '--codex-home', home);
      expect(r.stderr, args.join(' ')).to.include('warning').and.to.include('1 quarantined line');
      expect(r.stderr).to.include(nodePath.join(home, '.rollout-engine', 'quarantine.jsonl'));
      expect(r.stderr).to.include(`${cut.path}:${cut.lineNumber}`);
      expect(r.stdout).to.not.include('quarantine');
    }
    const json = await cli('turns', cut.threadId, '--view', 'full', '--json', '--codex-home', home);
    const page = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(page).sort()).to.deep.equal(['backwardsCursor', 'data', 'nextCursor']);
    const warning = stderrJson(json.stderr) as { warning: Record<string, unknown> };
    expect(warning.warning).to.deep.include({ kind: 'quarantinedLines', threadId: cut.threadId, lines: 1 });
    expect(warning.warning['files']).to.deep.equal([{ path: cut.path, lines: 1, lineNumbers: [cut.lineNumber] }]);
    expect((await cli('turns', clean, '--view', 'full', '--codex-home', home)).stderr).to.equal('');
  });

  it('serve notifies rolloutEngine/quarantinedLines with reads of the thread (answers as Codex gives them), nothing for a clean thread', async () => {
    const server = await initializedServe(home);
    try {
      for (const [method, params] of [
        ['thread/turns/list', { threadId: cut.threadId, itemsView: 'full' }],
        ['thread/read', { threadId: cut.threadId, includeTurns: true }],
        ['thread/items/list', { threadId: cut.threadId }],
      ] as const) {
        const before = server.notifications.length;
        const answer = await server.request(method, params);
        expect(answer, method).to.have.property('result');
        expect(JSON.stringify(answer)).to.not.include('quarantine');
        const notes = server.notifications.slice(before).filter((n) => n.method === 'rolloutEngine/quarantinedLines');
        expect(notes, method).to.have.length(1);
        expect(notes[0]!.params).to.deep.equal({
          threadId: cut.threadId,
          quarantinedLines: 1,
          files: [{ path: cut.path, quarantinedLines: 1 }],
        });
      }
      const before = server.notifications.length;
      await server.request('thread/turns/list', { threadId: clean });
      await server.settle();
      expect(server.notifications.slice(before).map((n) => n.method)).to.not.include('rolloutEngine/quarantinedLines');
    } finally {
      await server.close();
    }
  });

  it('verify counts the quarantined lines beside its differences', async () => {
    await cli('index', '--codex-home', home);
    const human = (await cli('verify', '--codex-home', home)).stdout;
    expect(human)
      .to.match(/ 0 differences/)
      .and.to.match(/1 quarantined line in 1 file/);
    const json = JSON.parse((await cli('verify', '--codex-home', home, '--json')).stdout) as Record<string, unknown>;
    expect(json).to.deep.include({ differences: 0, quarantined: { lines: 1, files: 1 } });
  });
});

describe('quarantine and a torn last line', function () {
  this.timeout(120_000);

  it('a torn last line is not quarantined while it may be completed (it is indexed once it is); a bad line in the middle is', async () => {
    const home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-qtorn-'));
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-qtorn-'));
    const store = right(await openLmdbIndex(dir)());
    try {
      const t = newThread(63);
      const lines = threadLines(t, 2);
      const last = lines.pop()!; // task_complete of the second turn
      lines.splice(5, 0, '{"timestamp":"2026-11-21T14:00:05.000Z","type":"event_msg","payload":{"type":"agent_mes');
      const path = nodePath.join(home, rolloutRelPath(t.threadId));
      await fs.mkdir(nodePath.dirname(path), { recursive: true });
      const half = Math.floor(last.length / 2);
      await fs.writeFile(path, lines.map((l) => l + '\n').join('') + last.slice(0, half));
      const sink = collectingQuarantineSink();
      right(await catchUpHome(store, home, { quarantine: sink })());
      expect(sink.records.map((r) => r.ordinal)).to.deep.equal([5]);
      expect(right(await store.get('rollouts', [t.threadId])())!.invalidLines).to.equal(1);
      expect(right(await store.range('turns', [t.threadId])()).map((r) => r.value.status)).to.deep.equal([
        'completed',
        'inProgress',
      ]);
      // The writer finishes the line: it is indexed, not quarantined.
      await fs.appendFile(path, last.slice(half) + '\n');
      right(await catchUpHome(store, home, { quarantine: sink })());
      expect(sink.records).to.have.length(1);
      expect(right(await store.range('turns', [t.threadId])()).map((r) => r.value.status)).to.deep.equal([
        'completed',
        'completed',
      ]);
    } finally {
      right(await store.close()());
      await fs.rm(home, { recursive: true, force: true });
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
