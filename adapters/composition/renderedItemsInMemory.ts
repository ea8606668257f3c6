import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { RenderedItems } from '../../replay/ports.js';

/**
 * Characters of keys kept (a key holds its item's line texts, about the size of the rendered item
 * again): at most ~16 MB of a server's memory whatever it is asked. An items page of the 200-turn
 * real thread is ~30,000 of them, so a few hundred pages stay.
 */
export const RENDERED_ITEMS_CHARS = 4_000_000;

/**
 * `RenderedItems` in this process's memory, least recently used forgotten first once the keys
 * pass `maxChars` (a Map keeps insertion order: a hit is moved to the end). An item whose key
 * alone is over an eighth of the bound is not kept.
 */
export const renderedItemsInMemory = (maxChars: number = RENDERED_ITEMS_CHARS): RenderedItems & { readonly size: () => number; readonly chars: () => number } => {
  const kept = new Map<string, ThreadItem>();
  let chars = 0;
  return {
    get: (key) => {
      const item = kept.get(key);
      if (item === undefined) return undefined;
      kept.delete(key);
      kept.set(key, item);
      return item;
    },
    set: (key, item) => {
      if (key.length > maxChars / 8 || kept.has(key)) return;
      kept.set(key, item);
      chars += key.length;
      for (const oldest of kept.keys()) {
        if (chars <= maxChars) break;
        kept.delete(oldest);
        chars -= oldest.length;
      }
    },
    size: () => kept.size,
    chars: () => chars,
  };
};
