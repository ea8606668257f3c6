import * as t from 'io-ts';

/**
 * The name serde's map form of a unit enum variant gives: `{"<name>": null}`, a map of one key
 * whose value is a unit's null (serde_json `Value::deserialize_enum`, serde's
 * `ContentDeserializer::deserialize_enum` inside a tagged or untagged enum); undefined for any
 * other value. Codex never writes this form but reads it (measured on 0.169.0 for every unit enum
 * of its rollout lines: test/compat/serdeEnumMaps.compat.spec.ts).
 */
export const serdeUnitMapName = (v: unknown): string | undefined => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && (v as Record<string, unknown>)[keys[0]!] === null ? keys[0] : undefined;
};

/**
 * A serde unit enum as serde reads it: what `names` reads (its names, or any value where `names`
 * is wider), or the map form of a name, decoded to the name. `is` takes no map form, so
 * `decodeShape`'s allocation-free test still answers every string and only a map-form value is
 * decoded (to its name); a map whose key `names` refuses is refused, as serde refuses an unknown
 * variant (or, its value not null, left to `names`).
 */
export const serdeUnitEnum = <C extends t.Mixed>(names: C): t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> =>
  new t.Type(
    names.name,
    (u): u is t.TypeOf<C> => (typeof u === 'string' || serdeUnitMapName(u) === undefined) && names.is(u),
    (u, context) => {
      const name = typeof u === 'string' ? undefined : serdeUnitMapName(u);
      return names.validate(name ?? u, context);
    },
    names.encode,
  );
