import * as nodePath from 'node:path';
import yaml from 'js-yaml';
import { commandSkillName, parseDocument } from '../../../domain/externalConfig/commandSkill.js';
import type { Frontmatter, FrontmatterValue, ParsedDocument } from '../../../domain/externalConfig/commandSkill.js';
import { subagentMetadata } from '../../../domain/externalConfig/subagentToml.js';
import type { SubagentMetadata } from '../../../domain/externalConfig/subagentToml.js';
import type { Scope } from './claudeConfigScope.js';
import { entriesOf, isDirBelow, sourceText, subfolders } from './claudeConfigScope.js';

/** What a Claude Code config migration finds to migrate (claudeCodeConfig.ts): skills, commands, subagents. */

export const missingSkills = (s: Scope): string[] => {
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
export const commandSkills = (
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
export const subagents = (
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
