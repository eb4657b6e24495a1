import { startPlatform } from './platform.ts';

const port = Number(process.env.PORT ?? 8787);
const platform = await startPlatform({
  port,
  stateDir: process.env.STATE_DIR ?? '.wrangler/state',
  adminEmail: process.env.ADMIN_EMAIL ?? 'admin@example.com',
  adminPassword: process.env.ADMIN_PASSWORD ?? 'admin-password',
  runner: process.env.RUNNER !== '0',
  // Analytics stores events in ClickHouse when CLICKHOUSE_URL (and CLICKHOUSE_*) is set, D1 otherwise.
  vars: Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[0].startsWith('CLICKHOUSE_') && !!e[1],
    ),
  ),
});

console.log(
  `\nThe platform is up on ${platform.url}  (API reference: ${platform.url}/docs). Ctrl-C stops it.\n`,
);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  await platform.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
for (const child of platform.children) {
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`a platform process exited (${code}); stopping the rest`);
      void shutdown();
    }
  });
}
