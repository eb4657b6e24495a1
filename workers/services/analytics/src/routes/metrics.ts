import { implement, json } from '../../../../lib/api.ts';
import { errorFields, log } from '../../../../lib/log.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { Env } from '../config.ts';
import { getMetrics, metricRange } from '../contract/metrics.ts';
import { computeMetric } from '../metrics/compute.ts';
import { eventStore } from '../store/index.ts';

export const metricsHandler = implement(getMetrics, async (input, _caller, env: Env) => {
  const q = input.query;
  const { from, to, width } = metricRange(q);
  const store = eventStore(env);
  try {
    const result = await computeMetric(store, q.type, { from, to, width, videoId: q.videoId });
    return json(200, {
      type: q.type,
      ...result,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      interval: q.interval,
    });
  } catch (err) {
    log('error', 'analytics store failed to answer', {
      store: store.kind,
      type: q.type,
      ...errorFields(err),
    });
    throw new Problem('service_unavailable', 'The analytics store is not reachable; try again shortly.', {
      headers: { 'Retry-After': '5' },
    });
  }
});
