/**
 * A reader process for the rebuild-and-swap test: opens the index as it is (no migration) and, for
 * each `read` line on stdin, reads one thread row and answers one line, `{"ok":…}` (`true` when the
 * row was there, else what went wrong). It reads when asked, so the test decides at which step of
 * the rebuild each read lands (hold points), not a timer.
 * Usage: node readerWorker.js <indexDir> <threadId>; prints "ready"; `exit` ends it.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as readline from 'node:readline';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';

const [dir, threadId] = process.argv.slice(2);
const opened = await openLmdbIndex(dir!)();
if (E.isLeft(opened)) {
  process.stdout.write(`error ${JSON.stringify(opened.left)}\n`);
  process.exit(1);
}
const store = opened.right;
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (command) => {
  if (command === 'exit') process.exit(0);
  void store
    .get('threads', [threadId!])()
    .then((r) =>
      process.stdout.write(
        `${JSON.stringify(E.isLeft(r) ? { ok: false, failed: r.left } : r.right === undefined ? { ok: false, missing: true } : { ok: true })}\n`,
      ),
    );
});
process.stdout.write('ready\n');
