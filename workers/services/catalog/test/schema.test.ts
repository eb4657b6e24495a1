import { env } from 'cloudflare:workers';
import { describeMigratedSchema } from '../../../lib/testing/schema-check.ts';
import * as schema from '../src/db/schema.ts';

// docs_fts is an FTS5 virtual table; SQLite keeps its index in shadow tables named after it.
describeMigratedSchema(schema, () => env.DB, /^docs_fts(_data|_idx|_content|_docsize|_config)?$/);
