import * as nodePath from 'node:path';
import { rewriteExternalAgentTerms } from '../../../domain/externalConfig/agentTerms.js';
import { renderCommandSkill } from '../../../domain/externalConfig/commandSkill.js';
import { renderSubagentToml } from '../../../domain/externalConfig/subagentToml.js';
import type { ConfigImportResult, ConfigItemType } from '../../../domain/externalConfig/migration.js';
import { checkFoldersBelow, mkdirNoFollow, refuseLinkSync } from '../fs/noFollow.js';
import { createNoFollow } from '../fs/heldFolder.js';
import { folderBelowSync, readBytesBelow, readTextBelowSync } from '../fs/heldRead.js';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import type { ExternalAgentMigrationItem } from '../../../protocol/externalAgents.js';
import { migrationDetails } from '../../../protocol/externalAgents.js';
import type { Scope } from './claudeConfigScope.js';
import { entriesOf, missingOrBlank, repoRootOf, scopeOf, scopeOfItem, subfolders, taken } from './claudeConfigScope.js';
import { commandSkills, missingSkills, subagents } from './claudeConfigSources.js';

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
