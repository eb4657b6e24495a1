/** Where the fake license server answers in the tests (vitest.config.ts routes all outbound fetches to it). */
export const LICENSE_SERVER_ORIGIN = 'http://license.test';
