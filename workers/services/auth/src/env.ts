/**
 * The auth Worker's bindings, typed by `wrangler types` from wrangler.jsonc (`npm run env-types`).
 * Settings (vars and secrets) are read through `settings()` in config.ts.
 */
export type Env = AuthEnv;
