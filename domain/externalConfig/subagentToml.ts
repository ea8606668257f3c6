import { rewriteExternalAgentTerms } from './agentTerms.js';
import { scalarOf } from './commandSkill.js';
import type { ParsedDocument } from './commandSkill.js';

/**
 * A Claude Code subagent (`.claude/agents/<name>.md`: frontmatter `name`, `description`, optional
 * `effort` and `permissionMode`, the body its instructions) as the Codex agent file Codex 0.169.0
 * writes for it (`agents/<file name>.toml`). Pure.
 */
export interface SubagentMetadata {
  readonly name: string;
  readonly description: string;
  readonly effort: string | undefined;
  readonly permissionMode: string | undefined;
}

/** What makes a subagent Codex migrates: a YAML mapping with a non-blank name and description, and a non-blank body. */
export const subagentMetadata = (doc: ParsedDocument): SubagentMetadata | undefined => {
  if (doc.frontmatterError || doc.body.trim() === '') return undefined;
  const name = scalarOf(doc.frontmatter, 'name');
  const description = scalarOf(doc.frontmatter, 'description');
  if (name === undefined || name.trim() === '' || description === undefined || description.trim() === '')
    return undefined;
  return {
    name,
    description,
    effort: scalarOf(doc.frontmatter, 'effort'),
    permissionMode: scalarOf(doc.frontmatter, 'permissionMode'),
  };
};

const EFFORTS = new Set(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);
const effortOf = (effort: string): string | undefined => {
  const mapped = effort === 'max' ? 'xhigh' : effort;
  return EFFORTS.has(mapped) ? mapped : undefined;
};
const SANDBOX_OF: ReadonlyMap<string, string> = new Map([
  ['acceptEdits', 'workspace-write'],
  ['readOnly', 'read-only'],
]);

/**
 * A TOML string as the `toml` crate's pretty printer writes it (seen on the binary): a literal
 * string ('…', '''…''' across lines) when the text holds a backslash, or a `"` on one line, or
 * `"""` across lines — and a literal can hold it (no `'''`, no control character but tab and
 * newline, no trailing `'`); else a basic string ("…", """…""" across lines) with escapes (across
 * lines a `"` stays as is, even last: `…` is valid TOML).
 */
export const tomlString = (value: string): string => {
  const multiline = value.includes('\n');
  const preferLiteral = value.includes('\\') || (multiline ? value.includes('"""') : value.includes('"'));
  const literalPossible =
    !value.includes("'''") && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value) && !value.endsWith("'");
  if (preferLiteral && literalPossible) {
    if (multiline) return `'''\n${value}'''`;
    return value.includes("'") ? `'''${value}'''` : `'${value}'`;
  }
  let out = '';
  const chars = Array.from(value);
  chars.forEach((ch, i) => {
    const code = ch.codePointAt(0)!;
    if (ch === '\b') out += '\\b';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += multiline ? '\n' : '\\n';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += !multiline || (chars[i + 1] === '"' && chars[i + 2] === '"') ? '\\"' : '"';
    else if (code <= 0x1f || code === 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  });
  return multiline ? `"""\n${out}"""` : `"${out}"`;
};

/** The agent file Codex writes for a subagent. */
export const renderSubagentToml = (doc: ParsedDocument, m: SubagentMetadata): string => {
  const body = rewriteExternalAgentTerms(doc.body.trim());
  const entries: Array<[string, string]> = [
    ['name', m.name],
    ['description', rewriteExternalAgentTerms(m.description)],
  ];
  const effort = m.effort === undefined ? undefined : effortOf(m.effort);
  if (effort !== undefined) entries.push(['model_reasoning_effort', effort]);
  const sandbox = m.permissionMode === undefined ? undefined : SANDBOX_OF.get(m.permissionMode);
  if (sandbox !== undefined) entries.push(['sandbox_mode', sandbox]);
  entries.push(['developer_instructions', body === '' ? 'No subagent instructions were found.' : body]);
  return `${entries.map(([k, v]) => `${k} = ${tomlString(v)}`).join('\n')}\n`;
};
