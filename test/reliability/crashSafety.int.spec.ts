// Crash safety: a child process mutates a home (appends through the engine's writer, forks,
// rollbacks, inline reviews; legacy and paginated) and acknowledges each mutation once durable;
// the parent SIGKILLs it at a random moment. After each kill: every acknowledged byte is there,
// each acknowledged line exactly once; no torn line is left unquarantined; no lock left blocks
// the next writer beyond its documented expiry; the index answers as the whole-file fold.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as readline from 'node:readline';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { acquireLock, LOCK_DEFAULTS, releaseLock } from '../../adapters/fs/lockFile.js';
import { quarantineFileOf } from '../../adapters/jsonl/quarantine.js';
import { readThread } from '../../replay/readThread.js';
import { jsonlRolloutStore } from '../oracle/rolloutStore.js';
import { readThreadByFold } from '../oracle/wholeFileFold.js';
import { streamedText } from '../fixtures/streamedText.js';
import { openMutationHome } from '../replay/mutationHome.js';
import type { CrashAck } from './crashHome.js';
import { CRASH_THREADS, writeCrashHome } from './crashHome.js';
import { reportArea } from './areaSummary.js';

const TRIALS = Number(process.env['CRASH_TRIALS'] ?? 100);
const CHILD = fileURLToPath(new URL('./crashChild.js', import.meta.url));

interface Trial {
  readonly acks: CrashAck[];
  readonly signal: string | null;
  readonly stderr: string;
}

/** Run the child and SIGKILL it `killAfterMs` after it is ready (or, when `duringOpen`, that long after it started). */
const runAndKill = (home: string, seed: number, killAfterMs: number, duringOpen: boolean): Promise<Trial> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, home, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: CrashAck[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const kill = () => setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    if (duringOpen) kill();
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') {
        if (!duringOpen) kill();
      } else acks.push(JSON.parse(line) as CrashAck);
    });
    child.on('close', (_code, signal) => resolve({ acks, signal, stderr }));
  });

const rolloutFilesOf = (home: string): string[] =>
  fs
    .readdirSync(nodePath.join(home, 'sessions'), { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.jsonl'))
    .map((p) => nodePath.join(home, 'sessions', p));

describe('reliability · crash safety: a writer SIGKILLed at random moments', function () {
  this.timeout(280_000);
  let home: string;
  const figures = { trials: 0, crashes: 0, acknowledgedLines: 0, lostLines: 0, duplicatedLines: 0, unquarantinedTornLines: 0, blockingLocks: 0, indexNotFold: 0 };

  before(() => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-crash-'));
    writeCrashHome(home);
  });
  after(() => {
    fs.rmSync(home, { recursive: true, force: true });
    reportArea('crash safety (SIGKILL during appends, forks, rollbacks, reviews)', figures);
  });

  it(`${TRIALS} trials: acknowledged lines kept exactly once, no torn line unquarantined, no blocking lock, index == fresh fold`, async () => {
    const problems: string[] = [];
    let rng = 0x9e3779b9;
    const random = (): number => {
      rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
      return rng / 2 ** 32;
    };
    for (let trial = 0; trial < TRIALS; trial++) {
      const duringOpen = random() < 0.1;
      const t = await runAndKill(home, trial + 1, Math.floor(random() * (duringOpen ? 600 : 300)), duringOpen);
      figures.trials++;
      if (t.signal === 'SIGKILL') figures.crashes++;
      else problems.push(`trial ${trial}: the child ended on its own (${t.signal}): ${t.stderr.slice(-500)}`);

      // Every acknowledged byte range is in its file; each of its lines once in that file.
      const texts = new Map<string, string>();
      for (const a of t.acks) {
        const text = texts.get(a.path) ?? fs.readFileSync(a.path, 'latin1');
        texts.set(a.path, text);
        const bytes = Buffer.from(text.slice(a.from, a.to), 'latin1');
        const lines = bytes.toString('latin1').split('\n').slice(0, -1);
        figures.acknowledgedLines += lines.length;
        if (createHash('sha256').update(bytes).digest('hex') !== a.sha256) {
          figures.lostLines += lines.length;
          problems.push(`trial ${trial}: ${a.op} bytes ${a.from}..${a.to} of ${a.path} changed or lost`);
          continue;
        }
        // Copies (a legacy fork) may repeat lines; an appended block (turn, review, marker) is unique as a whole.
        if (a.from > 0) {
          const block = bytes.toString('latin1');
          if (text.indexOf(block) !== text.lastIndexOf(block)) {
            figures.duplicatedLines += lines.length;
            problems.push(`trial ${trial}: the ${a.op} block at ${a.from} occurs twice in ${a.path}`);
          }
        }
      }

      // A file ends with a newline, or its torn tail is in the quarantine file.
      const quarantined = fs.existsSync(quarantineFileOf(nodePath.join(home, '.rollout-engine')))
        ? fs.readFileSync(quarantineFileOf(nodePath.join(home, '.rollout-engine')), 'utf8')
        : '';
      for (const f of rolloutFilesOf(home)) {
        const text = fs.readFileSync(f, 'utf8');
        if (text.length > 0 && !text.endsWith('\n')) {
          const tail = text.slice(text.lastIndexOf('\n') + 1);
          if (!quarantined.includes(JSON.stringify(tail).slice(1, -1))) {
            figures.unquarantinedTornLines++;
            problems.push(`trial ${trial}: torn tail of ${f} not quarantined`);
          }
        }
      }

      // A lock the killed writer left gives way within its documented expiry.
      const bound = Math.max(LOCK_DEFAULTS.unreadableStaleMs, 0) + 1_000;
      for (const lock of fs.readdirSync(home, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.lock'))) {
        const started = Date.now();
        try {
          await releaseLock(await acquireLock(nodePath.join(home, lock), { waitMs: bound }));
        } catch (err) {
          figures.blockingLocks++;
          problems.push(`trial ${trial}: ${lock} still blocks after ${Date.now() - started} ms: ${String(err)}`);
        }
      }

      // The index (caught up by a read) answers each touched thread as the whole-file fold.
      const touched = new Set<string>([CRASH_THREADS.legacy, CRASH_THREADS.paginated, ...t.acks.filter((a) => a.op === 'fork').map((a) => a.thread)]);
      const opened = await openMutationHome(home);
      try {
        for (const id of touched) {
          const ours = await readThread(opened.ports, id, true)();
          const theirs = await readThreadByFold(jsonlRolloutStore(home), id, true)();
          const same = E.isRight(ours) && E.isRight(theirs) && (await streamedText(ours.right.thread)) === JSON.stringify(theirs.right);
          if (!same) {
            if (E.isRight(ours) && E.isRight(theirs)) {
              const x = await streamedText(ours.right.thread);
              const y = JSON.stringify(theirs.right);
              let i = 0;
              while (i < x.length && x[i] === y[i]) i++;
              problems.push(`ours ${x.slice(Math.max(0, i - 200), i + 200)}\ntheirs ${y.slice(Math.max(0, i - 200), i + 200)}`);
            }
            figures.indexNotFold++;
            problems.push(
              `trial ${trial}: thread ${id}: index answer differs from the fold (${E.isLeft(ours) ? JSON.stringify(ours.left) : E.isLeft(theirs) ? JSON.stringify(theirs.left) : 'content'})`,
            );
          }
        }
      } finally {
        await opened.close();
      }
    }
    expect(problems, problems.slice(0, 8).join('\n')).to.deep.equal([]);
    expect(figures.crashes).to.equal(TRIALS);
  });
});
