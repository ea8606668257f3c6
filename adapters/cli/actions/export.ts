import * as nodePath from 'node:path';
import * as t from 'io-ts';
import { connectEventStore } from '../../eventstore/eventStoreClient.js';
import { eventStoreEventLog } from '../../eventstore/eventLog.js';
import { EventStoreUrl } from '../../eventstore/eventStoreOptions.js';
import { exportHome } from '../../eventstore/exportHome.js';
import type { ExportSummary } from '../../eventstore/exportHome.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import { printAnswer } from '../printAnswer.js';

const ExportOptions = t.intersection([t.type({ eventstore: EventStoreUrl, out: t.string }), t.partial({ json: t.boolean })]);

const summaryText = (s: ExportSummary, out: string): string =>
  `exported ${s.files} rollout files to ${out}: ${s.lines} lines, ${(s.bytes / 1048576).toFixed(1)} MB; ${s.nameLines} session_index.jsonl lines, ${s.threadStateEvents} thread-state events`;

/** What `rollout-engine export` does (loaded by its action only). */
export const action = async (opts: Record<string, unknown>) => {
  await withRequest(opts, decodeRequest(ExportOptions, opts, { eventstore: '--eventstore', out: '--out' }), async (o) => {
    const connection = connectEventStore(o.eventstore);
    const out = nodePath.resolve(o.out);
    try {
      const r = await exportHome(connection, eventStoreEventLog(connection), out)();
      await printAnswer(r, o.json, (s) => summaryText(s, out));
    } finally {
      await connection.close();
    }
  });
};
