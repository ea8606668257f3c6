/**
 * A reader process for the rebuild-and-swap test: opens the index as it is (no migration) and
 * reads one thread row every few milliseconds until told to report on stdin.
 * Usage: node readerWorker.js <indexDir> <threadId>; prints "ready", then on any stdin line
 * {ok, failed, missing, times} (read counts and the times of the good reads).
 */
import * as E from 'fp-ts/lib/Either.js';
import { openLmdbIndex } from '../../adapters/lmdb/indexStore.js';

const [dir, threadId] = process.argv.slice(2);
const opened = await openLmdbIndex(dir!)();
if (E.isLeft(opened)) {
  process.stdout.write(`error ${JSON.stringify(opened.left)}\n`);
  process.exit(1);
}
const store = opened.right;
const stats = { ok: 0, failed: 0, missing: 0, times: [] as number[] };
const timer = setInterval(async () => {
  const r = await store.get('threads', [threadId!])();
  if (E.isLeft(r)) stats.failed += 1;
  else if (r.right === undefined) stats.missing += 1;
  else {
    stats.ok += 1;
    stats.times.push(Date.now());
  }
}, 3);
process.stdin.once('data', () => {
  clearInterval(timer);
  process.stdout.write(`${JSON.stringify(stats)}\n`);
  process.exit(0);
});
process.stdout.write('ready\n');
