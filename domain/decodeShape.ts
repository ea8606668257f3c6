import * as t from 'io-ts';

/** A codec's `is`, as a plain test. */
type ShapeTest = (u: unknown) => boolean;

const hasOwn = Object.prototype.hasOwnProperty;
const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === 'object' && !Array.isArray(u);

/** Tests made so far, per codec (codecs are module constants: made once each). */
const tests = new WeakMap<t.Mixed, ShapeTest>();

/**
 * The codec's `is` as a test that allocates nothing. io-ts's own `is` of an intersection or a
 * union makes a closure at every call (`every` / `some` with a function literal): on the index's
 * hot path that was about a tenth of all it allocated. The same rules as io-ts (a `type` key
 * must be present, a `partial` one may be undefined), for the codecs domain/ uses; any other
 * kind of codec is asked its own `is`.
 */
export const shapeTest = (codec: t.Mixed): ShapeTest => {
  let test = tests.get(codec);
  if (test === undefined) {
    test = testOf(codec);
    tests.set(codec, test);
  }
  return test;
};

const testOf = (codec: t.Mixed): ShapeTest => {
  const c = codec as t.Mixed & { readonly _tag?: string };
  switch (c._tag) {
    case 'StringType':
      return (u) => typeof u === 'string';
    case 'NumberType':
      return (u) => typeof u === 'number';
    case 'BooleanType':
      return (u) => typeof u === 'boolean';
    case 'NullType':
      return (u) => u === null;
    case 'UndefinedType':
      return (u) => u === undefined;
    case 'UnknownType':
      return () => true;
    case 'AnyDictionaryType':
      return isRecord;
    case 'AnyArrayType':
      return Array.isArray;
    case 'LiteralType': {
      const value = (codec as unknown as t.LiteralType<string | number | boolean>).value;
      return (u) => u === value;
    }
    case 'KeyofType': {
      const keys = (codec as unknown as t.KeyofType<Record<string, unknown>>).keys;
      return (u) => typeof u === 'string' && hasOwn.call(keys, u);
    }
    case 'ArrayType': {
      const item = shapeTest((codec as unknown as t.ArrayType<t.Mixed>).type);
      return (u) => {
        if (!Array.isArray(u)) return false;
        for (let i = 0; i < u.length; i++) {
          const v: unknown = u[i];
          // As `every`, a hole is passed over (JSON has none).
          if (!item(v) && !(v === undefined && !(i in u))) return false;
        }
        return true;
      };
    }
    case 'InterfaceType':
    case 'PartialType': {
      const props = (codec as unknown as t.InterfaceType<t.Props>).props;
      const keys = Object.keys(props);
      const fields = keys.map((k) => shapeTest(props[k]!));
      const partial = c._tag === 'PartialType';
      return (u) => {
        if (!isRecord(u)) return false;
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!;
          const v = u[k];
          if (v === undefined ? !partial && (!hasOwn.call(u, k) || !fields[i]!(v)) : !fields[i]!(v)) return false;
        }
        return true;
      };
    }
    case 'IntersectionType': {
      const all = (codec as unknown as t.IntersectionType<t.Mixed[]>).types.map(shapeTest);
      return (u) => {
        for (let i = 0; i < all.length; i++) if (!all[i]!(u)) return false;
        return true;
      };
    }
    case 'UnionType': {
      const any = (codec as unknown as t.UnionType<t.Mixed[]>).types.map(shapeTest);
      return (u) => {
        for (let i = 0; i < any.length; i++) if (any[i]!(u)) return true;
        return false;
      };
    }
    default:
      return (u) => codec.is(u);
  }
};

/**
 * Decode with a codec that only checks shapes (no codec in domain/ transforms a value: decoding
 * a valid value returns it as is). The allocation-free test (`shapeTest`) answers the common
 * case; the full decode runs only to say why a value does not fit. On the index's hot path this
 * is a third of the decoding time.
 */
export const decodeShape = <C extends t.Mixed>(codec: C, u: unknown): t.Validation<t.TypeOf<C>> =>
  shapeTest(codec)(u) ? t.success(u as t.TypeOf<C>) : codec.decode(u);
