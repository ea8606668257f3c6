import type { ExportSummary } from '../../../driven/eventstore/exportHome.js';
import { command } from '../commandSpec.js';
import { option } from '../optionTable.js';

const summaryText = (s: ExportSummary, out: string): string =>
  `exported ${s.files} rollout files to ${out}: ${s.lines} lines, ${(s.bytes / 1048576).toFixed(1)} MB; ${s.nameLines} session_index.jsonl lines, ${s.threadStateEvents} thread-state events`;

/** `rollout-engine export`: EventStoreDB's rollout streams back into a JSONL home, byte for byte. */
export const exportCommand = command({
  name: 'export',
  description:
    'write the rollout streams of EventStoreDB back as a CODEX_HOME of rollout files, byte for byte (never overwrites a file)',
  arguments: [],
  options: {
    eventstore: option('--eventstore <url>', 'EventStoreDB connection string, e.g. esdb://127.0.0.1:2113?tls=false', {
      required: true,
      param: 'eventstore',
    }),
    out: option('--out <dir>', 'the home to write (its sessions/ and archived_sessions/)', {
      required: true,
      param: 'out',
    }),
    json: option('--json', 'print the summary as JSON', { param: 'json' }),
  },
  // The command's settings, decoded as a method's params are.
  params: async () => {
    const [t, { EventStoreUrl }] = await Promise.all([
      import('io-ts'),
      import('../../../driven/eventstore/eventStoreOptions.js'),
    ]);
    return {
      codec: t.intersection([t.type({ eventstore: EventStoreUrl, out: t.string }), t.partial({ json: t.boolean })]),
    };
  },
  run: async ({ params: o }) => {
    const [nodePath, { connectEventStore }, { eventStoreEventLog }, { exportHome }, { printAnswer }] =
      await Promise.all([
        import('node:path'),
        import('../../../driven/eventstore/eventStoreClient.js'),
        import('../../../driven/eventstore/eventLog.js'),
        import('../../../driven/eventstore/exportHome.js'),
        import('../printAnswer.js'),
      ]);
    const connection = connectEventStore(o.eventstore);
    const out = nodePath.resolve(o.out);
    try {
      const r = await exportHome(connection, eventStoreEventLog(connection), out)();
      await printAnswer(r, o, (s) => summaryText(s, out));
    } finally {
      await connection.close();
    }
  },
});
