import * as t from 'io-ts';

/** `compacted`: the model context replacement. Large; projections only need to know it happened. */
export const CompactedPayload = t.partial({
  message: t.string,
  replacement_history: t.unknown,
  window_number: t.number,
});
export type CompactedPayload = t.TypeOf<typeof CompactedPayload>;
