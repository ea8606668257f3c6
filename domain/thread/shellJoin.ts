/**
 * Join argv into one command line exactly as Codex renders `commandExecution.command`
 * (`shlex::try_join` of the Rust shlex crate, 1.3): each word is quoted chunk by chunk, greedily,
 * with the first strategy that still fits every byte of the chunk — bare, then '…', then "…".
 */
const UNQUOTED = 1;
const SINGLE = 2;
const DOUBLE = 4;

const isUnquotedSafe = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  [0x2b, 0x2d, 0x2e, 0x2f, 0x3a, 0x40, 0x5d, 0x5f].includes(c);

const allowedFor = (c: number): number => {
  let ok = SINGLE | DOUBLE | UNQUOTED;
  if (!isUnquotedSafe(c)) ok &= ~UNQUOTED;
  if (c === 0x27 /* ' */ || c === 0x5e /* ^ */ || c === 0x5c /* \ */) ok &= ~SINGLE;
  if (c === 0x60 /* ` */ || c === 0x24 /* $ */ || c === 0x21 /* ! */ || c === 0x5e /* ^ */) ok &= ~DOUBLE;
  return ok;
};

const appendChunk = (out: number[], chunk: Uint8Array, strategy: number): void => {
  // Byte by byte: spreading a long chunk into push() overflows the stack.
  if (strategy === UNQUOTED) for (const c of chunk) out.push(c);
  else if (strategy === SINGLE) {
    out.push(0x27);
    for (const c of chunk) out.push(c);
    out.push(0x27);
  } else {
    out.push(0x22);
    for (const c of chunk) {
      if (c === 0x24 || c === 0x60 || c === 0x22 || c === 0x5c) out.push(0x5c);
      out.push(c);
    }
    out.push(0x22);
  }
};

/** A word of only the bytes that need no quoting is its own rendering (most argv words). */
const UNQUOTED_WORD = /^[0-9A-Za-z+\-./:@\]_]+$/;
const UTF8_ENCODER = new TextEncoder();
const UTF8_DECODER = new TextDecoder();

export const quoteWord = (word: string): string => {
  if (word === '') return "''";
  if (UNQUOTED_WORD.test(word)) return word;
  const bytes = UTF8_ENCODER.encode(word);
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    let ok = SINGLE | DOUBLE | UNQUOTED;
    let j = i;
    if (bytes[i] === 0x5e /* ^ */) {
      // A leading ^ could trigger history substitution: only single quotes are safe for it.
      ok = SINGLE;
      j = i + 1;
    }
    for (; j < bytes.length; j++) {
      const next = ok & allowedFor(bytes[j]!);
      if (next === 0) break;
      ok = next;
    }
    const strategy = ok & UNQUOTED ? UNQUOTED : ok & SINGLE ? SINGLE : DOUBLE;
    appendChunk(out, bytes.subarray(i, j), strategy);
    i = j;
  }
  return UTF8_DECODER.decode(new Uint8Array(out));
};

/** A word with a NUL byte cannot be quoted; Codex shows this placeholder instead. */
export const shellJoin = (argv: ReadonlyArray<string>): string =>
  argv.some((w) => w.includes('\0')) ? '<command included NUL byte>' : argv.map(quoteWord).join(' ');
