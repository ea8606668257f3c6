import { expect } from 'chai';
import { quoteWord, shellJoin } from '../../../domain/thread/shellJoin.js';
import { renderReviewOutput, REVIEW_FALLBACK } from '../../../domain/thread/reviewText.js';

describe('shellJoin (shlex::try_join semantics)', () => {
  const cases: Array<[string, string]> = [
    ['echo', 'echo'],
    ['/bin/bash', '/bin/bash'],
    ['-lc', '-lc'],
    ['', "''"],
    ['echo hi', "'echo hi'"],
    ['hello world', "'hello world'"],
    ["it's", `"it's"`],
    ['a^b', "a'^b'"],
    [`'"`, `"'\\""`],
    ['echo oops >&2; exit 3', "'echo oops >&2; exit 3'"],
    ['héllo', "'héllo'"],
    ['$HOME', "'$HOME'"],
    ["$it's", `'$it'"'s"`],
  ];
  for (const [word, quoted] of cases) {
    it(`quotes ${JSON.stringify(word)} as ${quoted}`, () => expect(quoteWord(word)).to.equal(quoted));
  }
  it('joins argv with single spaces', () => {
    expect(shellJoin(['/bin/bash', '-lc', 'ls README.txt'])).to.equal("/bin/bash -lc 'ls README.txt'");
  });
  it('shows a placeholder for a NUL byte', () => {
    expect(shellJoin(['a\0b'])).to.equal('<command included NUL byte>');
  });
  it('quotes a script of a megabyte (a heredoc in one argv word)', () => {
    const script = 'echo hi\n'.repeat(128 * 1024);
    expect(quoteWord(script)).to.equal(`'${script}'`);
    expect(quoteWord('x'.repeat(1 << 20))).to.equal('x'.repeat(1 << 20));
  });
});

describe('renderReviewOutput', () => {
  const finding = {
    title: '[P2] README wording',
    body: 'The README could be clearer.',
    code_location: { absolute_file_path: '/w/README.txt', line_range: { start: 1, end: 1 } },
  };
  it('renders one finding as Codex does', () => {
    expect(renderReviewOutput({ findings: [finding], overall_explanation: 'Looks fine (review #2).' })).to.equal(
      'Looks fine (review #2).\n\nReview comment:\n\n- [P2] README wording — /w/README.txt:1-1\n  The README could be clearer.',
    );
  });
  it('starts with the header when the explanation is empty', () => {
    expect(renderReviewOutput({ findings: [finding], overall_explanation: '  ' })).to.match(/^Review comment:\n\n- /);
  });
  it('falls back to a fixed sentence when there is nothing to show', () => {
    expect(renderReviewOutput({ findings: [], overall_explanation: '' })).to.equal(REVIEW_FALLBACK);
    expect(renderReviewOutput(null)).to.equal(REVIEW_FALLBACK);
  });
  it('drops a trailing newline and \\r of a body like Rust lines()', () => {
    expect(renderReviewOutput({ findings: [{ ...finding, body: 'a\r\nb\n' }], overall_explanation: 'x' })).to.equal(
      'x\n\nReview comment:\n\n- [P2] README wording — /w/README.txt:1-1\n  a\n  b',
    );
  });
});
