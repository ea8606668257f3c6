/** `rollout-engine repair`: registered from verify.ts, which shares its report rendering. */
export { registerRepair } from './verify.js';
