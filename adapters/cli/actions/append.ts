import * as fs from 'node:fs/promises';
import { appendThreadLines } from '../../../replay/appendLines.js';
import { RolloutAppendParams } from '../../../protocol/history.js';
import { toEngineError } from '../../fs/fsError.js';
import { decodeRequest, numberOption, withRequest } from '../decodeOptions.js';
import { reportError } from '../exitCodes.js';
import type { HomeOptions } from '../homeOptions.js';
import { ONE_THREAD, runOnHome } from '../runOnHome.js';

/** The lines of a file (or stdin), without the newline that ends the last one. */
const readLines = async (file: string): Promise<string[]> => {
  let text: string;
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } else text = await fs.readFile(file, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
};

/** What `rollout-engine append` does (loaded by its action only). */
export const action = async (threadId: string, opts: HomeOptions & { linesFile: string; expectedOrdinal: string; idempotencyKey: string }) => {
  let lines: string[];
  try {
    lines = await readLines(opts.linesFile);
  } catch (err) {
    return reportError(toEngineError(opts.linesFile, 'read')(err), opts.json);
  }
  return withRequest(
    opts,
    decodeRequest(
      RolloutAppendParams,
      { threadId, lines, expectedOrdinal: numberOption(opts.expectedOrdinal), idempotencyKey: opts.idempotencyKey },
      { threadId: '<threadId>', lines: '--lines-file', expectedOrdinal: '--expected-ordinal', idempotencyKey: '--idempotency-key' },
    ),
    (p) =>
      runOnHome(
        opts,
        (home) => appendThreadLines(home.mutations, p),
        (v) => `appended ${v.lines} lines to ${p.threadId} at ordinal ${v.firstOrdinal}: next ordinal ${v.ordinal}, byte ${v.byteOffset}\n  ${v.path}`,
        ONE_THREAD,
      ),
  );
};
