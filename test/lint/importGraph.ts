// The house's rooms and floors, and the arrows between them drawn from the imports: what
// importGraph.int.spec.ts holds to "no arrow runs back up a floor" (issue 71, rooms by role).
// `node dist/test/lint/importGraph.js` prints the arrows between the rooms with their counts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The rooms, each on a floor (higher is outer): a module may import its own floor and the floors below it.
 * The drivers (the CLI, the RPC server, the composition root) drive the engine; the driven adapters
 * (files, LMDB, EventStoreDB, Codex's state DB, ...) are driven by it, through the ports the indexer,
 * replay/ and domain/ declare. The first room whose prefix a file's path starts with holds it.
 */
export const ROOMS: ReadonlyArray<{ readonly room: string; readonly floor: number }> = [
  { room: 'adapters/driving/cli', floor: 8 },
  { room: 'adapters/driving/rpc', floor: 7 },
  { room: 'adapters/driving/composition', floor: 7 },
  { room: 'indexer', floor: 6 },
  { room: 'adapters/driven', floor: 5 },
  { room: 'replay', floor: 4 },
  { room: 'migrations', floor: 3 },
  { room: 'projections', floor: 2 },
  { room: 'protocol', floor: 2 },
  { room: 'domain', floor: 1 },
];

/** The engine's source folders (test/, bench/ and viewer/ sit outside the house and may import any room). */
export const SOURCE_DIRS = [
  'domain',
  'projections',
  'protocol',
  'replay',
  'migrations',
  'indexer',
  'adapters',
] as const;

/** The room holding `file` (a repo-relative path), or undefined when none does. */
export const roomOf = (file: string): { readonly room: string; readonly floor: number } | undefined =>
  ROOMS.find(({ room }) => file === room || file.startsWith(`${room}/`));

/** The repo-relative files a module imports: static imports and re-exports (type-only ones too) and dynamic imports of a literal relative path. */
export const importsOf = (file: string, source: string): string[] =>
  [
    ...[...source.matchAll(/^(?:import|export)\b[^'"]*?\bfrom\s+'(\.{1,2}\/[^']+)\.js'/gm)].map((m) => m[1]!),
    ...[...source.matchAll(/\bimport\(\s*'(\.{1,2}\/[^']+)\.js'\s*\)/g)].map((m) => m[1]!),
  ].map((relative) => path.posix.join(path.posix.dirname(file), `${relative}.ts`));

export interface Arrow {
  readonly from: string;
  readonly to: string;
  readonly count: number;
  /** The arrow runs from a lower floor to a higher one. */
  readonly upward: boolean;
}

/** The arrows between rooms (imports inside one room are not arrows), with how many imports each carries. */
export const roomArrows = (sources: ReadonlyMap<string, string>): Arrow[] => {
  const counts = new Map<string, number>();
  for (const [file, source] of sources) {
    const from = roomOf(file);
    if (from === undefined) continue;
    for (const target of importsOf(file, source)) {
      const to = roomOf(target);
      if (to === undefined || to.room === from.room) continue;
      const key = `${from.room}\0${to.room}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts]
    .map(([key, count]) => {
      const [from, to] = key.split('\0') as [string, string];
      return { from, to, count, upward: roomOf(from)!.floor < roomOf(to)!.floor };
    })
    .sort(
      (a, b) =>
        roomOf(b.from)!.floor - roomOf(a.from)!.floor || a.from.localeCompare(b.from) || a.to.localeCompare(b.to),
    );
};

/** The repo root: the nearest folder above this file (which runs from dist/test/lint/) holding package.json and ARCHITECTURE.md. */
export const findRoot = (): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'ARCHITECTURE.md')))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json with ARCHITECTURE.md above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
};

/** The `.ts` files below `dir` (repo-relative paths). */
export const tsFilesUnder = (root: string, dir: string): string[] =>
  readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? tsFilesUnder(root, path.posix.join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [path.posix.join(dir, e.name)]
        : [],
  );

/** The engine's sources, by repo-relative path. */
export const engineSources = (root: string): Map<string, string> =>
  new Map(SOURCE_DIRS.flatMap((d) => tsFilesUnder(root, d)).map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  for (const a of roomArrows(engineSources(findRoot())))
    process.stdout.write(`${String(a.count).padStart(4)}  ${a.from} -> ${a.to}${a.upward ? '  UPWARD' : ''}\n`);
}
