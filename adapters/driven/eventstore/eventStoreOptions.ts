import * as t from 'io-ts';

/** The CLI's EventStoreDB options as they arrive (text), decoded before anything connects. */
export const EventStoreUrl = t.refinement(
  t.string,
  (s) => /^(esdb|esdb\+discover|kurrentdb|kurrent|kdb)(\+discover)?:\/\/./.test(s),
  'EventStoreUrl',
);

/** A positive byte count given as text (`--max-append-bytes`). */
export const ByteCountText = t.refinement(t.string, (s) => /^[1-9]\d{0,9}$/.test(s), 'ByteCount');
