import * as t from 'io-ts';
import { resolveCodexHome } from '../../composition/layout.js';
import { connectEventStore } from '../../eventstore/eventStoreClient.js';
import { eventStoreEventLog } from '../../eventstore/eventLog.js';
import { ByteCountText, EventStoreUrl } from '../../eventstore/eventStoreOptions.js';
import { mirrorHome } from '../../eventstore/mirrorHome.js';
import type { MirrorSummary } from '../../eventstore/mirrorHome.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import { printAnswer } from '../printAnswer.js';
import { progressBar } from '../progress.js';

const MirrorOptions = t.intersection([t.type({ eventstore: EventStoreUrl }), t.partial({ codexHome: t.string, maxAppendBytes: ByteCountText, json: t.boolean })]);

const summaryText = (s: MirrorSummary): string =>
  [
    `mirrored ${s.files} files: ${s.linesWritten} lines (${(s.bytesWritten / 1048576).toFixed(1)} MB) written to ${s.filesChanged} streams, the rest already there; ${s.factsWritten} home facts (places, marks, names, thread state) written`,
    ...(s.skippedStateLines > 0 ? [`  ${s.skippedStateLines} lines of session_index.jsonl or the thread-state log are not a rename or an event: not mirrored`] : []),
    ...s.refused.map((r) => `  refused ${r.path}: ${r.reason}`),
  ].join('\n');

/** What `rollout-engine mirror` does (loaded by its action only). */
export const action = async (opts: Record<string, unknown>) => {
  await withRequest(
    opts,
    decodeRequest(MirrorOptions, opts, { eventstore: '--eventstore', maxAppendBytes: '--max-append-bytes', codexHome: '--codex-home' }),
    async (o) => {
      const connection = connectEventStore(o.eventstore);
      const bar = progressBar(process.stderr.isTTY === true && o.json !== true, 'mirroring');
      try {
        const log = eventStoreEventLog(connection, o.maxAppendBytes === undefined ? {} : { maxAppendBytes: Number(o.maxAppendBytes) });
        const r = await mirrorHome(resolveCodexHome(o.codexHome), connection, log, { onProgress: bar.update })();
        bar.stop();
        await printAnswer(r, o.json, summaryText);
      } finally {
        bar.stop();
        await connection.close();
      }
    },
  );
};
