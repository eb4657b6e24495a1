import { serviceProject } from '../../../test/service-project.ts';

export default serviceProject({
  dir: import.meta.dirname,
  miniflare: {
    // The AUTH binding's target: answers `auth.me` as auth does, for accounts named `usr_known_…`.
    workers: [
      {
        name: 'auth',
        modules: true,
        script: `
          import { WorkerEntrypoint } from 'cloudflare:workers';
          export default class extends WorkerEntrypoint {
            async handle(routeId, input, caller) {
              if (routeId === 'auth.me' && caller.userId?.startsWith('usr_known_'))
                return { status: 200, body: { userId: caller.userId, email: 'known@example.com', name: 'Known Name', roles: ['viewer'], emailVerified: true } };
              return { status: 401, problem: { code: 'unauthorized', detail: 'No such account.' } };
            }
          }`,
      },
    ],
  },
});
