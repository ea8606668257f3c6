import { foldTokenEvent, tokenFileStateOf } from '../domain/tokens/responseFold.js';
import { addToBucket, bucketKeyOf, isLoose } from '../domain/tokens/usageBuckets.js';
import type { Projection } from './projection.js';
import { apiSourceOfMeta } from '../domain/thread/threadMeta.js';
import { keyText } from '../domain/index/keyText.js';

/**
 * The token audit of each rollout file: the responses it paid for (`tokenAudit`, by line), their
 * sums per bucket (`tokenBuckets`), the responses a report must read one by one (`tokenLoose`)
 * and the record ids seen (`tokenRecordIds`: a repeated one marks the file, whose responses are
 * then read as rows). The per-file fold state lives in `tokenState` so a tail catch-up continues
 * exactly where the last batch stopped.
 */
export const tokenAuditProjection: Projection = {
  name: 'tokenAudit',
  apply: (b, ctx, ev, pos, timestamp) => {
    const R = ctx.rolloutId;
    if (ctx.tokensFrom !== undefined && pos.byteOffset < ctx.tokensFrom) return;
    if (ev.kind === 'sessionMeta') {
      if (pos.line !== 0 || b.get('tokenState', [R]) !== undefined) return;
      const m = ev.payload;
      b.put('tokenState', [R], {
        tokens: tokenFileStateOf(m),
        originator: m.originator ?? '',
        source: apiSourceOfMeta(m),
        repeatedRecords: false,
      });
      return;
    }
    const row = b.get('tokenState', [R]);
    if (!row) return;
    const t = foldTokenEvent(row.tokens, ev, timestamp);
    if (t.state === row.tokens) return;
    let repeated = row.repeatedRecords;
    const r = t.response;
    if (r !== undefined) {
      b.put('tokenAudit', [R, pos.line], r);
      if (r.source === 'record' && r.responseId !== null) {
        if (b.get('tokenRecordIds', [R, keyText(r.responseId)]) !== undefined) repeated = true;
        else b.put('tokenRecordIds', [R, keyText(r.responseId)], 0);
      }
      if (isLoose(r)) b.put('tokenLoose', [R, pos.line], r);
      else {
        const { key, ms } = bucketKeyOf(R, r);
        b.put('tokenBuckets', key, addToBucket(b.get('tokenBuckets', key), r.usage, ms));
      }
    }
    // Changed in place (the batch's own copy of the row): a new row a line cost a spread each.
    const own = b.edit('tokenState', [R])!;
    own.tokens = t.state;
    own.repeatedRecords = repeated;
  },
};
