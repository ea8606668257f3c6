import { snakeToCamel } from './snakeToCamel.js';

/** `codex_error_info` is snake_case on disk and camelCase in the API, for variants and nested keys. */
export const toApiCodexErrorInfo = (v: unknown): unknown => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return snakeToCamel(v);
  if (Array.isArray(v)) return v.map(toApiCodexErrorInfo);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      out[snakeToCamel(k)] = val !== null && typeof val === 'object' ? toApiCodexErrorInfo(val) : val;
    }
    return out;
  }
  return v;
};
