import { withIndex } from '../fixtures/openedIndex.js';
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { portsOver } from '../../adapters/driving/composition/openCodexHome.js';
import { lmdbHistoryIndexer } from '../../indexer/reads/historyIndexer.js';
import { jsonlRolloutFiles } from '../../adapters/driven/jsonl/writers/rolloutFiles.js';
import { isInsideHome } from '../../adapters/driven/fs/insideHome.js';
import type { HistoryEntry } from '../../domain/ports.js';
import { right } from '../fixtures/right.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';

const T = '01a1fe84-0000-7000-8000-00000000003a';

describe('second line of defence: nothing outside the home is read or written', () => {
  const tmp = useTempDir('inside-home-');

  it('isInsideHome: lexical, `..` and sibling prefixes included', () => {
    expect(isInsideHome('/h/A', '/h/A/sessions/x.jsonl')).to.equal(true);
    expect(isInsideHome('/h/A', '/h/A')).to.equal(false);
    expect(isInsideHome('/h/A', '/h/AB/sessions/x.jsonl')).to.equal(false);
    expect(isInsideHome('/h/A', '/h/A/../B/sessions/x.jsonl')).to.equal(false);
    expect(isInsideHome('/h/A', '/h/B/sessions/x.jsonl')).to.equal(false);
    expect(isInsideHome('/h/A', '/h/A/..x/y.jsonl')).to.equal(true);
  });

  it('RolloutFiles and the indexer refuse a path of another home; its file is untouched', async () => {
    const a = nodePath.join(tmp(), 'A');
    const b = nodePath.join(tmp(), 'B');
    const inA = writeRollout(a, rolloutName(T), chatThread('legacy', T, 2).text());
    fs.mkdirSync(b);
    const before = fs.readFileSync(inA);
    const files = jsonlRolloutFiles(b);
    const refused = (r: E.Either<unknown, unknown>) =>
      expect(E.isLeft(r) && (r.left as { _tag: string; reason: string })).to.deep.include({ _tag: 'InvalidArgument' });
    refused(
      await files.append(
        inA,
        [{ timestamp: '2026-11-21T14:00:00.000Z', type: 'event_msg', payload: { type: 'x' } }],
        { ordinal: 0, byteOffset: before.length },
        'legacy',
      )(),
    );
    refused(await files.create(inA.replace('.jsonl', 'f.jsonl'), ['{}'])());
    refused(await files.firstLine(inA)());
    refused(await files.lineAt(inA, 0, 10)());
    const lines: HistoryEntry[] = [];
    for await (const entry of files.linesBefore(inA, undefined)) lines.push(entry);
    expect(lines.map((l) => l.kind)).to.deep.equal(['failed']);
    await withIndex(b, async (store) => {
      refused(await lmdbHistoryIndexer(store, b).catchUp([inA])());
      refused(await portsOver(store, b, {}).read.readRanges(inA, [[0, 10]])());
    });
    expect(fs.readFileSync(inA).equals(before)).to.equal(true);
    expect(fs.existsSync(inA.replace('.jsonl', 'f.jsonl'))).to.equal(false);
  });

  it('confine names a file under the home as given, also when the home is reached through a link', async () => {
    const real = nodePath.join(tmp(), 'real-home');
    const link = nodePath.join(tmp(), 'linked-home');
    const inReal = writeRollout(real, rolloutName(T), chatThread('legacy', T, 1).text());
    fs.symlinkSync(real, link);
    const viaLink = nodePath.join(link, nodePath.relative(real, inReal));
    expect(right(await jsonlRolloutFiles(link).confine(viaLink)())).to.equal(viaLink);
    expect(right(await jsonlRolloutFiles(real).confine(inReal)())).to.equal(inReal);
  });
});
