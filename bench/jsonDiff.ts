/** The first path where two JSON values differ, rendered `path: expected X, got Y`; undefined if equal. */
export const firstDifference = (expected: unknown, actual: unknown, path = '$'): string | undefined => {
  if (expected === actual) return undefined;
  const show = (v: unknown): string => {
    const s = JSON.stringify(v);
    return s === undefined ? 'undefined' : s.length > 200 ? `${s.slice(0, 200)}…` : s;
  };
  if (typeof expected !== 'object' || typeof actual !== 'object' || expected === null || actual === null) {
    return `${path}: expected ${show(expected)}, got ${show(actual)}`;
  }
  if (Array.isArray(expected) !== Array.isArray(actual))
    return `${path}: expected ${show(expected)}, got ${show(actual)}`;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const d = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  for (const k of new Set([...Object.keys(e), ...Object.keys(a)])) {
    if (!(k in a)) return `${path}.${k}: missing (expected ${show(e[k])})`;
    if (!(k in e)) return `${path}.${k}: unexpected ${show(a[k])}`;
    const d = firstDifference(e[k], a[k], `${path}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
};
