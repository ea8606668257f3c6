import * as t from 'io-ts';
import { optional } from './common.js';

export const TurnContextPayload = t.partial({
  turn_id: optional(t.string),
  root_turn_id: optional(t.string),
  cwd: optional(t.string),
  model: optional(t.string),
  effort: optional(t.string),
  approval_policy: t.unknown,
  sandbox_policy: t.unknown,
  collaboration_mode: t.unknown,
  summary: t.unknown,
});
export type TurnContextPayload = t.TypeOf<typeof TurnContextPayload>;
