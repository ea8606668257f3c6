import * as t from 'io-ts';
import { TokenUsage, optional } from './common.js';

/** Top-level `token_usage_record`: one model response's usage plus running turn/thread sums. */
export const TokenUsageRecordPayload = t.intersection([
  t.type({ usage: TokenUsage }),
  t.partial({
    thread_id: optional(t.string),
    turn_id: optional(t.string),
    session_id: optional(t.string),
    root_turn_id: optional(t.string),
    response_id: optional(t.string),
    turn_token_usage: optional(TokenUsage),
    thread_token_usage: optional(TokenUsage),
  }),
]);
export type TokenUsageRecordPayload = t.TypeOf<typeof TokenUsageRecordPayload>;
