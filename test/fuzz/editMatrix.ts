// The fuzzer's census edits as a matrix (issue 69, lines Codex cannot decode): each census field of
// each line variant the fuzzer writes, set to each edge value, one thread per cell, in the thread
// shapes that hold the variant. A thread ends with an implicit legacy turn (no `task_started`), so
// a line Codex skips shifts that turn's `rollout-<index>` id even when nothing else shows it.
import { CENSUS_FIELDS } from './census.js';
import {
  EDGE_VALUES,
  renderHome,
  threadIdOf,
  WORKDIR,
  type FieldEdit,
  type FuzzHome,
  type FuzzThread,
  type RenderedFile,
} from './fuzzHome.js';

/** The thread shapes the cells are written in: each holds some of the variants. */
const SHAPES = {
  legacy: { mode: 'legacy', ending: 'complete', rollback: null },
  legacyAborted: { mode: 'legacy', ending: 'aborted', rollback: null },
  legacyError: { mode: 'legacy', ending: 'errorThenComplete', rollback: null },
  legacyRollback: { mode: 'legacy', ending: 'complete', rollback: 1 },
  paginated: { mode: 'paginated', ending: 'complete', rollback: null },
  paginatedAborted: { mode: 'paginated', ending: 'aborted', rollback: null },
} as const;
export type MatrixShape = keyof typeof SHAPES;

const baseThread = (shape: MatrixShape, edits: readonly FieldEdit[]): FuzzThread => {
  const s = SHAPES[shape];
  return {
    mode: s.mode,
    provider: 'mock',
    cwd: WORKDIR,
    source: 'vscode',
    turns: [{ user: 'turn 1', answer: 'A1', ending: s.ending, command: true, noContext: false }],
    secondMeta: false,
    rollback: s.rollback,
    tail: 'none',
    paddedLines: false,
    archived: false,
    edits,
  };
};

export interface MatrixCell {
  readonly shape: MatrixShape;
  /** `<census key>.<field> = <edge>`. */
  readonly name: string;
  readonly thread: FuzzThread;
}

/** The census key of each line of a shape's thread (`item/<type>` for an item_completed's item too). */
const keysOfShape = (shape: MatrixShape): Array<{ line: number; key: string; inItem: boolean }> => {
  const file = renderHome({ config: 'mock', threads: [baseThread(shape, [])], stepSeed: 0 }, '/w').files[0]!;
  return file.content
    .split('\n')
    .filter((l) => l !== '')
    .flatMap((raw, line) => {
      const l = JSON.parse(raw) as { type: string; payload: { type?: string; item?: { type?: string } } };
      if (l.type !== 'event_msg') return [{ line, key: l.type, inItem: false }];
      const own = { line, key: `event_msg/${String(l.payload.type)}`, inItem: false };
      return l.payload.type === 'item_completed'
        ? [own, { line, key: `item/${String(l.payload.item?.type)}`, inItem: true }]
        : [own];
    });
};

/**
 * Every cell: per shape, the first line of each census key no earlier shape covered (a variant in
 * the legacy shape is not asked again of the aborted one), each of its fields, each edge value
 * (`edges`: indexes into EDGE_VALUES, default all).
 */
export const matrixCells = (
  shapes: readonly MatrixShape[],
  edges: readonly number[] = EDGE_VALUES.map((_, i) => i),
  keyFilter?: RegExp,
): MatrixCell[] => {
  const cells: MatrixCell[] = [];
  const covered = new Set<string>();
  for (const shape of shapes) {
    const seen = new Set<string>();
    for (const { line, key, inItem } of keysOfShape(shape)) {
      const coverKey = `${SHAPES[shape].mode} ${key}`;
      if (seen.has(key) || covered.has(coverKey) || (keyFilter !== undefined && !keyFilter.test(key))) continue;
      seen.add(key);
      covered.add(coverKey);
      const fields = CENSUS_FIELDS.get(key) ?? [];
      fields.forEach((field, f) => {
        for (const edge of edges) {
          const edit: FieldEdit = { line, field: f, edge, inItem };
          const thread = baseThread(shape, [edit]);
          const rendered = renderHome({ config: 'mock', threads: [thread], stepSeed: 0 }, WORKDIR).files[0]!;
          cells.push({ shape, name: `${shape} ${rendered.edits[0] ?? `${key}.${field}`}`, thread });
        }
      });
    }
  }
  return cells;
};

/** The implicit legacy turn every cell's thread ends with: a user message and an answer, no `task_started`. */
const implicitTurn = (lastTimestamp: string): string[] => {
  const at = (ms: number): string => new Date(Date.parse(lastTimestamp) + ms).toISOString();
  return [
    JSON.stringify({
      timestamp: at(1000),
      type: 'event_msg',
      payload: { type: 'user_message', message: 'implicit turn', images: [], local_images: [], text_elements: [] },
    }),
    JSON.stringify({
      timestamp: at(2000),
      type: 'event_msg',
      payload: { type: 'agent_message', message: 'implicit answer', phase: null, memory_citation: null },
    }),
  ];
};

/** The cells as one home: thread i is cell i (its id `threadIdOf(i)`), legacy files ending with an implicit turn. */
export const matrixHome = (
  cells: readonly MatrixCell[],
  workDir: string,
): { home: FuzzHome; files: RenderedFile[] } => {
  const home: FuzzHome = { config: 'mock', threads: cells.map((c) => c.thread), stepSeed: 0 };
  const files = renderHome(home, workDir).files.map((f, i): RenderedFile => {
    if (cells[i]!.thread.mode !== 'legacy') return f;
    const lines = f.content.split('\n').filter((l) => l !== '');
    const last = (JSON.parse(lines[lines.length - 1]!) as { timestamp: string }).timestamp;
    const extra = implicitTurn(last);
    return { ...f, content: `${f.content}${extra.join('\n')}\n`, mtimeMs: Date.parse(last) + 2000 };
  });
  return { home, files };
};

export { threadIdOf };
