/**
 * Seeded text for the generated homes of bench/indexData.ts: ids, prose and tool output. Every
 * draw comes from the caller's generator, so a seed gives the same bytes.
 */

export const hex = (rand: () => number, n: number): string => {
  let s = '';
  while (s.length < n)
    s += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, n);
};

/** A UUIDv7-looking id whose time prefix grows with `ms`. */
export const uuid7 = (rand: () => number, ms: number): string => {
  const t = ms.toString(16).padStart(12, '0');
  const r = hex(rand, 20);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r.slice(0, 3)}-8${r.slice(3, 6)}-${r.slice(6, 18)}`;
};

export const WORDS =
  'the function returns a value when called with arguments error warning src lib test build compile module import export const let async await promise file path line column déjà vu → ✓ naïve'.split(
    ' ',
  );

/** Text of about `n` characters: words, newlines, quotes and a few non-ASCII characters (escapes in JSON). */
export const prose = (rand: () => number, n: number): string => {
  const parts: string[] = [];
  let len = 0;
  while (len < n) {
    const w = WORDS[Math.floor(rand() * WORDS.length)]!;
    const sep = rand() < 0.08 ? '\n' : rand() < 0.02 ? '"' : ' ';
    parts.push(w, sep);
    len += w.length + 1;
  }
  return parts.join('').slice(0, n);
};

/** Tool output: ~`n` bytes of log-like lines. */
export const toolOutput = (rand: () => number, n: number): string => {
  const out: string[] = [];
  let len = 0;
  let i = 0;
  while (len < n) {
    const l = `${String(i++).padStart(5, ' ')}  src/module_${Math.floor(rand() * 500)}.ts:${Math.floor(rand() * 900)}  ${prose(rand, 40 + Math.floor(rand() * 60))}`;
    out.push(l);
    len += l.length + 1;
  }
  return out.join('\n');
};
