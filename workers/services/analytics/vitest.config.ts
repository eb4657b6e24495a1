import { serviceProject } from '../../../test/service-project.ts';
import { clickHouseOutbound } from './test/support/clickhouse-outbound.ts';

export default serviceProject({
  dir: import.meta.dirname,
  // ClickHouse is real: a private server for this run, behind http://clickhouse.test.
  bindings: { TEST_CLICKHOUSE_URL: 'http://clickhouse.test' },
  miniflare: { outboundService: clickHouseOutbound },
});
