/**
 * What Codex 0.169.0 rewrites in the instructions and skills it imports from Claude Code
 * (`CLAUDE.md` → `AGENTS.md`, `SKILL.md` files): the file name becomes `AGENTS.md`, the agent's
 * names become `Codex`. Matches are ASCII case-insensitive, whole words only (a letter, digit or
 * `_` on either side keeps the text), in this order.
 */
const RENAMES: ReadonlyArray<readonly [string, string]> = [
  ['claude.md', 'AGENTS.md'],
  ['claude code', 'Codex'],
  ['claude-code', 'Codex'],
  ['claude_code', 'Codex'],
  ['claudecode', 'Codex'],
  ['claude', 'Codex'],
];

export const rewriteExternalAgentTerms = (content: string): string =>
  RENAMES.reduce((text, [from, to]) => replaceWholeWords(text, from, to), content);

// ASCII letters only, so every index of the lowered text is the same index of the original.
const asciiLower = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
const isWordUnit = (code: number | undefined): boolean =>
  code !== undefined &&
  ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95);

const replaceWholeWords = (input: string, needle: string, replacement: string): string => {
  const haystack = asciiLower(input);
  let out = '';
  let emitted = 0;
  for (let start = haystack.indexOf(needle); start >= 0; start = haystack.indexOf(needle, start + 1)) {
    const end = start + needle.length;
    if (
      start < emitted ||
      isWordUnit(start > 0 ? input.charCodeAt(start - 1) : undefined) ||
      isWordUnit(end < input.length ? input.charCodeAt(end) : undefined)
    )
      continue;
    out += input.slice(emitted, start) + replacement;
    emitted = end;
  }
  return emitted === 0 ? input : out + input.slice(emitted);
};
