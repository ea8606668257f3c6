import { rewriteExternalAgentTerms } from './agentTerms.js';

/**
 * A Claude Code command (a Markdown file under `.claude/commands/`, optional YAML frontmatter) as
 * the Codex skill Codex 0.169.0 migrates it to: `source-command-<path, slugged>/SKILL.md`. Pure: the
 * frontmatter comes parsed (`Frontmatter`), the caller reads and writes the files.
 */

/** Skill names longer than this are not migrated. */
const MAX_SKILL_NAME_LEN = 64;

/** A frontmatter value as Codex keeps it: a scalar's text (trimmed), or something else (a list, a map, null). */
export type FrontmatterValue = { readonly scalar: string } | { readonly other: true };
export type Frontmatter = ReadonlyMap<string, FrontmatterValue>;

export interface ParsedDocument {
  readonly frontmatter: Frontmatter;
  readonly body: string;
  /** Its frontmatter block is not a YAML mapping. */
  readonly frontmatterError: boolean;
}

const DELIMITERS = ['\r\n---\r\n', '\r\n---\n', '\n---\r\n', '\n---\n', '\r\n---', '\n---'];

/** A document split at its frontmatter (`---` lines at its very start); `parseYaml` turns the raw block into values, or undefined when it is not a mapping. */
export const parseDocument = (content: string, parseYaml: (raw: string) => Frontmatter | undefined): ParsedDocument => {
  const rest = content.startsWith('---\n')
    ? content.slice(4)
    : content.startsWith('---\r\n')
      ? content.slice(5)
      : undefined;
  if (rest === undefined) return { frontmatter: new Map(), body: content, frontmatterError: false };
  let end: { at: number; bodyStart: number } | undefined;
  for (const d of DELIMITERS) {
    const at = rest.indexOf(d);
    if (at >= 0 && (end === undefined || at < end.at)) end = { at, bodyStart: at + d.length };
  }
  if (end === undefined) return { frontmatter: new Map(), body: content, frontmatterError: false };
  const frontmatter = parseYaml(rest.slice(0, end.at));
  return {
    frontmatter: frontmatter ?? new Map(),
    body: rest.slice(end.bodyStart),
    frontmatterError: frontmatter === undefined,
  };
};

export const scalarOf = (fm: Frontmatter, key: string): string | undefined => {
  const v = fm.get(key);
  return v !== undefined && 'scalar' in v ? v.scalar : undefined;
};

/** `a/b c!.md` under the commands folder → `a-b c!`: its path without the extension, folders joined by `-`. */
export const commandSourceName = (relativePath: string): string => {
  const parts = relativePath.split('/');
  const file = parts.pop()!;
  const dot = file.lastIndexOf('.');
  return [...parts, dot > 0 ? file.slice(0, dot) : file].join('-');
};

/** Lower-case ASCII letters and digits, every other run one `-`, none at the ends (`migrated` if nothing is left). */
export const slugifyName = (value: string): string => {
  let slug = '';
  let lastWasDash = false;
  for (const ch of value) {
    if (/^[A-Za-z0-9]$/.test(ch)) {
      slug += ch.toLowerCase();
      lastWasDash = false;
    } else if (!lastWasDash) {
      slug += '-';
      lastWasDash = true;
    }
  }
  slug = slug.replace(/^-+|-+$/g, '');
  return slug === '' ? 'migrated' : slug;
};

/** What a skill cannot express: arguments, templates, shell escapes, file references. */
const hasUnsupportedTemplateFeatures = (template: string): boolean =>
  template.includes('$ARGUMENTS') ||
  /\$[0-9]/.test(template) ||
  (template.includes('{{') && template.includes('}}')) ||
  template.includes('!`') ||
  template.includes('! `') ||
  template.split(/\s+/).some((token) => token.startsWith('@') && token.length > 1);

const descriptionOf = (doc: ParsedDocument, sourceName: string): string => {
  const d = scalarOf(doc.frontmatter, 'description');
  return d !== undefined && d.trim() !== '' ? d : `Migrated source command \`${sourceName}\``;
};

/** The skill a command becomes (its name), or undefined when Codex leaves it (a README, a name too long, a template feature a skill lacks). */
export const commandSkillName = (relativePath: string, doc: ParsedDocument): string | undefined => {
  const file = relativePath.split('/').pop()!;
  const dot = file.lastIndexOf('.');
  if ((dot > 0 ? file.slice(0, dot) : file) === 'README') return undefined;
  const name = slugifyName(`source-command-${commandSourceName(relativePath)}`);
  if (Array.from(name).length > MAX_SKILL_NAME_LEN || hasUnsupportedTemplateFeatures(doc.body)) return undefined;
  return name;
};

const yamlString = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The SKILL.md Codex writes for a command. */
export const renderCommandSkill = (relativePath: string, doc: ParsedDocument, name: string): string => {
  const sourceName = commandSourceName(relativePath);
  const body = rewriteExternalAgentTerms(doc.body.trim());
  const template = body === '' ? 'No command template body was found.' : body;
  return (
    `---\nname: ${yamlString(name)}\ndescription: ${yamlString(rewriteExternalAgentTerms(descriptionOf(doc, sourceName)))}\n---\n\n# ${name}\n\n` +
    `Use this skill when the user asks to run the migrated source command \`${sourceName}\`.\n\n## Command Template\n\n${template}\n`
  );
};
