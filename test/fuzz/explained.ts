// The differences the fuzzer does not fail on, each a difference class (method and answer path,
// array indexes as `[]`) with why. Two kinds:
//   - explained: something Codex cannot do, or a rule docs/compatibility.md states; kept;
//   - KNOWN-OPEN: an open defect of issue 69; the long run reports them apart, and an entry is
//     deleted once its fix is merged.
// Everything else is unexplained and fails the run.
import type { AnswerDifference } from '../compat/historyComparison.js';
import type { FuzzHome } from './fuzzHome.js';

export interface DeclaredDifference {
  /** A short name, printed in the figures. */
  readonly id: string;
  readonly method: string | RegExp;
  /** Matched against each differing path (`turns[].items[].text`, `(page count)`, `` for the root). */
  readonly path: RegExp;
  /** The homes it is declared for: the class differs for another home is unexplained. */
  readonly when: (home: FuzzHome) => boolean;
  readonly why: string;
  /** Where the rule is documented (docs/compatibility.md section), or the issue item that fixes it. */
  readonly docs: string;
  /** Set for a defect another branch fixes (or one this branch hands over): the issue-69 item. */
  readonly knownOpen?: string;
}

/** None today: every class the fuzzer has found is followed (issue 69); a new one is declared here with its why, or fixed. */
export const DECLARED: readonly DeclaredDifference[] = [];

/** A difference's class: its method and path. */
export const differenceClass = (method: string, path: string): string => `${method} ${path === '' ? '(root)' : path}`;

export interface ClassifiedPath {
  readonly cls: string;
  readonly declared: DeclaredDifference | undefined;
}

/** Each differing path of an answer with the declared entry that covers it on this home, if any. */
export const classify = (difference: AnswerDifference, home: FuzzHome): ClassifiedPath[] =>
  difference.paths.map((path) => ({
    cls: differenceClass(difference.method, path),
    declared: DECLARED.find(
      (d) =>
        (typeof d.method === 'string' ? d.method === difference.method : d.method.test(difference.method)) &&
        d.path.test(path) &&
        d.when(home),
    ),
  }));
