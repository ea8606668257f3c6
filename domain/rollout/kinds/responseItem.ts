import * as t from 'io-ts';
import { optional } from './common.js';

/** `response_item` payloads: model context. The fold never turns these into ThreadItems. */
export const ResponseMessage = t.intersection([
  t.type({ type: t.literal('message'), role: t.string, content: t.unknown }),
  t.partial({ id: optional(t.string) }),
]);
export const ResponseReasoning = t.intersection([
  t.type({ type: t.literal('reasoning') }),
  t.partial({ id: optional(t.string), summary: t.unknown, content: t.unknown }),
]);
export const ResponseFunctionCall = t.intersection([
  t.type({ type: t.literal('function_call'), name: t.string, arguments: t.string, call_id: t.string }),
  t.partial({ id: optional(t.string) }),
]);
export const ResponseFunctionCallOutput = t.intersection([
  t.type({ type: t.literal('function_call_output'), call_id: t.string }),
  t.partial({ output: t.unknown }),
]);
export const ResponseItemPayload = t.union([
  ResponseMessage,
  ResponseReasoning,
  ResponseFunctionCall,
  ResponseFunctionCallOutput,
]);
export type ResponseItemPayload = t.TypeOf<typeof ResponseItemPayload>;
