// Which fields the fuzzer varies, by line variant: the field census's fixture
// (test/fixtures/codexSerdeFields.json, the serde names of every Codex rollout line variant, read
// from codex-rs by test/tools/codexSerdeFields.ts), so a field Codex adds reaches the fuzzer with
// the next census.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface SerdeVariant {
  readonly line: string;
  readonly tag: string;
  readonly fields: readonly string[] | null;
}

const SERDE = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../test/fixtures/codexSerdeFields.json', import.meta.url)), 'utf8'),
) as {
  readonly variants: readonly SerdeVariant[];
};

/**
 * The census key of a rendered line's variant: the line type for a whole-payload line
 * (`session_meta`, `turn_context`, ...), `event_msg/<type>` for an event, `item/<type>` for the
 * item an `item_completed` event carries.
 */
export type CensusKey = string;

/** Wire fields by census key. */
export const CENSUS_FIELDS: ReadonlyMap<CensusKey, readonly string[]> = new Map(
  SERDE.variants
    .filter((v) => v.fields !== null && v.fields.length > 0)
    .map(
      (v) =>
        [
          v.line === 'event_msg' ? `event_msg/${v.tag}` : v.line === 'item_completed.item' ? `item/${v.tag}` : v.line,
          v.fields!,
        ] as const,
    ),
);
