import * as t from 'io-ts';
import { serdeUnitEnum } from '../serdeUnitEnum.js';

/** serde's types as io-ts codecs, for what Codex's serde requires of its lines (codexSerde.ts). */

/** `Option<T>`: absent or null is `None`. */
export const opt = <C extends t.Mixed>(c: C) => t.union([c, t.null, t.undefined]);
/** A serde struct: its required fields, and the ones it defaults. */
export const struct = (required: t.Props, optional: t.Props = {}) =>
  t.intersection([t.type(required), t.partial(optional)]);
export const i64 = t.refinement(t.number, Number.isInteger, 'i64');
export const i32 = t.refinement(t.number, (n) => Number.isInteger(n) && n >= -0x8000_0000 && n <= 0x7fff_ffff, 'i32');
export const u64 = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'u64');
export const u32 = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff, 'u32');
/** `usize`, `NonZeroUsize`. */
export const usize = u64;
export const nonZeroUsize = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'NonZeroUsize');
/** A unit enum (no `#[serde(other)]`): one of its names, or serde's map form of one (`serdeUnitEnum`). */
export const names = (...values: readonly string[]) =>
  serdeUnitEnum(t.keyof(Object.fromEntries(values.map((v) => [v, null])) as Record<string, null>));
/** A thread id (`ThreadId`, a UUID). */
export const Uuid = t.refinement(
  t.string,
  (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  'ThreadId',
);
/** An object with no field but these (`#[serde(deny_unknown_fields)]`). */
export const onlyFields = <C extends t.Mixed>(codec: C, fields: readonly string[], name: string) =>
  t.refinement(codec, (o: Record<string, unknown>) => Object.keys(o).every((k) => fields.includes(k)), name);
