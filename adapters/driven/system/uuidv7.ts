import { randomBytes } from 'node:crypto';
import type { Ids } from '../../../domain/ports.js';

/**
 * UUIDv7 (RFC 9562) as Codex uses for thread, turn and item ids: 48-bit Unix milliseconds,
 * version 7, then random bits. Ids made by one generator increase strictly, also within one
 * millisecond (the 12-bit `rand_a` field counts up; on overflow the time field is advanced), so
 * revision ids sort in the order the revisions were made.
 */
export const uuidv7Ids = (now: () => number = Date.now): Ids => {
  let lastMs = -1;
  let counter = 0;
  return {
    uuidv7: () => {
      let ms = now();
      if (ms <= lastMs) {
        ms = lastMs;
        counter += 1;
        if (counter > 0xfff) {
          ms += 1;
          counter = 0;
        }
      } else {
        counter = randomBytes(2).readUInt16BE(0) & 0x7ff; // leave room to count up
      }
      lastMs = ms;
      const b = randomBytes(16);
      b.writeUIntBE(ms, 0, 6);
      b[6] = 0x70 | ((counter >> 8) & 0x0f);
      b[7] = counter & 0xff;
      b[8] = 0x80 | (b[8]! & 0x3f);
      const h = b.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  };
};
