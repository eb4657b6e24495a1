/** True when D1 refused a write because of a UNIQUE constraint (Drizzle keeps D1's error as cause). */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed/i.test(e.message)) return true;
  }
  return false;
}
