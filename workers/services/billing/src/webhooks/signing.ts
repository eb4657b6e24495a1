/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` is
 * `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, one per valid secret,
 * separated by spaces, so that receivers keep verifying across a secret rotation.
 */
import { Webhook } from 'standardwebhooks';
import { base64url } from '../../../../lib/ids.ts';

const SECRET_PREFIX = 'whsec_';

/** A new signing secret: 32 random bytes, base64 after the `whsec_` prefix. */
export function newSigningSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const b64 = base64url(bytes).replaceAll('-', '+').replaceAll('_', '/');
  return `${SECRET_PREFIX}${b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three Standard Webhooks headers for `body`, sent as message `id` at `at`. */
export function signatureHeaders(
  id: string,
  at: Date,
  body: string,
  secrets: readonly string[],
): SignedHeaders {
  if (!secrets.length) throw new Error('no signing secret');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' '),
  };
}
