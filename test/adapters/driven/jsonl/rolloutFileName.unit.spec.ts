import { expect } from 'chai';
import {
  formatRolloutFileName,
  parseRolloutFileName,
  sessionDayParts,
} from '../../../../adapters/driven/jsonl/home/rolloutFileName.js';

describe('jsonl rolloutFileName', () => {
  it('parses a root rollout file name', () => {
    expect(
      parseRolloutFileName('rollout-2026-11-21T14-31-24-01a1fe84-e393-7df3-89c1-fe2af51ed21c.jsonl'),
    ).to.deep.equal({
      fileTimestamp: '2026-11-21T14:31:24Z',
      threadId: '01a1fe84-e393-7df3-89c1-fe2af51ed21c',
      revisionId: undefined,
    });
  });

  it('parses a revision file name (base thread id, then revision id)', () => {
    expect(
      parseRolloutFileName(
        'rollout-2026-11-21T14-31-25-01a1fe84-e393-7df3-89c1-fe2af51ed21c_01a1fe84-e7b0-7381-9b82-8448801fa88d.jsonl',
      ),
    ).to.deep.equal({
      fileTimestamp: '2026-11-21T14:31:25Z',
      threadId: '01a1fe84-e393-7df3-89c1-fe2af51ed21c',
      revisionId: '01a1fe84-e7b0-7381-9b82-8448801fa88d',
    });
  });

  it('ignores everything else', () => {
    for (const name of [
      'rollout-2026-11-21T14-31-24-01a1fe84-e393-7df3-89c1-fe2af51ed21c.jsonl.lock',
      'rollout-2026-11-21T14-31-24-01a1fe84-e393-7df3-89c1-fe2af51ed21c.json',
      'rollout-2026-11-21-01a1fe84-e393-7df3-89c1-fe2af51ed21c.jsonl',
      'rollout-2026-11-21T14-31-24-not-a-uuid.jsonl',
      'rollout-2026-11-21T14-31-24-01a1fe84-e393-7df3-89c1-fe2af51ed21c_.jsonl',
      'session_index.jsonl',
      'quarantine.jsonl',
      '.rollout-2026-11-21T14-31-24-01a1fe84-e393-7df3-89c1-fe2af51ed21c.jsonl',
    ]) {
      expect(parseRolloutFileName(name), name).to.equal(undefined);
    }
  });

  it("names a file we write in the process's local time, as Codex does (UTC+8: 8 h past the session's UTC time, the day folder the name's)", () => {
    const was = process.env.TZ;
    // Node reads TZ again when it is assigned.
    process.env.TZ = 'Asia/Shanghai';
    try {
      const at = new Date('2026-11-27T20:43:05.123Z');
      expect(formatRolloutFileName(at, '01a1fe84-e393-7df3-89c1-fe2af51ed21c')).to.equal(
        'rollout-2026-11-28T04-43-05-01a1fe84-e393-7df3-89c1-fe2af51ed21c.jsonl',
      );
      expect(sessionDayParts(at)).to.deep.equal(['2026', '11', '28']);
    } finally {
      if (was === undefined) delete process.env.TZ;
      else process.env.TZ = was;
    }
  });
});
