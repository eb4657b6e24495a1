/**
 * Dead-letter queues: `npm run dlq -- list <queue>` and `npm run dlq -- replay <queue>`.
 * Talks to the gateway (API_URL, default http://127.0.0.1:8787) as an admin: API_KEY with the
 * `ops` scope, or ADMIN_EMAIL/ADMIN_PASSWORD (the local defaults).
 */
import { QUEUE_NAMES } from '../queues/routing.ts';

const [command, queue] = process.argv.slice(2);
if (!['list', 'replay'].includes(command ?? '') || !queue || !(QUEUE_NAMES as string[]).includes(queue)) {
  console.error(`usage: npm run dlq -- list|replay <queue>\nqueues: ${QUEUE_NAMES.join(', ')}`);
  process.exit(2);
}
const api = process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`;

async function credentials(): Promise<Record<string, string>> {
  if (process.env.API_KEY) return { 'X-API-Key': process.env.API_KEY };
  const res = await fetch(`${api}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: process.env.ADMIN_EMAIL ?? 'admin@example.com',
      password: process.env.ADMIN_PASSWORD ?? 'admin-password',
    }),
  });
  if (!res.ok) throw new Error(`admin login failed: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  return { authorization: `Bearer ${token}` };
}

const headers = await credentials();
const path = command === 'list' ? `/internal/dlq/${queue}` : `/internal/dlq/${queue}/replay`;
const res = await fetch(`${api}${path}`, { method: command === 'list' ? 'GET' : 'POST', headers });
const body = await res.text();
if (!res.ok) {
  console.error(`${res.status}: ${body}`);
  process.exit(1);
}
console.log(JSON.stringify(JSON.parse(body), null, 2));
