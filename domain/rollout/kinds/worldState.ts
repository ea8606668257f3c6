import * as t from 'io-ts';

export const WorldStatePayload = t.partial({ full: t.boolean, state: t.unknown });
export type WorldStatePayload = t.TypeOf<typeof WorldStatePayload>;
