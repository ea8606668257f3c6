import type { RolloutEvent } from '../rollout/event.js';
import type { ResponseItemPayload } from '../rollout/kinds/responseItem.js';

/**
 * Reading the model-context `response_item` messages of early rollouts (which have no item
 * events): their text, and whether a user-role message is context Codex injected.
 */

/** Text parts of a response message (`input_text` for user, `output_text` for assistant). */
export const responseMessageText = (content: unknown, partType: 'input_text' | 'output_text'): string =>
  Array.isArray(content)
    ? content
        .filter(
          (c): c is { type: string; text: string } =>
            c !== null && typeof c === 'object' && c.type === partType && typeof c.text === 'string',
        )
        .map((c) => c.text)
        .join('')
    : '';

/** Context Codex injects as user-role messages; never shown as user messages. */
export const isInjectedContext = (text: string): boolean =>
  /^\s*<(environment_context|user_instructions|turn_aborted|user_action)>/.test(text);

type ResponseOf<K extends ResponseItemPayload['type']> = Extract<ResponseItemPayload, { type: K }>;

/**
 * The legacy item events an early rollout's model-context response item stands for (those files
 * have no item events of their own), per response item type: a user message (unless injected
 * context), an agent message, one reasoning event per summary part; a tool call and its output
 * stand for none (the fold shows early rollouts' messages and reasoning only). Shared by the
 * whole-history fold and the projections.
 */
export const EVENTS_OF_RESPONSE: { readonly [K in ResponseItemPayload['type']]: (p: ResponseOf<K>) => RolloutEvent[] } =
  {
    message: (p) => {
      if (p.role === 'user') {
        const text = responseMessageText(p.content, 'input_text');
        return isInjectedContext(text)
          ? []
          : [{ kind: 'userMessage', payload: { type: 'user_message', message: text } }];
      }
      if (p.role === 'assistant') {
        const text = responseMessageText(p.content, 'output_text');
        return text === '' ? [] : [{ kind: 'agentMessage', payload: { type: 'agent_message', message: text } }];
      }
      return [];
    },
    reasoning: (p) =>
      Array.isArray(p.summary)
        ? (p.summary as Array<{ text?: unknown }>).flatMap((part): RolloutEvent[] =>
            typeof part?.text === 'string'
              ? [{ kind: 'agentReasoning', payload: { type: 'agent_reasoning', text: part.text } }]
              : [],
          )
        : [],
    function_call: () => [],
    function_call_output: () => [],
  };

export const eventsOfResponseItem = (p: ResponseItemPayload): RolloutEvent[] =>
  (EVENTS_OF_RESPONSE[p.type] as (p: ResponseItemPayload) => RolloutEvent[])(p);
