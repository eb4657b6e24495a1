/** The `Idempotency-Key` request header, as every retry-safe write of the platform declares it. */
import { z } from '@hono/zod-openapi';

/** `effect`: what a repeat does not do again (“changes nothing”, “changes or charges nothing again”). */
export function idempotencyHeaders(effect = 'changes nothing') {
  return z.object({
    'idempotency-key': z
      .string()
      .min(1)
      .max(255)
      .optional()
      .openapi({
        param: { name: 'idempotency-key', in: 'header' },
        description:
          `Makes the request safe to retry: a repeat with the same key (within 24 h) answers the first ` +
          `answer and ${effect}; the same key with a different request is 422.`,
        example: '5f0c7a3e-2b1d-4c8e-9f6a-1d2e3f4a5b6c',
      }),
  });
}
