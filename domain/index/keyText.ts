import { createHash } from 'node:crypto';
import type { KeyText } from './rows.js';
import { utf8Length } from '../utf8.js';

export type { KeyText };

/**
 * A string a rollout line gives (a turn id, a response id) as it is stored in an index key. LMDB
 * bounds a key (lmdb-js's `maxKeySize`, 1978 bytes) and Codex keys nothing by these ids, so a line
 * may give one of any length: a text up to `KEY_TEXT_BYTES` UTF-8 bytes is kept as it is; a longer
 * one becomes its long form, a prefix of it, padding and its SHA-256, exactly `KEY_TEXT_BYTES + 1`
 * bytes: no kept text has that length, so a long form never equals a short id, and two long ids
 * share a form only if their digests collide. A text with a NUL takes the long form too, and no
 * form holds one: lmdb's ordered-binary keys end an array part at NULs (a key read back, by a
 * range or a scan, came back as other parts). Every put and every get of a
 * table keyed by one goes through `keyText` (the branded type makes the compiler check it); the
 * answers read the full id from the values, never from the keys.
 */

/** The longest text a key keeps as it is (UTF-8 bytes): a few of them fit one LMDB key. */
export const KEY_TEXT_BYTES = 512;
const DIGEST_HEX = 64;
/** One byte, not NUL: what fills a long form to its length. */
const PAD = '#';

/** The longest prefix of `s` (whole code points) of at most `bytes` UTF-8 bytes, and its byte length. */
const prefixOf = (s: string, bytes: number): { readonly text: string; readonly bytes: number } => {
  let text = '';
  let used = 0;
  for (const ch of s) {
    const n = utf8Length(ch);
    if (used + n > bytes) break;
    text += ch;
    used += n;
  }
  return { text, bytes: used };
};

/** `text` as an index key part: itself up to `KEY_TEXT_BYTES` bytes, else its fixed-length long form. */
export const keyText = (text: string): KeyText => {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: the usual short id is kept without encoding it.
  const kept = !text.includes('\0') && (text.length * 3 <= KEY_TEXT_BYTES || utf8Length(text) <= KEY_TEXT_BYTES);
  if (kept) return text as KeyText;
  // The prefix keeps long ids of one stem near each other; the digest tells them apart.
  const digest = createHash('sha256').update(text, 'utf8').digest('hex');
  const head = prefixOf(text.replaceAll('\0', PAD), KEY_TEXT_BYTES - DIGEST_HEX - 1);
  return (head.text + PAD.repeat(KEY_TEXT_BYTES + 1 - DIGEST_HEX - head.bytes) + digest) as KeyText;
};
