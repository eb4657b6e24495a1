import { startPlatform } from './platform.ts';

const port = Number(process.env.PORT ?? 8787);
const platform = await startPlatform({
  port,
  stateDir: process.env.STATE_DIR ?? '.wrangler/state',
  adminEmail: process.env.ADMIN_EMAIL ?? 'admin@example.com',
  adminPassword: process.env.ADMIN_PASSWORD ?? 'admin-password',
  runner: process.env.RUNNER !== '0',
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
