/**
 * Signs a webhook payload the way Stripe does: `Stripe-Signature: t=<unix seconds>,v1=<hex>` where
 * v1 is HMAC-SHA256(secret, `${t}.${payload}`). The local provider signs its webhooks with it (and
 * the tests their forgeries); the receiving side verifies with Stripe's SDK, not with this.
 */
const encoder = new TextEncoder();

export async function stripeSignature(
  secret: string,
  payload: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', key, encoder.encode(`${timestampSeconds}.${payload}`)),
  );
  const hex = Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
  return `t=${timestampSeconds},v1=${hex}`;
}
