/**
 * Reading the model-context `response_item` messages of early rollouts (which have no item
 * events): their text, and whether a user-role message is context Codex injected.
 */

/** Text parts of a response message (`input_text` for user, `output_text` for assistant). */
export const responseMessageText = (content: unknown, partType: 'input_text' | 'output_text'): string =>
  Array.isArray(content)
    ? content
        .filter((c): c is { type: string; text: string } => c !== null && typeof c === 'object' && c.type === partType && typeof c.text === 'string')
        .map((c) => c.text)
        .join('')
    : '';

/** Context Codex injects as user-role messages; never shown as user messages. */
export const isInjectedContext = (text: string): boolean => /^\s*<(environment_context|user_instructions|turn_aborted|user_action)>/.test(text);
