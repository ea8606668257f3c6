import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { kindBelowSync, listFolderSync, readTextBelowSync } from '../fs/heldRead.js';

/**
 * Where a Claude Code config migration reads and writes (claudeCodeConfig.ts): the user's scope or a
 * repository's, and how its sources and targets are looked at.
 */

const CLAUDE_DIR = '.claude';
const CLAUDE_MD = 'CLAUDE.md';

const exists = (path: string): boolean => fs.existsSync(path);
/** Whether anything is at a target's name, a link (dangling or not) included: as Codex looks (`symlink_metadata`), a link there is no missing target. */
export const taken = (path: string): boolean => fs.lstatSync(path, { throwIfNoEntry: false }) !== undefined;
const isFile = (path: string): boolean => fs.statSync(path, { throwIfNoEntry: false })?.isFile() === true;
/**
 * Sources are read below a root (`Scope.sourceRoot`: the repository, or the Claude home) with no
 * link followed on the way or at the file, and only regular files (`heldRead.ts`): a repository's
 * `.claude` or `.claude/skills` linked to another user's folder copies nothing of it, a FIFO blocks
 * nothing. (Codex 0.169.0 follows such links: `external_agent_config` reads with `std::fs`.)
 */
export const isDirBelow = (root: string, dir: string): boolean => kindBelowSync(root, dir) === 'dir';
/** A source's text: a regular file below `root` only (as above); none when it is not one. */
export const sourceText = (root: string, path: string): string | undefined => {
  try {
    return readTextBelowSync(root, path);
  } catch {
    return undefined;
  }
};
const hasText = (root: string, path: string): boolean => (sourceText(root, path)?.trim() ?? '') !== '';
/** Missing, or a regular file holding only blanks (a folder or a link there is not overwritten: Codex looks without following it). */
export const missingOrBlank = (root: string, path: string): boolean =>
  !taken(path) || (fs.lstatSync(path).isFile() && (sourceText(root, path)?.trim() ?? '') === '');

/** The repository a cwd is in: the nearest folder holding `.git` (a folder or a file), else the cwd; none when the cwd does not exist. */
export const repoRootOf = (cwd: string): string | undefined => {
  if (cwd === '' || !exists(cwd)) return undefined;
  const start = isFile(cwd) ? nodePath.dirname(cwd) : nodePath.resolve(cwd);
  for (let dir = start; ; dir = nodePath.dirname(dir)) {
    if (exists(nodePath.join(dir, '.git'))) return dir;
    if (nodePath.dirname(dir) === dir) return start;
  }
};

export interface Scope {
  readonly cwd: string | null;
  /**
   * The folders below which a target is written without following a link (the repository; in the
   * user's scope CODEX_HOME, and for skills the folder above it): a link a repository planted at
   * `AGENTS.md`, `.codex` or `.agents` is refused, never followed out of it.
   */
  readonly root: string;
  readonly skillsRoot: string;
  /** The folder below which sources are read without following a link: the repository, or the Claude home. */
  readonly sourceRoot: string;
  readonly agentsMdSource: string | undefined;
  readonly agentsMdTarget: string;
  readonly skillsSource: string;
  readonly skillsTarget: string;
  readonly commandsSource: string;
  readonly agentsSource: string;
  readonly agentsTarget: string;
}

export const scopeOf = (claudeHome: string, codexHome: string, repoRoot: string | null): Scope =>
  repoRoot === null
    ? {
        cwd: null,
        root: codexHome,
        skillsRoot: nodePath.dirname(codexHome),
        sourceRoot: claudeHome,
        agentsMdSource: hasText(claudeHome, nodePath.join(claudeHome, CLAUDE_MD))
          ? nodePath.join(claudeHome, CLAUDE_MD)
          : undefined,
        agentsMdTarget: nodePath.join(codexHome, 'AGENTS.md'),
        skillsSource: nodePath.join(claudeHome, 'skills'),
        skillsTarget: nodePath.join(nodePath.dirname(codexHome), '.agents', 'skills'),
        commandsSource: nodePath.join(claudeHome, 'commands'),
        agentsSource: nodePath.join(claudeHome, 'agents'),
        agentsTarget: nodePath.join(codexHome, 'agents'),
      }
    : {
        cwd: repoRoot,
        root: repoRoot,
        skillsRoot: repoRoot,
        sourceRoot: repoRoot,
        agentsMdSource: [nodePath.join(repoRoot, CLAUDE_MD), nodePath.join(repoRoot, CLAUDE_DIR, CLAUDE_MD)].find((p) =>
          hasText(repoRoot, p),
        ),
        agentsMdTarget: nodePath.join(repoRoot, 'AGENTS.md'),
        skillsSource: nodePath.join(repoRoot, CLAUDE_DIR, 'skills'),
        skillsTarget: nodePath.join(repoRoot, '.agents', 'skills'),
        commandsSource: nodePath.join(repoRoot, CLAUDE_DIR, 'commands'),
        agentsSource: nodePath.join(repoRoot, CLAUDE_DIR, 'agents'),
        agentsTarget: nodePath.join(repoRoot, '.codex', 'agents'),
      };

/**
 * A folder's entries in the order the file system lists them (`opendir`, unsorted: the order
 * Codex's `read_dir` walks and reports; `readdir` would sort them), held below `root` (`heldRead.ts`).
 */
export const entriesOf = (root: string, dir: string): fs.Dirent[] => listFolderSync(root, dir);

export const subfolders = (root: string, dir: string): string[] =>
  isDirBelow(root, dir)
    ? entriesOf(root, dir)
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
    : [];

/** The scope an item names: the home for no (or an empty) cwd, else the cwd's repository; none for a cwd that is not there. */
export const scopeOfItem = (
  claudeHome: string,
  codexHome: string,
  cwd: string | null | undefined,
): Scope | undefined => {
  if (cwd === null || cwd === undefined || cwd === '') return scopeOf(claudeHome, codexHome, null);
  const root = repoRootOf(cwd);
  return root === undefined ? undefined : scopeOf(claudeHome, codexHome, root);
};
