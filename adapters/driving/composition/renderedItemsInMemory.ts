import type { ThreadItem } from '../../../domain/thread/threadItem.js';
import type { RenderedItems } from '../../../replay/ports.js';

/**
 * Characters of line texts kept (about the size of their rendered items again): at most ~16 MB of
 * a server's memory whatever it is asked. An items page of the real 200-turn thread holds ~30,000,
 * so a few hundred pages stay.
 */
export const RENDERED_ITEMS_CHARS = 4_000_000;

interface Kept {
  readonly texts: ReadonlyArray<string>;
  readonly chars: number;
  readonly item: ThreadItem;
}

const charsOf = (key: string, texts: ReadonlyArray<string>): number => texts.reduce((n, t) => n + t.length, key.length);

/**
 * `RenderedItems` in this process's memory: an item is given for its key only when its texts are
 * the ones it was rendered from (compared, not hashed: a lookup costs no pass over the texts
 * beyond the comparison). The least recently used are forgotten first once the kept characters
 * pass `maxChars` (a Map keeps insertion order: a hit is moved to the end); an item whose texts
 * alone are over an eighth of the bound is not kept.
 */
export const renderedItemsInMemory = (
  maxChars: number = RENDERED_ITEMS_CHARS,
): RenderedItems & { readonly size: () => number; readonly chars: () => number } => {
  const kept = new Map<string, Kept>();
  let chars = 0;
  const forget = (key: string, k: Kept): void => {
    kept.delete(key);
    chars -= k.chars;
  };
  return {
    get: (key, texts) => {
      const k = kept.get(key);
      if (k === undefined) return undefined;
      if (k.texts.length !== texts.length || k.texts.some((t, i) => t !== texts[i])) {
        forget(key, k); // its bytes have changed: the next set keeps the new rendering
        return undefined;
      }
      kept.delete(key);
      kept.set(key, k);
      return k.item;
    },
    set: (key, texts, item) => {
      const n = charsOf(key, texts);
      if (n > maxChars / 8) return;
      const before = kept.get(key);
      if (before !== undefined) forget(key, before);
      kept.set(key, { texts, chars: n, item });
      chars += n;
      for (const [oldest, k] of kept) {
        if (chars <= maxChars) break;
        forget(oldest, k);
      }
    },
    size: () => kept.size,
    chars: () => chars,
  };
};
