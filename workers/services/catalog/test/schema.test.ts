import { env } from 'cloudflare:workers';
import { describeMigratedSchema } from '../../../lib/testing/schema-check.ts';
import * as schema from '../src/db/schema.ts';

describeMigratedSchema(schema, () => env.DB);
