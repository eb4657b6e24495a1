/**
 * A Worker's settings are its string vars and secrets, read through one zod schema per Worker
 * (`settings(env)` in its config module): a bad value fails loudly at the first read instead of
 * turning into NaN later, and every setting has one type and one default. Bindings are not settings.
 */
import type { z } from 'zod';

/** The reader of one Worker's settings; parses once per env object. Empty strings count as unset. */
export function settingsReader<E extends object, S extends z.ZodType>(
  worker: string,
  schema: S,
): (env: E) => z.output<S> {
  const cache = new WeakMap<E, z.output<S>>();
  return (env) => {
    let parsed = cache.get(env);
    if (!parsed) {
      const present = Object.fromEntries(
        Object.entries(env).filter(([, v]) => typeof v === 'string' && v !== ''),
      );
      const result = schema.safeParse(present);
      if (!result.success) {
        throw new Error(
          `invalid ${worker} settings: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      parsed = result.data;
      cache.set(env, parsed);
    }
    return parsed;
  };
}
