/**
 * Hook prompts in a legacy thread's model context: a user message Codex wrote for a hook that kept a
 * turn going (a `Stop` hook's continuation), each part `<hook_prompt hook_run_id="RUN">TEXT</hook_prompt>`.
 * codex-rs/protocol/src/items.rs `parse_hook_prompt_message` / `parse_hook_prompt_fragment`: every
 * part must be `input_text` whose trimmed text is one such element (quick-xml, the attribute and the
 * text unescaped) with a run id not blank, and there must be at least one part; else the message is
 * not a hook prompt.
 */

export interface HookPromptFragment {
  readonly text: string;
  readonly hookRunId: string;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML's predefined entities and character references; null for an unknown or broken reference (quick-xml refuses them). */
const unescapeXml = (s: string): string | null => {
  let broken = false;
  const out = s.replace(/&([^;&]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) broken = true;
    const hex = /^#x([0-9a-fA-F]+)$/.exec(name);
    const dec = /^#([0-9]+)$/.exec(name);
    const code = hex ? parseInt(hex[1]!, 16) : dec ? parseInt(dec[1]!, 10) : undefined;
    if (code !== undefined) {
      if (code > 0x10ffff) broken = true;
      return code > 0x10ffff ? '' : String.fromCodePoint(code);
    }
    const named = ENTITIES[name];
    if (named === undefined) broken = true;
    return named ?? '';
  });
  return broken ? null : out;
};

const ELEMENT = /^<hook_prompt\s+hook_run_id\s*=\s*(?:"([^"<]*)"|'([^'<]*)')\s*>([^<]*)<\/hook_prompt\s*>$/;

/** One part's text as a hook prompt fragment, or null. */
export const parseHookPromptFragment = (text: string): HookPromptFragment | null => {
  const m = ELEMENT.exec(text.trim());
  if (!m) return null;
  const hookRunId = unescapeXml(m[1] ?? m[2] ?? '');
  const body = unescapeXml(m[3]!);
  if (hookRunId === null || body === null || hookRunId.trim() === '') return null;
  return { text: body, hookRunId };
};

/** A user message's content as hook prompt fragments, or null when it is not a hook prompt. */
export const hookPromptFragmentsOf = (content: unknown): HookPromptFragment[] | null => {
  if (!Array.isArray(content) || content.length === 0) return null;
  const fragments: HookPromptFragment[] = [];
  for (const part of content as unknown[]) {
    if (part === null || typeof part !== 'object') return null;
    const { type, text } = part as { type?: unknown; text?: unknown };
    if (type !== 'input_text' || typeof text !== 'string') return null;
    const fragment = parseHookPromptFragment(text);
    if (fragment === null) return null;
    fragments.push(fragment);
  }
  return fragments;
};
