import { expect } from 'chai';
import { aboutThread, rejected } from '../../../../domain/errors.js';
import { malformedIdHint, type HintedError } from '../../../../adapters/driving/cli/threadIdArgument.js';

const hintOf = (e: ReturnType<typeof rejected>): string | undefined => (malformedIdHint(e) as HintedError).hint;

// The CLI's hints route on the refusal's typed cause (`RefusedThread`), not on its words (issue 71).
describe('threadIdArgument: hints by the refusal’s cause', () => {
  it('a malformed id the refusal names is hinted; the same words with no cause are not', () => {
    const words = rejected('invalid thread id: invalid length: expected length 32 for simple format, found 3');
    expect(hintOf(aboutThread(words, 'abc', 'malformedId'))).to.equal(
      '"abc" is not a thread id (nor the start of one): run `rollout-engine threads` to list them (`rollout-engine threads --archived`: the archived ones)',
    );
    expect(hintOf(words)).to.equal(undefined);
    expect(hintOf(aboutThread(rejected('no rollout found for thread id x'), 'x', 'noRollout'))).to.equal(undefined);
  });
});
