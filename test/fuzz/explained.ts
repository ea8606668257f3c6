// The differences the fuzzer does not fail on, each a difference class (method and answer path,
// array indexes as `[]`) with why. Two kinds:
//   - explained: something Codex cannot do, or a rule docs/compatibility.md states; kept;
//   - KNOWN-OPEN: an open defect of issue 69; the long run reports them apart, and an entry is
//     deleted once its fix is merged (fid-folds' cwd and error entries went with its merge).
// Everything else is unexplained and fails the run.
import type { AnswerDifference } from '../compat/historyComparison.js';
import { renderHome, WORKDIR, type FuzzHome } from './fuzzHome.js';

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

/** Whether an edit of the home lands on a field whose description (`line N <variant>.<field> = v`) matches. */
const edited = (home: FuzzHome, field: RegExp): boolean => renderHome(home, WORKDIR).files.some((f) => f.edits.some((e) => field.test(e)));
const READS = /^thread\/(read|list|turns\/list|items\/list|items\/read)$/;

export const DECLARED: readonly DeclaredDifference[] = [
  {
    id: 'undecodable memory citation',
    method: READS,
    path: /./,
    when: (home) => edited(home, / item\/AgentMessage\.memory_citation /),
    why: "an agent message item's memory_citation set to an object of a shape Codex's serde refuses (`{}`): Codex drops the line; the rules (codexSerde.ts) do not know MemoryCitation's required fields",
    docs: 'issue 69: lines Codex cannot decode (codexSerde.ts follows every other measured cell of the items the fuzzer edits)',
    knownOpen: "issue 69, open: a MemoryCitation's shape (also the legacy agent_message's, a turn context's permission profiles)",
  },
  {
    id: 'paginated turn Codex never started',
    method: READS,
    path: /^(result\.(thread\.turns|data)(\[\]\..*)?|result\.(nextCursor|backwardsCursor)|\(page count\))$/,
    when: (home) =>
      home.threads.some((t) => t.mode === 'paginated') && edited(home, / event_msg\/(task_started\.|(item_completed|task_complete|turn_aborted)\.turn_id )/),
    why: "a paginated turn's task_started Codex's serde refuses, or an item or end edited to name another turn: Codex shows no turn for items and ends naming a turn it never started (its history projection drops them, thread_history.rs `upsert_item_in_turn_id`); ours makes the turn from them, as a review turn without task_started needs",
    docs: 'issue 69: lines Codex cannot decode (the line is skipped as Codex skips it; the paginated fold of items naming a turn not started is open)',
    knownOpen: 'issue 69, open: items and ends of a paginated turn Codex never started (D9, D10 in paginated mode)',
  },
];

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
      (d) => (typeof d.method === 'string' ? d.method === difference.method : d.method.test(difference.method)) && d.path.test(path) && d.when(home),
    ),
  }));
