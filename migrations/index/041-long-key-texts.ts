import { keyText } from '../../domain/index/keyText.js';
import type { KeyText } from '../../domain/index/keyText.js';
import type { IndexReader, IndexWrite } from '../../domain/index/rows.js';

/**
 * Schema 41 keys the ids a rollout line gives (turn ids, response ids) by `keyText`: one longer
 * than `KEY_TEXT_BYTES` is stored in its long form. A row written before under such an id as it
 * is (up to LMDB's key limit; a longer one failed its commit, so its file was never checkpointed
 * and is indexed again) moves to its new key.
 */
export const rekeyLongKeyTexts = (reader: IndexReader): IndexWrite[] => {
  const writes: IndexWrite[] = [];
  for (const table of ['turnIds', 'turnRenderings', 'tokenRecordIds'] as const) {
    for (const key of reader.keys(table, [])) {
      const [R, text] = key as unknown as readonly [string, string];
      const keyed = keyText(text);
      if (keyed === text) continue;
      writes.push({ op: 'put', table, key: [R, keyed], value: reader.get(table, [R, text as KeyText]) });
      writes.push({ op: 'del', table, key: [R, text] });
    }
  }
  return writes;
};
