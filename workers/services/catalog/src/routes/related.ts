import { implement, isAdmin } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { Env } from '../config.ts';
import { relatedVideos } from '../contract.ts';
import { related } from '../search/related.ts';

export const relatedHandler = implement(relatedVideos, async (input, caller, env: Env) => {
  const { limit, status } = input.query;
  if (status === 'any' && !isAdmin(caller)) throw Problem.forbidden('Only admins may list every status.');
  const body = await related(env.DB, input.params.id, { limit, status });
  return { status: 200, body };
});
