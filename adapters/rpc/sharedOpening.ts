import type { OpeningService } from './server.js';

/**
 * One opening of the home for every connection of a listener: the first connection that needs it
 * opens it, the others wait for the same opening (and get the same error if it fails).
 */
export const sharedOpening = (service: OpeningService): OpeningService => {
  let opening: ReturnType<OpeningService['open']> | null = null;
  return { ...service, open: () => (opening ??= service.open()) };
};
