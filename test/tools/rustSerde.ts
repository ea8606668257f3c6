// How serde writes a Rust type's fields, read from the source text: the structs and enums of a
// file with their wire names (`rename_all` per type, `rename`, `flatten`, `skip`). Enough of Rust's
// syntax for Codex's protocol types; used by codexSerdeFields.ts, checked by rustSerde.unit.spec.ts.

export interface RustField {
  readonly wire: string;
  /** The field's type, innermost name (`Option<Cow<'a, X>>` → `X`). */
  readonly type: string;
  readonly flatten: boolean;
}
export interface RustStruct {
  readonly name: string;
  readonly file: string;
  readonly fields: readonly RustField[];
}
export interface RustVariant {
  readonly tag: string;
  /** The struct the variant carries (newtype) or null for a unit variant. */
  readonly payload: string | null;
  /** Fields of a struct variant written inline. */
  readonly inline: readonly RustField[] | null;
}

const stripComments = (text: string): string => text.replace(/^\s*\/\/.*$/gm, '');

export const renameBy = (rule: string | null, name: string): string => {
  if (rule === null || rule === 'snake_case') return name;
  if (rule === 'camelCase') return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  if (rule === 'kebab-case') return name.replace(/_/g, '-');
  if (rule === 'lowercase') return name.toLowerCase();
  throw new Error(`rename_all = "${rule}" is not handled`);
};
/** A PascalCase variant name under a container `rename_all`. */
const renameVariant = (rule: string | null, name: string): string => {
  if (rule === null) return name;
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (rule === 'snake_case') return snake;
  if (rule === 'camelCase') return name.charAt(0).toLowerCase() + name.slice(1);
  if (rule === 'lowercase') return name.toLowerCase();
  if (rule === 'kebab-case') return snake.replace(/_/g, '-');
  if (rule === 'SCREAMING_SNAKE_CASE') return snake.toUpperCase();
  if (rule === 'PascalCase') return name;
  throw new Error(`rename_all = "${rule}" is not handled for variants`);
};

/** The serde arguments of the `#[serde(…)]` attributes in `attrs`. */
const serdeArgs = (attrs: string): string =>
  [...attrs.matchAll(/#\[serde\(([\s\S]*?)\)\]/g)].map((m) => m[1]).join(', ');
const renameAllOf = (attrs: string): string | null =>
  /\brename_all\s*=\s*"([^"]+)"/.exec(serdeArgs(attrs))?.[1] ?? null;

/** Index just past the bracket that closes the one at `open`, skipping string literals. */
const closing = (text: string, open: number): number => {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      continue;
    }
    if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error('unbalanced brackets');
};

/** The body's top-level comma-separated parts (fields or variants), each with its attributes. */
const topLevelParts = (body: string): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') {
      i++;
      while (i < body.length && body[i] !== '"') i += body[i] === '\\' ? 2 : 1;
      continue;
    }
    if (c === '{' || c === '(' || c === '[' || c === '<') depth++;
    else if (c === '}' || c === ')' || c === ']' || (c === '>' && body[i - 1] !== '-')) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
};

/** Attributes (`#[…]`, possibly spanning lines) at the start of `part`, and what follows them. */
const splitAttrs = (part: string): { attrs: string; rest: string } => {
  let i = 0;
  let attrs = '';
  for (;;) {
    while (i < part.length && /\s/.test(part[i]!)) i++;
    if (part.startsWith('#[', i)) {
      const end = closing(part, i + 1);
      attrs += `${part.slice(i, end)}\n`;
      i = end;
    } else break;
  }
  return { attrs, rest: part.slice(i).trim() };
};

/** The type a field or variant holds, wrappers and module paths dropped (`Option<Cow<'a, m::X>>` → `m::X`). */
export const innermostType = (type: string): string => {
  const names = [...type.matchAll(/(?:[a-z_][a-z0-9_]*::)*[A-Za-z_][A-Za-z0-9_]*/g)]
    .map((m) => m[0])
    .filter((n) => !['Option', 'Box', 'Cow', 'a'].includes(n));
  return names[0] ?? type;
};

const fieldsOf = (body: string, renameAll: string | null): RustField[] => {
  const fields: RustField[] = [];
  for (const part of topLevelParts(body)) {
    const { attrs, rest } = splitAttrs(part);
    const m = /^(?:pub(?:\([^)]*\))?\s+)?(?:r#)?([a-z_][a-z0-9_]*)\s*:\s*([\s\S]+)$/.exec(rest);
    if (m === null) throw new Error(`not a field: ${rest.slice(0, 80)}`);
    const args = serdeArgs(attrs);
    if (/\bskip\b|\bskip_serializing\b/.test(args)) continue;
    const rename = /(?:^|[\s,(])rename\s*=\s*"([^"]+)"/.exec(args)?.[1];
    fields.push({
      wire: rename ?? renameBy(renameAll, m[1]!),
      type: innermostType(m[2]!),
      flatten: /\bflatten\b/.test(args),
    });
  }
  return fields;
};

/** Every `struct Name { … }` and `enum Name { … }` of a file, with the attributes above it. */
export const itemsOf = (
  file: string,
  text: string,
): { structs: RustStruct[]; enums: Map<string, { variants: RustVariant[] }> } => {
  const clean = stripComments(text);
  const structs: RustStruct[] = [];
  const enums = new Map<string, { variants: RustVariant[] }>();
  for (const m of clean.matchAll(/\bstruct\s+([A-Z][A-Za-z0-9_]*)\s*;/g))
    structs.push({ name: m[1]!, file, fields: [] });
  for (const m of clean.matchAll(/\b(struct|enum)\s+([A-Z][A-Za-z0-9_]*)(?:<[^{;(]*>)?\s*\{/g)) {
    const open = m.index + m[0].length - 1;
    const body = clean.slice(open + 1, closing(clean, open) - 1);
    const before = clean.slice(
      Math.max(0, clean.lastIndexOf('\n}', m.index), clean.lastIndexOf(';\n', m.index)),
      m.index,
    );
    const renameAll = renameAllOf(before);
    if (m[1] === 'struct') {
      structs.push({ name: m[2]!, file, fields: fieldsOf(body, renameAll) });
      continue;
    }
    const variants: RustVariant[] = [];
    for (const part of topLevelParts(body)) {
      const { attrs, rest } = splitAttrs(part);
      const v = /^([A-Z][A-Za-z0-9_]*)\s*([({][\s\S]*)?$/.exec(rest);
      if (v === null) continue;
      const args = serdeArgs(attrs);
      if (/\bskip\b|\bskip_serializing\b/.test(args)) continue;
      const tag = /(?:^|[\s,(])rename\s*=\s*"([^"]+)"/.exec(args)?.[1] ?? renameVariant(renameAll, v[1]!);
      const shape = v[2]?.trim() ?? '';
      if (shape.startsWith('(')) variants.push({ tag, payload: innermostType(shape.slice(1, -1)), inline: null });
      else if (shape.startsWith('{')) variants.push({ tag, payload: null, inline: fieldsOf(shape.slice(1, -1), null) });
      else variants.push({ tag, payload: null, inline: [] });
    }
    enums.set(m[2]!, { variants });
  }
  return { structs, enums };
};
