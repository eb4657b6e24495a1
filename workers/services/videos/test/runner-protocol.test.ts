import { describe, expect, it } from 'vitest';
import { DEFAULT_LADDER, RUNNER_PATHS } from '../../../lib/runner-protocol.ts';
import { settings } from '../src/config.ts';
import { contract } from '../src/contract.ts';

const { routes } = contract;

import { claim, clearJobQueue, videoWithJob } from './support/runner.ts';
import { testEnv } from './support/service.ts';

describe('the runner protocol', () => {
  it('names each operation with one verb, in the route id and in the path', () => {
    for (const [operation, path] of Object.entries(RUNNER_PATHS)) {
      const route = routes.find((r) => r.id === `videos.runner.${operation}`);
      expect(route?.route.path, operation).toBe(path);
      expect(route?.route.method).toBe('post');
      // Registering is how a runner gets its token, so it cannot require one.
      expect(route?.policy.access).toBe(operation === 'register' ? 'public' : 'runner');
    }
  });

  it('hands out the one default ladder the runner and the benchmark use', async () => {
    expect(settings(testEnv).TRANSCODE_LADDER).toEqual(DEFAULT_LADDER);
    await clearJobQueue();
    await videoWithJob();
    expect((await claim()).body.job.ladder).toEqual(DEFAULT_LADDER);
  });
});
