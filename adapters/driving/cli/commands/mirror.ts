import type { MirrorSummary } from '../../../driven/eventstore/mirrorHome.js';
import { command } from '../commandSpec.js';
import { option } from '../optionTable.js';

const summaryText = (s: MirrorSummary): string =>
  [
    `mirrored ${s.files} files: ${s.linesWritten} lines (${(s.bytesWritten / 1048576).toFixed(1)} MB) written to ${s.filesChanged} streams, the rest already there; ${s.factsWritten} home facts (places, marks, names, thread state) written`,
    ...(s.skippedStateLines > 0
      ? [
          `  ${s.skippedStateLines} lines of session_index.jsonl or the thread-state log are not a rename or an event: not mirrored`,
        ]
      : []),
    ...s.refused.map((r) => `  refused ${r.path}: ${r.reason}`),
  ].join('\n');

/** `rollout-engine mirror`: a home's rollout files into EventStoreDB, one stream per file (resumable, idempotent). */
export const mirrorCommand = command({
  name: 'mirror',
  description:
    'copy the rollout files of a CODEX_HOME into EventStoreDB, one stream per file, byte for byte (resumable: a re-run writes only what is missing)',
  arguments: [],
  options: {
    codexHome: option('--codex-home <dir>', 'CODEX_HOME (default: $CODEX_HOME, then ~/.codex)', { param: 'codexHome' }),
    eventstore: option('--eventstore <url>', 'EventStoreDB connection string, e.g. esdb://127.0.0.1:2113?tls=false', {
      required: true,
      param: 'eventstore',
    }),
    maxAppendBytes: option(
      '--max-append-bytes <n>',
      "the server's maximum append size in bytes (default 1048576, its default)",
      { param: 'maxAppendBytes' },
    ),
    json: option('--json', 'print the summary as JSON', { param: 'json' }),
  },
  // The command's settings, decoded as a method's params are.
  params: async () => {
    const [t, { ByteCountText, EventStoreUrl }] = await Promise.all([
      import('io-ts'),
      import('../../../driven/eventstore/eventStoreOptions.js'),
    ]);
    return {
      codec: t.intersection([
        t.type({ eventstore: EventStoreUrl }),
        t.partial({ codexHome: t.string, maxAppendBytes: ByteCountText, json: t.boolean }),
      ]),
    };
  },
  run: async ({ params: o }) => {
    const [
      { resolveCodexHome },
      { connectEventStore },
      { eventStoreEventLog },
      { mirrorHome },
      { printAnswer },
      { progressBar },
    ] = await Promise.all([
      import('../../composition/layout.js'),
      import('../../../driven/eventstore/eventStoreClient.js'),
      import('../../../driven/eventstore/eventLog.js'),
      import('../../../driven/eventstore/mirrorHome.js'),
      import('../printAnswer.js'),
      import('../progress.js'),
    ]);
    const connection = connectEventStore(o.eventstore);
    const bar = progressBar(process.stderr.isTTY === true && o.json !== true, 'mirroring');
    try {
      const log = eventStoreEventLog(
        connection,
        o.maxAppendBytes === undefined ? {} : { maxAppendBytes: Number(o.maxAppendBytes) },
      );
      const r = await mirrorHome(resolveCodexHome(o.codexHome), connection, log, { onProgress: bar.update })();
      bar.stop();
      await printAnswer(r, o, summaryText);
    } finally {
      bar.stop();
      await connection.close();
    }
  },
});
