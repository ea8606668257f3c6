import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { firstEntry } from '../../../../adapters/driven/jsonl/lines/firstEntry.js';
import { ioError } from '../../../../domain/errors.js';

type Entry = Parameters<typeof firstEntry<string>>[1] extends AsyncGenerator<infer T> ? T : never;

/** A stream of the given entries that records whether it was closed and how far it was read. */
const streamOf = (entries: ReadonlyArray<Entry>) => {
  const seen = { taken: 0, closed: false };
  async function* gen(): AsyncGenerator<Entry, void, undefined> {
    try {
      for (const e of entries) {
        seen.taken += 1;
        yield e;
      }
    } finally {
      seen.closed = true;
    }
  }
  return { it: gen(), seen };
};

const record = { path: 'f.jsonl', ordinal: 0, byteOffset: 0, byteLength: 3, reason: 'invalid UTF-8', text: '\ufffd' };

describe('jsonl firstEntry', () => {
  it('gives the first line and closes the stream without reading on', async () => {
    const { it, seen } = streamOf([
      { kind: 'line', line: 'one' },
      { kind: 'line', line: 'two' },
    ]);
    expect(await firstEntry('f.jsonl', it, 'empty')).to.deep.equal(E.right('one'));
    expect(seen).to.deep.equal({ taken: 1, closed: true });
  });

  it('an empty file is Corrupt at byte 0, with the caller’s words', async () => {
    const { it, seen } = streamOf([]);
    expect(await firstEntry('f.jsonl', it, 'empty rollout: no first line')).to.deep.equal(
      E.left({ _tag: 'Corrupt', path: 'f.jsonl', byteOffset: 0, reason: 'empty rollout: no first line' }),
    );
    expect(seen.closed).to.equal(true);
  });

  it('a quarantined first line is a Decode error at line 0 with the quarantine reason', async () => {
    const { it } = streamOf([
      { kind: 'quarantined', record },
      { kind: 'line', line: 'two' },
    ]);
    const r = await firstEntry('f.jsonl', it, 'empty');
    expect(E.isLeft(r) && r.left).to.include({
      _tag: 'Decode',
      path: 'f.jsonl',
      line: 0,
      byteOffset: 0,
      reason: 'invalid UTF-8',
    });
  });

  it('a failed read is that failure', async () => {
    const failure = ioError('f.jsonl', 'open', 'EACCES', 'permission denied');
    const { it } = streamOf([{ kind: 'failed', error: failure }]);
    expect(await firstEntry('f.jsonl', it, 'empty')).to.deep.equal(E.left(failure));
  });
});
