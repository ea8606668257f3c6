import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { useTempDir } from '../fixtures/tempDir.js';

// The fixture's removal must come after the spec's own `after` hooks (which close what writes in
// the directory); removed first, a clean-clone run once failed and then hung.
describe('useTempDir: the directory outlives the suite’s own after hooks, then is gone', () => {
  let made: string | undefined;
  describe('a suite that writes in its temp dir from its own after hook', () => {
    const tmp = useTempDir('temp-dir-order-');
    it('has the directory', () => {
      made = tmp();
      expect(fs.statSync(made).isDirectory()).to.equal(true);
    });
    after(() => {
      // What a closing server does: a last write into its index folder.
      fs.mkdirSync(nodePath.join(tmp(), '.rollout-engine'));
      fs.writeFileSync(nodePath.join(tmp(), '.rollout-engine', 'last-write'), 'x');
    });
  });
  after(() => {
    expect(made).to.be.a('string');
    expect(fs.existsSync(made!)).to.equal(false);
  });
});
