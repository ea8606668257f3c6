import { expect } from 'chai';
import { parseRolloutFileName } from '../../../adapters/jsonl/rolloutFileName.js';

describe('jsonl rolloutFileName', () => {
  it('parses a root rollout file name', () => {
    expect(parseRolloutFileName('rollout-2026-11-21T14-31-24-01a1fe84-e393-7df3-89c1-fe2af51ed21c.jsonl')).to.deep.equal({
      fileTimestamp: '2026-11-21T14:31:24Z',
      threadId: '01a1fe84-e393-7df3-89c1-fe2af51ed21c',
      revisionId: undefined,
    });
  });

  it('parses a revision file name (base thread id, then revision id)', () => {
    expect(parseRolloutFileName('rollout-2026-11-21T14-31-25-01a1fe84-e393-7df3-89c1-fe2af51ed21c_01a1fe84-e7b0-7381-9b82-8448801fa88d.jsonl')).to.deep.equal({
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
});
