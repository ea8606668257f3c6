/** Plugin versions as Codex orders them: semantic versions by precedence, anything else by text. */

/** The version Codex gives a plugin installed without one; it wins when present. */
export const DEFAULT_PLUGIN_VERSION = 'local';

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const comparePre = (a: string | undefined, b: string | undefined): number => {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1; // a release outranks its pre-releases
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) {
      const d = Number(p) - Number(q);
      if (d !== 0) return Math.sign(d);
    } else if (pn !== qn) return pn ? -1 : 1;
    else if (p !== q) return cmp(p, q);
  }
  return 0;
};

export const comparePluginVersions = (left: string, right: string): number => {
  const a = SEMVER.exec(left);
  const b = SEMVER.exec(right);
  if (!a || !b) return cmp(left, right);
  for (let i = 1; i <= 3; i++) {
    const d = Number(a[i]) - Number(b[i]);
    if (d !== 0) return Math.sign(d);
  }
  return comparePre(a[4], b[4]);
};

/** A version directory name Codex accepts: letters, digits, `.`, `+`, `_`, `-`, not `.`/`..`. */
export const isValidVersionSegment = (v: string): boolean =>
  v !== '' && v !== '.' && v !== '..' && /^[A-Za-z0-9._+-]+$/.test(v);

/** The version Codex loads: `local` if present, else the highest. */
export const activePluginVersion = (versions: ReadonlyArray<string>): string | null => {
  const valid = versions.filter(isValidVersionSegment);
  if (valid.length === 0) return null;
  if (valid.includes(DEFAULT_PLUGIN_VERSION)) return DEFAULT_PLUGIN_VERSION;
  return [...valid].sort(comparePluginVersions)[valid.length - 1]!;
};
