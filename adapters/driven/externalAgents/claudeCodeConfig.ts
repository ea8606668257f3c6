import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import yaml from 'js-yaml';
import { rewriteExternalAgentTerms } from '../../../domain/externalConfig/agentTerms.js';
import { commandSkillName, parseDocument, renderCommandSkill } from '../../../domain/externalConfig/commandSkill.js';
import type { Frontmatter, FrontmatterValue, ParsedDocument } from '../../../domain/externalConfig/commandSkill.js';
import { renderSubagentToml, subagentMetadata } from '../../../domain/externalConfig/subagentToml.js';
import type { SubagentMetadata } from '../../../domain/externalConfig/subagentToml.js';
import type { ConfigImportResult, ConfigItemType } from '../../../domain/externalConfig/migration.js';
import { checkFoldersBelow, mkdirNoFollow, refuseLinkSync } from '../fs/noFollow.js';
import { createNoFollow } from '../fs/heldFolder.js';
import { folderBelowSync, kindBelowSync, listFolderSync, readBytesBelow, readTextBelowSync } from '../fs/heldRead.js';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import type { ExternalAgentMigrationItem } from '../../../protocol/externalAgents.js';
import { migrationDetails } from '../../../protocol/externalAgents.js';

/**
 * Claude Code's instructions and skills as Codex 0.169.0 migrates them (`externalAgentConfig/detect`
 * and `…/import`, items AGENTS_MD and SKILLS), for the user's home (`cwd` null) and for the
 * repositories the client names:
 * - AGENTS_MD: `~/.claude/CLAUDE.md` → `CODEX_HOME/AGENTS.md`; in a repository its `CLAUDE.md`, else
 *   `.claude/CLAUDE.md` → `AGENTS.md` at its root. Offered and written only when the source has
 *   text and the target is missing or blank; the text is rewritten (`rewriteExternalAgentTerms`).
 * - SKILLS: each folder of `~/.claude/skills` (of `.claude/skills` in a repository) that the target
 *   (`<CODEX_HOME's parent>/.agents/skills`, `.agents/skills` in a repository) lacks is copied
 *   whole, its `SKILL.md` files rewritten, the rest byte for byte; an existing folder is left alone.
 * - COMMANDS: each Markdown file under `.claude/commands/` (folders too) becomes the skill
 *   `source-command-<its path, slugged>` in the skills target (`commandSkill.ts`), unless that
 *   folder exists or two commands would make the same skill.
 * - SUBAGENTS: each `.claude/agents/<file>.md` with a name, a description and a body becomes
 *   `agents/<file>.toml` in CODEX_HOME (`.codex/agents/` in a repository) unless it exists
 *   (`subagentToml.ts`).
 * A repository is the nearest folder above the given cwd holding `.git` (else the cwd itself).
 */
export type ConfigMigrationItem = ExternalAgentMigrationItem & { readonly itemType: ConfigItemType };

const CLAUDE_DIR = '.claude';
const CLAUDE_MD = 'CLAUDE.md';

const exists = (path: string): boolean => fs.existsSync(path);
/** Whether anything is at a target's name, a link (dangling or not) included: as Codex looks (`symlink_metadata`), a link there is no missing target. */
const taken = (path: string): boolean => fs.lstatSync(path, { throwIfNoEntry: false }) !== undefined;
const isFile = (path: string): boolean => fs.statSync(path, { throwIfNoEntry: false })?.isFile() === true;
/**
 * Sources are read below a root (`Scope.sourceRoot`: the repository, or the Claude home) with no
 * link followed on the way or at the file, and only regular files (`heldRead.ts`): a repository's
 * `.claude` or `.claude/skills` linked to another user's folder copies nothing of it, a FIFO blocks
 * nothing. (Codex 0.169.0 follows such links: `external_agent_config` reads with `std::fs`.)
 */
const isDirBelow = (root: string, dir: string): boolean => kindBelowSync(root, dir) === 'dir';
/** A source's text: a regular file below `root` only (as above); none when it is not one. */
const sourceText = (root: string, path: string): string | undefined => {
  try {
    return readTextBelowSync(root, path);
  } catch {
    return undefined;
  }
};
const hasText = (root: string, path: string): boolean => (sourceText(root, path)?.trim() ?? '') !== '';
/** Missing, or a regular file holding only blanks (a folder or a link there is not overwritten: Codex looks without following it). */
const missingOrBlank = (root: string, path: string): boolean =>
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

interface Scope {
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

const scopeOf = (claudeHome: string, codexHome: string, repoRoot: string | null): Scope =>
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
const entriesOf = (root: string, dir: string): fs.Dirent[] => listFolderSync(root, dir);

const subfolders = (root: string, dir: string): string[] =>
  isDirBelow(root, dir)
    ? entriesOf(root, dir)
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
    : [];

const missingSkills = (s: Scope): string[] => {
  const present = new Set(subfolders(s.skillsRoot, s.skillsTarget));
  return subfolders(s.sourceRoot, s.skillsSource)
    .filter((name) => !present.has(name))
    .sort();
};

/** A frontmatter block as Codex reads it (YAML, no timestamps: plain scalars stay text); undefined when it is not a mapping. */
const parseFrontmatter = (raw: string): Frontmatter | undefined => {
  let parsed: unknown;
  try {
    parsed = yaml.load(raw, { schema: yaml.CORE_SCHEMA });
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const out = new Map<string, FrontmatterValue>();
  for (const [key, value] of Object.entries(parsed)) {
    if (key.trim() === '') continue;
    const v: FrontmatterValue =
      typeof value === 'string'
        ? { scalar: value.trim() }
        : typeof value === 'boolean' || typeof value === 'number'
          ? { scalar: String(value) }
          : { other: true };
    out.set(key.trim(), v);
  }
  return out;
};

/** Every `.md` file under `dir`, as paths relative to it, sorted as Codex sorts paths (component by component). */
const markdownFiles = (root: string, dir: string): string[] => {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of entriesOf(root, nodePath.join(dir, rel))) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && nodePath.extname(e.name) === '.md' && e.name !== '.md') out.push(path);
    }
  };
  if (isDirBelow(root, dir)) walk('');
  const byComponents = (a: string, b: string): number => {
    const x = a.split('/');
    const y = b.split('/');
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return x.length - y.length;
  };
  return out.sort(byComponents);
};

/** The commands that make a skill of their own (two making the same one are both left), by skill name. */
const commandSkills = (
  root: string,
  commandsDir: string,
): Array<{ readonly name: string; readonly path: string; readonly doc: ParsedDocument }> => {
  const byName = new Map<string, Array<{ path: string; doc: ParsedDocument }>>();
  for (const path of markdownFiles(root, commandsDir)) {
    const text = sourceText(root, nodePath.join(commandsDir, path));
    if (text === undefined) continue;
    const doc = parseDocument(text, parseFrontmatter);
    const name = commandSkillName(path, doc);
    if (name === undefined) continue;
    byName.set(name, [...(byName.get(name) ?? []), { path, doc }]);
  }
  return [...byName.entries()]
    .filter(([, sources]) => sources.length === 1)
    .map(([name, [source]]) => ({ name, ...source! }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
};

/** The subagents of a folder Codex migrates, in file-name order, each with the agent file it becomes. */
const subagents = (
  root: string,
  agentsDir: string,
  targetDir: string,
): Array<{ readonly target: string; readonly doc: ParsedDocument; readonly meta: SubagentMetadata }> => {
  if (!isDirBelow(root, agentsDir)) return [];
  const files = entriesOf(root, agentsDir)
    .filter(
      (e) =>
        e.isFile() &&
        nodePath.extname(e.name) === '.md' &&
        e.name !== '.md' &&
        nodePath.basename(e.name, '.md') !== 'README',
    )
    .map((e) => e.name)
    .sort();
  return files.flatMap((file) => {
    const text = sourceText(root, nodePath.join(agentsDir, file));
    if (text === undefined) return [];
    const doc = parseDocument(text, parseFrontmatter);
    const meta = subagentMetadata(doc);
    return meta === undefined
      ? []
      : [{ target: nodePath.join(targetDir, `${nodePath.basename(file, '.md')}.toml`), doc, meta }];
  });
};

/**
 * Whether every folder from `root` down to `dir` that exists is a real folder: a link on the way (a
 * repository's `.codex` or `.agents` leading out of it) makes the target one the import refuses,
 * so detection does not offer it (Codex 0.169.0 offers nothing there either).
 */
const reachableWithoutLinks = (root: string, dir: string): boolean => {
  let at = root;
  for (const part of nodePath
    .relative(root, dir)
    .split(nodePath.sep)
    .filter((p) => p !== '')) {
    at = nodePath.join(at, part);
    try {
      refuseLinkSync(at, 'folder');
    } catch {
      return false;
    }
  }
  return true;
};

const detectIn = (s: Scope): ConfigMigrationItem[] => {
  const items: ConfigMigrationItem[] = [];
  const skillsWritable = reachableWithoutLinks(s.skillsRoot, s.skillsTarget);
  const agentsWritable = reachableWithoutLinks(s.root, s.agentsTarget);
  const skills = skillsWritable ? missingSkills(s) : [];
  if (skills.length > 0)
    items.push({
      itemType: 'SKILLS',
      description: `Migrate skills from ${s.skillsSource} to ${s.skillsTarget}`,
      cwd: s.cwd,
      details: migrationDetails({ skills: skills.map((name) => ({ name })) }),
    });
  const commands = skillsWritable
    ? commandSkills(s.sourceRoot, s.commandsSource).filter((c) => !taken(nodePath.join(s.skillsTarget, c.name)))
    : [];
  if (commands.length > 0)
    items.push({
      itemType: 'COMMANDS',
      description: `Migrate commands from ${s.commandsSource} to ${s.skillsTarget}`,
      cwd: s.cwd,
      details: migrationDetails({ commands: commands.map((c) => ({ name: c.name })) }),
    });
  const agents = agentsWritable
    ? subagents(s.sourceRoot, s.agentsSource, s.agentsTarget).filter((a) => !taken(a.target))
    : [];
  if (agents.length > 0)
    items.push({
      itemType: 'SUBAGENTS',
      description: `Migrate subagents from ${s.agentsSource} to ${s.agentsTarget}`,
      cwd: s.cwd,
      details: migrationDetails({ subagents: agents.map((a) => ({ name: a.meta.name })) }),
    });
  if (
    s.agentsMdSource !== undefined &&
    missingOrBlank(s.root, s.agentsMdTarget) &&
    reachableWithoutLinks(s.root, nodePath.dirname(s.agentsMdTarget))
  )
    items.push({
      itemType: 'AGENTS_MD',
      description: `Migrate ${s.agentsMdSource} to ${s.agentsMdTarget}`,
      cwd: s.cwd,
      details: null,
    });
  return items;
};

/** The AGENTS_MD and SKILLS items Codex offers: the home's first (`includeHome`), then each cwd's repository's, in Codex's order. */
export const detectConfigMigrations = (
  claudeHome: string,
  codexHome: string,
  options: { readonly includeHome: boolean; readonly cwds: ReadonlyArray<string> },
): ConfigMigrationItem[] => {
  const items = options.includeHome ? detectIn(scopeOf(claudeHome, codexHome, null)) : [];
  for (const cwd of options.cwds) {
    const root = repoRootOf(cwd);
    if (root !== undefined) items.push(...detectIn(scopeOf(claudeHome, codexHome, root)));
  }
  return items;
};

/** The scope an item names: the home for no (or an empty) cwd, else the cwd's repository; none for a cwd that is not there. */
const scopeOfItem = (claudeHome: string, codexHome: string, cwd: string | null | undefined): Scope | undefined => {
  if (cwd === null || cwd === undefined || cwd === '') return scopeOf(claudeHome, codexHome, null);
  const root = repoRootOf(cwd);
  return root === undefined ? undefined : scopeOf(claudeHome, codexHome, root);
};

/** Modes of what the import creates: Codex's under the usual umask 022 (its files are read by the user's tools), set whatever the umask. */
const TARGET_FILE_MODE = 0o644;
const TARGET_FOLDER_MODE = 0o755;

/** A new target file (it must not be there) below `root`: created O_EXCL, no link followed on the way or at its name (`heldFolder.ts`). */
const createTarget = (root: string, target: string, content: string | Uint8Array): Promise<void> =>
  createNoFollow(root, target, content, TARGET_FILE_MODE);

/** A skill folder copied: read below `sourceRoot`, written below `root`, neither through a link. */
const copySkill = async (sourceRoot: string, root: string, source: string, target: string): Promise<void> => {
  await mkdirNoFollow(root, target, TARGET_FOLDER_MODE);
  for (const entry of entriesOf(sourceRoot, source)) {
    const from = nodePath.join(source, entry.name);
    const to = nodePath.join(target, entry.name);
    if (entry.isDirectory()) await copySkill(sourceRoot, root, from, to);
    else if (entry.isFile()) {
      if (entry.name.toLowerCase() === 'skill.md')
        await createTarget(root, to, rewriteExternalAgentTerms(readTextBelowSync(sourceRoot, from)));
      else await createTarget(root, to, await readBytesBelow(sourceRoot, from));
    }
  }
};

/**
 * Import one item as Codex does; nothing to do (already there, no source) is no success and no
 * failure; a source folder reached through a link (a repository's `.claude` or `.claude/skills`
 * leading out of it) fails the item with `LinkRefused` naming it, nothing of it read. Rejects with the file system's error. What is there is looked at as detection looks;
 * the writes are asynchronous, and never through a link (`Scope.root`): a link on the way to a
 * target rejects with `LinkRefused` naming it, before anything of the item is written.
 */
export const importConfigMigration = async (
  claudeHome: string,
  codexHome: string,
  item: { readonly itemType: ConfigItemType; readonly cwd?: string | null | undefined },
): Promise<ConfigImportResult> => {
  const scope = scopeOfItem(claudeHome, codexHome, item.cwd);
  if (scope === undefined) return { successes: [] };
  if (item.itemType === 'AGENTS_MD') {
    if (scope.agentsMdSource === undefined || !missingOrBlank(scope.root, scope.agentsMdTarget))
      return { successes: [] };
    const text = rewriteExternalAgentTerms(readTextBelowSync(scope.sourceRoot, scope.agentsMdSource));
    await mkdirNoFollow(scope.root, nodePath.dirname(scope.agentsMdTarget), TARGET_FOLDER_MODE);
    // A blank file is replaced (a link put there meanwhile is replaced, never written through); a missing one created.
    if (taken(scope.agentsMdTarget))
      await writeFileAtomic(scope.agentsMdTarget, text, { mode: { keep: TARGET_FILE_MODE }, root: scope.root });
    else await createTarget(scope.root, scope.agentsMdTarget, text);
    return { successes: [{ source: scope.agentsMdSource, target: scope.agentsMdTarget }] };
  }
  if (item.itemType === 'SUBAGENTS') {
    if (!folderBelowSync(scope.sourceRoot, scope.agentsSource)) return { successes: [] };
    // A link on the way (`.codex` planted by the repository) fails the item before anything is written.
    await checkFoldersBelow(scope.root, scope.agentsTarget);
    await mkdirNoFollow(scope.root, scope.agentsTarget, TARGET_FOLDER_MODE);
    const successes: Array<{ source: string; target: string }> = [];
    for (const a of subagents(scope.sourceRoot, scope.agentsSource, scope.agentsTarget)) {
      if (taken(a.target)) continue;
      await createTarget(scope.root, a.target, renderSubagentToml(a.doc, a.meta));
      successes.push({ source: a.meta.name, target: a.meta.name });
    }
    return { successes };
  }
  if (item.itemType === 'COMMANDS') {
    if (!folderBelowSync(scope.sourceRoot, scope.commandsSource)) return { successes: [] };
    await checkFoldersBelow(scope.skillsRoot, scope.skillsTarget);
    await mkdirNoFollow(scope.skillsRoot, scope.skillsTarget, TARGET_FOLDER_MODE);
    const successes: Array<{ source: string; target: string }> = [];
    for (const c of commandSkills(scope.sourceRoot, scope.commandsSource)) {
      const dir = nodePath.join(scope.skillsTarget, c.name);
      if (taken(dir)) continue;
      await mkdirNoFollow(scope.skillsRoot, dir, TARGET_FOLDER_MODE);
      await createTarget(scope.skillsRoot, nodePath.join(dir, 'SKILL.md'), renderCommandSkill(c.path, c.doc, c.name));
      successes.push({ source: c.name, target: c.name });
    }
    return { successes };
  }
  if (!folderBelowSync(scope.sourceRoot, scope.skillsSource)) return { successes: [] };
  await checkFoldersBelow(scope.skillsRoot, scope.skillsTarget);
  await mkdirNoFollow(scope.skillsRoot, scope.skillsTarget, TARGET_FOLDER_MODE);
  const successes: Array<{ source: string; target: string }> = [];
  for (const name of subfolders(scope.sourceRoot, scope.skillsSource)) {
    const target = nodePath.join(scope.skillsTarget, name);
    if (taken(target)) continue;
    await copySkill(scope.sourceRoot, scope.skillsRoot, nodePath.join(scope.skillsSource, name), target);
    successes.push({ source: name, target: name });
  }
  return { successes };
};
