/**
 * The least a Node process spends to read what a token report needs, run by the tokens bench
 * (`tokens --vs ccusage`) in its own process: every rollout of the home read with the token pass's
 * own scanner (adapters/jsonl/tokenLines.ts: the lines the token fold reads, the others passed over
 * by their first bytes) and each of those lines given to JSON.parse. Nothing else: no codec, no
 * fold, no index, no report. Its time beside a fresh `tokens` run is what the fold, the index
 * writes and the report add; beside ccusage, what any Node reader of these lines starts from.
 *   node dist/bench/tokenLinesFloor.js <home>
 * Prints one JSON line: {files, lines, bytes, seconds} (seconds in-process, after start-up).
 */
import * as E from 'fp-ts/lib/Either.js';
import { discoverRolloutFiles } from '../adapters/jsonl/discover.js';
import { TokenLineBuffer, TokenLines } from '../adapters/jsonl/tokenLines.js';
import { renderError } from '../domain/errors.js';

const home = process.argv[2];
if (home === undefined) {
  process.stderr.write('usage: tokenLinesFloor <home>\n');
  process.exit(2);
}

const t0 = process.hrtime.bigint();
const files = await discoverRolloutFiles(home)();
if (E.isLeft(files)) {
  process.stderr.write(`tokenLinesFloor: ${renderError(files.left)}\n`);
  process.exit(1);
}
const buffer = new TokenLineBuffer();
let lines = 0;
let bytes = 0;
for (const f of files.right) {
  // Every needed line as text, none read by its fields: the floor of a reader that parses them.
  const tail = new TokenLines(f.path, { ordinal: 0, byteOffset: 0 }, buffer, false);
  try {
    while (
      tail.next((l) => {
        // Parsed and dropped, as a reader that keeps only a few numbers of each line would.
        if (l.text !== null && JSON.parse(l.text) !== null) lines += 1;
        bytes += l.byteLength;
      })
    );
  } finally {
    tail.close();
  }
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(`${JSON.stringify({ files: files.right.length, lines, bytes, seconds })}\n`);
