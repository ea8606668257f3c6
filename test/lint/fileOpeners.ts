// The file-opening call sites of a TypeScript source, found on its syntax tree (the TypeScript
// parser, no type information): what `fileOpeners.int.spec.ts` checks against its allow-list.
import ts from 'typescript';

/** The fs functions that open, create, list, copy, move, remove or chmod a path (a handle's own methods are not: it was opened already). */
export const FS_OPENERS: ReadonlySet<string> = new Set(
  [
    'open',
    'readFile',
    'writeFile',
    'appendFile',
    'createReadStream',
    'createWriteStream',
    'mkdir',
    'mkdtemp',
    'opendir',
    'readdir',
    'cp',
    'copyFile',
    'rename',
    'symlink',
    'link',
    'truncate',
    'chmod',
    'chown',
    'rm',
    'rmdir',
    'unlink',
    'utimes',
    'watch',
  ].flatMap((name) => [name, `${name}Sync`]),
);

const FS_MODULES: ReadonlySet<string> = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises']);
/** Modules whose default export opens a file by name when constructed (SQLite: `new Database(path)`). */
const CONSTRUCTOR_MODULES: ReadonlySet<string> = new Set(['better-sqlite3']);
/** The SQLite port's opener of a DB file by name (adapters/driven/sqlite/sqliteDb.ts, either driver), where imported by name. */
const SQLITE_PORT_OPENERS: ReadonlySet<string> = new Set(['openSqlite']);
const isSqlitePort = (module: string): boolean => /(^|\/)sqlite\/sqliteDb\.js$/.test(module);
/** node:sqlite's class, which opens a file by name when constructed however it was loaded (the port takes it from process.getBuiltinModule). */
const NODE_SQLITE_CLASS = 'DatabaseSync';
/** Modules whose named `open` opens a file or folder by name (LMDB's environment). */
const OPEN_MODULES: ReadonlySet<string> = new Set(['lmdb']);

export interface OpenerSite {
  readonly line: number;
  /** What is called, as written: `fs.readFile`, `readFileSync`, `new Sqlite`, `open` (lmdb). */
  readonly call: string;
}

const moduleOf = (node: ts.Node): string | undefined => (ts.isStringLiteral(node) ? node.text : undefined);

/**
 * Every call in `source` (the text of `fileName`) that opens a path: a call of a fs opener through a
 * namespace (`fs.open`, `fs.promises.open`, `fsSync.readFileSync`), a named import of one (`readFileSync(…)`,
 * renamed or not), `new X(…)` of better-sqlite3's default export (imported, or destructured from
 * `await import('better-sqlite3')`), `new` of node:sqlite's `DatabaseSync` (however reached), the SQLite port's
 * `openSqlite(…)` (imported by name), and lmdb's named `open(…)`.
 */
export const openerSites = (fileName: string, source: string): OpenerSite[] => {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const namespaces = new Set<string>();
  const named = new Map<string, string>();
  const constructors = new Set<string>();
  const lmdbOpens = new Set<string>();
  const bind = (module: string, clause: ts.ImportClause | undefined): void => {
    if (clause === undefined) return;
    const bindings = clause.namedBindings;
    if (FS_MODULES.has(module)) {
      if (clause.name !== undefined) namespaces.add(clause.name.text);
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text);
      if (bindings !== undefined && ts.isNamedImports(bindings))
        for (const el of bindings.elements) {
          const imported = (el.propertyName ?? el.name).text;
          if (FS_OPENERS.has(imported)) named.set(el.name.text, imported);
          if (imported === 'promises') namespaces.add(el.name.text);
        }
    }
    if (CONSTRUCTOR_MODULES.has(module) && clause.name !== undefined && !clause.isTypeOnly)
      constructors.add(clause.name.text);
    if (isSqlitePort(module) && bindings !== undefined && ts.isNamedImports(bindings))
      for (const el of bindings.elements)
        if (SQLITE_PORT_OPENERS.has((el.propertyName ?? el.name).text))
          named.set(el.name.text, (el.propertyName ?? el.name).text);
    if (OPEN_MODULES.has(module) && bindings !== undefined && ts.isNamedImports(bindings))
      for (const el of bindings.elements) if ((el.propertyName ?? el.name).text === 'open') lmdbOpens.add(el.name.text);
  };
  const sites: OpenerSite[] = [];
  const lineOf = (node: ts.Node): number => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  /** `x` or `x.promises` where x is a fs namespace. */
  const isFsNamespace = (e: ts.Expression): boolean =>
    (ts.isIdentifier(e) && namespaces.has(e.text)) ||
    (ts.isPropertyAccessExpression(e) &&
      e.name.text === 'promises' &&
      ts.isIdentifier(e.expression) &&
      namespaces.has(e.expression.text));
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const module = moduleOf(node.moduleSpecifier);
      if (module !== undefined) bind(module, node.importClause);
    }
    // `const { default: Sqlite } = await import('better-sqlite3')` (loaded only where used).
    if (ts.isVariableDeclaration(node) && node.initializer !== undefined && ts.isObjectBindingPattern(node.name)) {
      const init = ts.isAwaitExpression(node.initializer) ? node.initializer.expression : node.initializer;
      if (ts.isCallExpression(init) && init.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const module = init.arguments[0] === undefined ? undefined : moduleOf(init.arguments[0]);
        for (const el of node.name.elements) {
          const imported =
            el.propertyName !== undefined && ts.isIdentifier(el.propertyName)
              ? el.propertyName.text
              : ts.isIdentifier(el.name)
                ? el.name.text
                : '';
          if (!ts.isIdentifier(el.name)) continue;
          if (module !== undefined && CONSTRUCTOR_MODULES.has(module) && imported === 'default')
            constructors.add(el.name.text);
          if (module !== undefined && FS_MODULES.has(module) && FS_OPENERS.has(imported))
            named.set(el.name.text, imported);
        }
      }
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isPropertyAccessExpression(callee) && FS_OPENERS.has(callee.name.text) && isFsNamespace(callee.expression))
        sites.push({ line: lineOf(node), call: callee.getText(file) });
      else if (ts.isIdentifier(callee) && named.has(callee.text)) sites.push({ line: lineOf(node), call: callee.text });
      else if (ts.isIdentifier(callee) && lmdbOpens.has(callee.text))
        sites.push({ line: lineOf(node), call: `${callee.text} (lmdb)` });
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && constructors.has(node.expression.text))
      sites.push({ line: lineOf(node), call: `new ${node.expression.text}` });
    else if (
      ts.isNewExpression(node) &&
      ((ts.isIdentifier(node.expression) && node.expression.text === NODE_SQLITE_CLASS) ||
        (ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === NODE_SQLITE_CLASS))
    )
      sites.push({ line: lineOf(node), call: `new ${NODE_SQLITE_CLASS}` });
    ts.forEachChild(node, visit);
  };
  visit(file);
  return sites;
};
