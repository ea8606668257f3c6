// Focused differences between two JSON values, so a failing comparison of a 60-turn thread says
// `turns[3].items[1].text` instead of printing two huge objects.

export interface JsonDifference {
  /** e.g. `turns[3].items[1].text`; `` for the root. */
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly kind: 'value' | 'type' | 'missing' | 'unexpected' | 'length';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`;
}

/** Differences in document order, at most `limit` of them. */
export function jsonDifferences(expected: unknown, actual: unknown, limit = 10): JsonDifference[] {
  const found: JsonDifference[] = [];
  const walk = (e: unknown, a: unknown, path: string): void => {
    if (found.length >= limit) return;
    const ek = kindOf(e);
    const ak = kindOf(a);
    if (ek !== ak) {
      found.push({ path, expected: e, actual: a, kind: 'type' });
      return;
    }
    if (ek === 'array') {
      const ea = e as unknown[];
      const aa = a as unknown[];
      if (ea.length !== aa.length) {
        found.push({ path, expected: `length ${ea.length}`, actual: `length ${aa.length}`, kind: 'length' });
      }
      for (let i = 0; i < Math.min(ea.length, aa.length); i++) walk(ea[i], aa[i], join(path, i));
      return;
    }
    if (ek === 'object') {
      const eo = e as Record<string, unknown>;
      const ao = a as Record<string, unknown>;
      for (const key of Object.keys(eo)) {
        if (found.length >= limit) return;
        if (!(key in ao)) found.push({ path: join(path, key), expected: eo[key], actual: undefined, kind: 'missing' });
        else walk(eo[key], ao[key], join(path, key));
      }
      for (const key of Object.keys(ao)) {
        if (found.length >= limit) return;
        if (!(key in eo))
          found.push({ path: join(path, key), expected: undefined, actual: ao[key], kind: 'unexpected' });
      }
      return;
    }
    if (!Object.is(e, a)) found.push({ path, expected: e, actual: a, kind: 'value' });
  };
  walk(expected, actual, '');
  return found;
}

function show(value: unknown, max = 300): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** Human-readable lines: path, what Codex said, what we said. */
export function describeDifferences(
  differences: readonly JsonDifference[],
  expectedName = 'codex',
  actualName = 'ours',
): string {
  return differences
    .map((d) => {
      const where = d.path === '' ? '(root)' : d.path;
      const what = d.kind === 'missing' ? 'missing in ours' : d.kind === 'unexpected' ? 'extra in ours' : d.kind;
      return `  at ${where} [${what}]\n    ${expectedName}: ${show(d.expected)}\n    ${actualName}:  ${show(d.actual)}`;
    })
    .join('\n');
}
