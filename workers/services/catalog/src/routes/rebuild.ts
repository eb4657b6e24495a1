import { implement } from '../../../../lib/api.ts';
import type { Env } from '../config.ts';
import { rebuildStatus, startRebuild } from '../contract.ts';
import { continueRebuild, rebuildState, startRebuild as start } from '../rebuild.ts';

export const startRebuildHandler = implement(startRebuild, async (_input, _caller, env: Env, ctx) => {
  const state = await start(env.DB);
  // Works on it now (a running one too); the minute cron picks up whatever this does not finish.
  ctx.waitUntil(continueRebuild(env, env.VIDEOS));
  return { status: 202, body: state };
});

export const rebuildStatusHandler = implement(rebuildStatus, async (_input, _caller, env: Env) => ({
  status: 200,
  body: await rebuildState(env.DB),
}));
