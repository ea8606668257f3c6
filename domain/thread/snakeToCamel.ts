/** serde's `rename_all = "camelCase"` for snake_case names: drop each `_`, upper-case what follows. */
export const snakeToCamel = (s: string): string => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
