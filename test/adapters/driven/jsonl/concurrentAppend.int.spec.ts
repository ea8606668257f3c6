import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { appendEvents } from '../../../../adapters/driven/jsonl/writers/writer.js';
import { readLog } from '../../../../adapters/driven/jsonl/readers/reader.js';
import type { AppendWorkerResult } from './appendWorker.js';
import { useTempDir } from '../../../fixtures/tempDir.js';

const WORKER = fileURLToPath(new URL('./appendWorker.js', import.meta.url));
const LINES_PER_WORKER = 5_000;

interface RunningWorker {
  readonly done: Promise<number>;
  readonly ready: Promise<void>;
  readonly go: () => void;
  readonly stderr: () => string;
}

const startWorker = (file: string, id: string, seed: number, resultFile: string): RunningWorker => {
  const child = spawn(
    process.execPath,
    [WORKER, file, id, String(LINES_PER_WORKER), String(seed), resultFile, 'always'],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`worker ${id} exited (${code}) before ready: ${err}`)));
  });
  const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { ready, done, go: () => child.stdin.write('go\n'), stderr: () => err };
};

describe('jsonl writer: two OS processes appending to one thread file', function () {
  this.timeout(120_000);
  const dirOf = useTempDir('jsonl-concurrent-');

  it('keeps every acknowledged line exactly once, no lost attempt, no torn or interleaved line, dense ordinals', async () => {
    const file = nodePath.join(
      dirOf(),
      'sessions',
      '2026',
      '11',
      '21',
      'rollout-2026-11-21T14-31-14-01a1fe84-bdb0-7260-b7c8-794e23279a06.jsonl',
    );
    const created = await appendEvents(
      file,
      [
        {
          timestamp: new Date().toISOString(),
          type: 'session_meta',
          payload: { id: 'thread', history_mode: 'paginated' },
        },
      ],
      'noStream',
      { historyMode: 'paginated' },
    )();
    expect(E.isRight(created)).to.equal(true);

    const started = Date.now();
    const resultFiles = [nodePath.join(dirOf(), 'w1.json'), nodePath.join(dirOf(), 'w2.json')];
    const workers = [startWorker(file, 'w1', 11, resultFiles[0]!), startWorker(file, 'w2', 22, resultFiles[1]!)];
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const codes = await Promise.all(workers.map((w) => w.done));
    expect(codes, workers.map((w) => w.stderr()).join('\n')).to.deep.equal([0, 0]);
    const results = await Promise.all(
      resultFiles.map(async (f) => JSON.parse(await fs.readFile(f, 'utf8')) as AppendWorkerResult),
    );
    const elapsed = Date.now() - started;

    // Every line is complete, valid JSON, a rollout envelope; nothing quarantined.
    const ids: string[] = [];
    const ordinals: number[] = [];
    const bytes = await fs.readFile(file);
    let lines = 0;
    for await (const entry of readLog(file)) {
      expect(entry.kind, JSON.stringify(entry).slice(0, 300)).to.equal('line');
      if (entry.kind !== 'line') continue;
      lines += 1;
      expect(
        bytes.subarray(entry.line.byteOffset, entry.line.byteOffset + entry.line.byteLength).toString('utf8'),
      ).to.equal(entry.line.text);
      const parsed = JSON.parse(entry.line.text) as { ordinal: number; payload: { type: string; id: string } };
      ordinals.push(parsed.ordinal);
      if (parsed.payload.type === 'test_line') ids.push(parsed.payload.id);
    }
    expect(bytes[bytes.length - 1]).to.equal(0x0a);
    expect(lines).to.equal(1 + 2 * LINES_PER_WORKER);
    expect(ordinals).to.deep.equal(ordinals.map((_, i) => i));

    const acked = results.flatMap((r) => r.acked);
    expect(acked.length).to.equal(2 * LINES_PER_WORKER);
    expect(new Set(ids).size, 'no id twice').to.equal(ids.length);
    expect([...ids].sort()).to.deep.equal([...acked].sort()); // acknowledged = present; nothing else present

    const conflicts = results.reduce((n, r) => n + r.conflicts, 0);
    const attempts = results.reduce((n, r) => n + r.attempts, 0);
    const timeouts = results.reduce((n, r) => n + r.timeouts, 0);
    console.log(
      `      concurrent append: ${acked.length} lines in ${attempts} attempts, ${conflicts} conflicts, ` +
        `${timeouts} lock timeouts, ${elapsed} ms (workers: ${results.map((r) => `${r.worker} ${r.ms} ms`).join(', ')})`,
    );
    expect(conflicts).to.be.greaterThan(0);
  });
});
