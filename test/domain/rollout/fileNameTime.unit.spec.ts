import { expect } from 'chai';
import { fileNameTimestampOf } from '../../../domain/rollout/rolloutFile.js';

const ID = '01a21c51-86d8-7510-a41e-74241e787b30';

describe("fileNameTimestampOf: a rollout file name's time as Codex's file scan reads it", () => {
  it("reads the name's time as UTC, whatever folder holds it (a revision file too)", () => {
    expect(fileNameTimestampOf(`/h/sessions/2026/11/27/rollout-2026-11-27T09-23-54-${ID}.jsonl`)).to.equal(
      '2026-11-27T09:23:54Z',
    );
    expect(fileNameTimestampOf(`rollout-2026-11-27T23-59-59-${ID}_${ID}.jsonl`)).to.equal('2026-11-27T23:59:59Z');
  });

  it('has no time for a name whose time is none (Codex passes the file by): hour 25, February 30, second 60', () => {
    expect(fileNameTimestampOf(`rollout-2026-11-27T25-00-00-${ID}.jsonl`)).to.equal(undefined);
    expect(fileNameTimestampOf(`rollout-2026-02-30T10-00-00-${ID}.jsonl`)).to.equal(undefined);
    expect(fileNameTimestampOf(`rollout-2026-11-27T10-00-60-${ID}.jsonl`)).to.equal(undefined);
    expect(fileNameTimestampOf(`/h/sessions/notes-${ID}.jsonl`)).to.equal(undefined);
  });
});
