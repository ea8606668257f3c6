import { isSurrogatePairAt } from './codePoints.js';

/** The UTF-8 size of a string as an encoder writes it (a lone surrogate counts as the three bytes of U+FFFD). Pure. */
export const utf8Length = (text: string): number => {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (isSurrogatePairAt(text, i)) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
};
