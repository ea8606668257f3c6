const SIZE = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB)?$/i;
const UNITS: Record<string, number> = { KB: 1e3, MB: 1e6, GB: 1e9 };

/** A size as the benches' options give it (`1MB`, `300MB`, `1GB`; decimal units), in bytes. */
export const parseByteSize = (s: string): number => {
  const m = SIZE.exec(s.trim());
  if (!m) throw new Error(`not a size: ${s} (use e.g. 1MB, 100MB, 1GB)`);
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? '').toUpperCase()] ?? 1));
};
