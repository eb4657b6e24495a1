/**
 * The gateway app as deployed (its middleware and stream endpoint), for the playback benchmark.
 * Plain JS: type-checking it here would pull every service's generated Env into bench/workers; the
 * gateway's own project checks these types.
 */
import { createApp } from '../../workers/gateway/src/app.ts';

export default createApp({ serviceRoutes: [] });
