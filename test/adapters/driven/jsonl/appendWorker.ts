/**
 * A separate OS process appending to one rollout file, for the concurrent-append test.
 * argv: <file> <workerId> <lines> <seed> <resultFile> <fsync: always|never>
 * Prints "ready", waits for "go" on stdin, then appends single lines or small batches with
 * expected = its last known end, re-reading the end after each Conflict. Writes a JSON result
 * (acknowledged line ids, counts) to <resultFile> and prints "done".
 */
import * as fs from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type { LogPosition } from '../../../../domain/errors.js';
import { renderError } from '../../../../domain/errors.js';
import { endFrom } from '../../../../adapters/driven/jsonl/lines/endPosition.js';
import { appendEvents } from '../../../../adapters/driven/jsonl/writers/writer.js';
import { seededRandom } from '../../../fixtures/seededRandom.js';

export interface AppendWorkerResult {
  readonly worker: string;
  readonly acked: string[];
  readonly attempts: number;
  readonly conflicts: number;
  readonly timeouts: number;
  readonly ms: number;
}

const [file, worker, linesArg, seedArg, resultFile, fsyncArg] = process.argv.slice(2);
if (file === undefined || worker === undefined || resultFile === undefined) {
  process.stderr.write('usage: appendWorker <file> <workerId> <lines> <seed> <resultFile> <fsync>\n');
  process.exit(2);
}
const total = Number(linesArg ?? '5000');
const fsync = fsyncArg === 'never' ? 'never' : 'always';

/** Seeded, so a failing run can be replayed. */
const random = seededRandom(Number(seedArg ?? '1'));

const waitForGo = (): Promise<void> =>
  new Promise((resolve) => {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => {
      if (d.includes('go')) resolve();
    });
  });

const currentEnd = async (known?: LogPosition): Promise<LogPosition> => {
  const e = await endFrom(file, known)();
  if (E.isLeft(e)) throw new Error(renderError(e.left));
  if (e.right === 'noStream') throw new Error(`${file} does not exist`);
  return e.right;
};

const main = async (): Promise<void> => {
  process.stdout.write('ready\n');
  await waitForGo();
  const started = Date.now();
  const acked: string[] = [];
  let attempts = 0;
  let conflicts = 0;
  let timeouts = 0;
  let expected = await currentEnd();
  while (acked.length < total) {
    attempts += 1;
    const n = Math.min(1 + Math.floor(random() * 4), total - acked.length);
    // Ids are unique per attempt: a lost attempt's ids must never show up in the file.
    const ids = Array.from({ length: n }, (_, k) => `${worker}-a${attempts}-l${k}`);
    const events = ids.map((id) => ({
      timestamp: new Date().toISOString(),
      type: 'event_msg',
      payload: { type: 'test_line', id, text: 'é✓𝄞'.repeat(Math.floor(random() * 40)) },
    }));
    const r = await appendEvents(file, events, expected, { historyMode: 'paginated', fsync })();
    if (E.isRight(r)) {
      acked.push(...ids);
      expected = r.right.next;
    } else if (r.left._tag === 'Conflict') {
      conflicts += 1;
      expected = await currentEnd(expected);
    } else if (r.left._tag === 'Timeout') {
      timeouts += 1;
      expected = await currentEnd(expected);
    } else {
      throw new Error(`unexpected append error: ${renderError(r.left)}`);
    }
  }
  const result: AppendWorkerResult = { worker, acked, attempts, conflicts, timeouts, ms: Date.now() - started };
  await fs.writeFile(resultFile, JSON.stringify(result));
  process.stdout.write('done\n');
  process.stdin.pause();
};

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
