import * as t from 'io-ts';

/**
 * `compacted`: the model context replacement. Large; projections only need to know it happened.
 * Its `message` is required: Codex's `CompactedItem.message` is a `String` with no serde default
 * (codex-rs `protocol/src/protocol.rs`), so a line without it is one Codex cannot read.
 */
export const CompactedPayload = t.intersection([
  t.type({ message: t.string }),
  t.partial({
    replacement_history: t.unknown,
    window_number: t.number,
  }),
]);
export type CompactedPayload = t.TypeOf<typeof CompactedPayload>;
