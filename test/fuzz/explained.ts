// The differences the fuzzer does not fail on, each a difference class (method and answer path,
// array indexes as `[]`) with why. Two kinds:
//   - explained: something Codex cannot do, or a rule docs/compatibility.md states; kept;
//   - KNOWN-OPEN: an open defect of issue 69; the long run reports them apart, and an entry is
//     deleted once its fix is merged (fid-folds' cwd and error entries went with its merge).
// Everything else is unexplained and fails the run.
import type { AnswerDifference } from '../compat/historyComparison.js';
import { codexRefusal } from '../../domain/rollout/codexSerde.js';
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
/** Whether a thread's own meta (its file's first line) is one Codex's serde refuses (codexSerde.ts). */
const refusedMeta = (home: FuzzHome): boolean =>
  renderHome(home, WORKDIR).files.some((f) => {
    const first = JSON.parse(f.content.slice(0, f.content.indexOf('\n'))) as { payload?: unknown };
    return codexRefusal('sessionMeta', first.payload) !== undefined;
  });
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
    id: 'refused meta, later meta read',
    method: READS,
    path: /^(result|error)$/,
    when: (home) => refusedMeta(home) && home.threads.some((t) => t.secondMeta),
    why: "a thread's first session_meta Codex's serde refuses and a later one it reads before any response item: Codex takes the later meta as the thread's (rollout/src/list.rs `read_head_for_summary`, its first record it decodes) and reads the thread; ours keeps no row for it (the rows keep the first meta only) and answers `thread not loaded`",
    docs: 'issue 69: lines Codex cannot decode (with the second-session_meta item)',
    knownOpen: 'issue 69, open: a thread whose first meta Codex refuses and whose later meta it reads',
  },
  {
    id: 'state DB row of a refused meta',
    method: 'thread/list',
    path: /^(result\.(data(\[\]\..*)?|backwardsCursor|nextCursor)|\(page count\))$/,
    when: refusedMeta,
    why: 'a first session_meta Codex\'s serde refuses: Codex refuses every read and its file scan lists it nowhere (as ours), but its state DB\'s backfill keeps a row for the file (originator null, cliVersion ""), which a state-DB list shows',
    docs: 'issue 69: lines Codex cannot decode (test/compat/undecodableLines.compat.spec.ts)',
    knownOpen: 'issue 69, open: the state-DB row Codex keeps for a thread whose meta it cannot decode',
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
