// The house's bounds on length (issue 71, "split the long functions"): no non-test file over 400 lines and no
// function over 80 lines, unless its header says why. codeShape.int.spec.ts holds the code to it;
// `node dist/test/lint/codeShape.js` prints every file and function over its bound, reasons included.
//
// A reason is a comment line `long: <why>` (as `// long: …` or ` * long: …`): for a file, in the comments
// that open it (before its first statement); for a function, in the comments directly above it, or above
// the statement, property or export that holds it.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { findRoot, SOURCE_DIRS } from './importGraph.js';

export const FILE_LINES_BOUND = 400;
export const FUNCTION_LINES_BOUND = 80;

/** The code outside test/ that the bounds hold: the engine, the viewer and the benches. */
export const SHAPED_DIRS = [...SOURCE_DIRS, 'viewer', 'bench'] as const;

export interface LongFile {
  readonly file: string;
  readonly lines: number;
  readonly reason: string | undefined;
}

export interface LongFunction {
  readonly file: string;
  /** The function's name: its own, or the variable, property or method that holds it; `<fn@line>` for an anonymous one. */
  readonly name: string;
  /** 1-based line of the function's start. */
  readonly line: number;
  /** Lines of its body, the first and last (braces) included. */
  readonly lines: number;
  readonly reason: string | undefined;
}

const REASON = /^\s*(?:\/\/|\/?\*+)\s*long:\s*(\S.*?)\s*(?:\*\/)?\s*$/m;

/** The reason stated in a run of comments, if one of their lines is `long: <why>`. */
const reasonIn = (comments: string): string | undefined => REASON.exec(comments)?.[1];

/** The text of the comments directly above `node` (its leading trivia). */
const leadingComments = (source: ts.SourceFile, node: ts.Node): string =>
  (ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [])
    .map((r) => source.text.slice(r.pos, r.end))
    .join('\n');

const lineOf = (source: ts.SourceFile, pos: number): number => source.getLineAndCharacterOfPosition(pos).line + 1;

/** Lines a file counts: its lines, a final newline not opening one more. */
const fileLines = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

type FunctionNode =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.AccessorDeclaration;

const isFunctionNode = (node: ts.Node): node is FunctionNode =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node);

const nameText = (name: ts.PropertyName | ts.BindingName | undefined, source: ts.SourceFile): string | undefined =>
  name === undefined
    ? undefined
    : ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)
      ? name.text
      : name.getText(source);

/**
 * The nodes whose leading comments are a function's header, innermost first, and its name: a function
 * expression or arrow held by a variable, property or default export takes that holder's name and comments.
 */
const holdersOf = (fn: FunctionNode, source: ts.SourceFile): { name: string | undefined; holders: ts.Node[] } => {
  const holders: ts.Node[] = [fn];
  let name = ts.isConstructorDeclaration(fn) ? 'constructor' : nameText(fn.name, source);
  let node: ts.Node = fn;
  // A function wrapped in a call (`useCase(() => …)`, `memo(function …)`) or a cast is still held by what holds the call.
  while (
    ts.isCallExpression(node.parent) ||
    ts.isParenthesizedExpression(node.parent) ||
    ts.isAsExpression(node.parent) ||
    ts.isSatisfiesExpression(node.parent)
  ) {
    node = node.parent;
    holders.push(node);
  }
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    name ??= nameText(parent.name, source);
    holders.push(parent);
    if (
      ts.isVariableDeclaration(parent) &&
      ts.isVariableDeclarationList(parent.parent) &&
      ts.isVariableStatement(parent.parent.parent)
    )
      holders.push(parent.parent.parent);
  } else if (ts.isExportAssignment(parent)) {
    name ??= 'default';
    holders.push(parent);
  }
  return { name, holders };
};

/** A function that is all another's body (`(deps) => useCase((input) => { … })`, `() => new Promise((resolve) => { … })`): one function, counted once as the outer one. */
const isWholeBodyOfAnother = (fn: FunctionNode): boolean => {
  let node: ts.Node = fn;
  while (
    ts.isCallExpression(node.parent) ||
    ts.isNewExpression(node.parent) ||
    ts.isParenthesizedExpression(node.parent) ||
    ts.isAsExpression(node.parent)
  )
    node = node.parent;
  return ts.isArrowFunction(node.parent) && node.parent.body === node;
};

/** Files over the bound and functions whose body runs over the bound, in one source file. */
export const shapeOf = (
  file: string,
  text: string,
): { longFile: LongFile | undefined; longFunctions: LongFunction[] } => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lines = fileLines(text);
  const firstStatement = source.statements[0];
  const header = firstStatement === undefined ? text : text.slice(0, firstStatement.getStart(source));
  const longFile = lines > FILE_LINES_BOUND ? { file, lines, reason: reasonIn(header) } : undefined;
  const longFunctions: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node) && node.body !== undefined && !isWholeBodyOfAnother(node)) {
      const bodyLines = lineOf(source, node.body.getEnd()) - lineOf(source, node.body.getStart(source)) + 1;
      if (bodyLines > FUNCTION_LINES_BOUND) {
        const { name, holders } = holdersOf(node, source);
        const line = lineOf(source, node.getStart(source));
        longFunctions.push({
          file,
          name: name ?? `<fn@${line}>`,
          line,
          lines: bodyLines,
          reason: holders.map((h) => reasonIn(leadingComments(source, h))).find((r) => r !== undefined),
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { longFile, longFunctions };
};

const tsFilesUnder = (root: string, dir: string): string[] =>
  readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? tsFilesUnder(root, path.posix.join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
        ? [path.posix.join(dir, e.name)]
        : [],
  );

/** Every file and function over its bound in the shaped folders, reasons included. */
export const codeShape = (root: string): { files: LongFile[]; functions: LongFunction[] } => {
  const shapes = SHAPED_DIRS.flatMap((d) => tsFilesUnder(root, d)).map((f) =>
    shapeOf(f, readFileSync(path.join(root, f), 'utf8')),
  );
  return {
    files: shapes.flatMap((s) => (s.longFile === undefined ? [] : [s.longFile])).sort((a, b) => b.lines - a.lines),
    functions: shapes.flatMap((s) => s.longFunctions).sort((a, b) => b.lines - a.lines),
  };
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { files, functions } = codeShape(findRoot());
  const why = (reason: string | undefined): string => (reason === undefined ? 'NO REASON' : `long: ${reason}`);
  process.stdout.write(
    `files over ${FILE_LINES_BOUND} lines: ${files.length} (${files.filter((f) => f.reason === undefined).length} without a reason)\n`,
  );
  for (const f of files) process.stdout.write(`${String(f.lines).padStart(5)}  ${f.file}  ${why(f.reason)}\n`);
  process.stdout.write(
    `functions over ${FUNCTION_LINES_BOUND} lines: ${functions.length} (${functions.filter((f) => f.reason === undefined).length} without a reason)\n`,
  );
  for (const f of functions)
    process.stdout.write(`${String(f.lines).padStart(5)}  ${f.file}:${f.line} ${f.name}  ${why(f.reason)}\n`);
}
