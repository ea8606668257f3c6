import { command, ONE_THREAD } from '../commandSpec.js';
import { argument, numberOption, option } from '../optionTable.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';

/** The lines of a file (or stdin), without the newline that ends the last one. */
const readLines = async (file: string): Promise<string[]> => {
  let text: string;
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } else text = await (await import('node:fs/promises')).readFile(file, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
};

export const appendCommand = command({
  name: 'append',
  description:
    'append rollout lines to a thread (`rollout/append`): at its expected end, indexed before the answer; a retried key writes nothing twice',
  arguments: [argument('<threadId>', 'thread to append to', { param: 'threadId' })],
  options: {
    linesFile: option('--lines-file <file>', 'the rollout lines, one JSON line each (`-`: stdin)', { required: true }),
    expectedOrdinal: option('--expected-ordinal <n>', 'the ordinal the first line gets: the thread end as last seen', {
      required: true,
      param: 'expectedOrdinal',
      toParam: numberOption,
    }),
    idempotencyKey: option(
      '--idempotency-key <key>',
      'names this append: a retry with the same key answers the first result',
      {
        required: true,
        param: 'idempotencyKey',
      },
    ),
    ...METHOD_VIEW_OPTIONS,
  },
  // The lines are read before the request is decoded: a file that cannot be read is refused first.
  params: async ({ args: [threadId], opts, request }) => {
    let lines: string[];
    try {
      lines = await readLines(opts.linesFile);
    } catch (err) {
      return (await import('../../../driven/fs/fsError.js')).toEngineError(opts.linesFile, 'read')(err);
    }
    return {
      method: (await import('../../../../protocol/historyWrites.js')).rolloutAppendMethod,
      request: {
        threadId,
        lines,
        expectedOrdinal: request['expectedOrdinal'],
        idempotencyKey: request['idempotencyKey'],
      },
      optionOf: { lines: '--lines-file' },
    };
  },
  onHome: {
    use: async ({ params: p }) => {
      const { appendThreadLines } = await import('../../../../replay/mutations/appendLines.js');
      return (home) => appendThreadLines(home.mutations, p);
    },
    render:
      ({ params: p }) =>
      (v) =>
        `appended ${v.lines} lines to ${p.threadId} at ordinal ${v.firstOrdinal}: next ordinal ${v.ordinal}, byte ${v.byteOffset}\n  ${v.path}`,
    open: ONE_THREAD,
  },
});
