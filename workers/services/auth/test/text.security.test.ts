import { describe, expect, it } from 'vitest';
import { createApiKey } from '../src/contract/api-keys.ts';
import { signup } from '../src/contract/sessions.ts';

type BodySchema = {
  safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[] }[] } };
};
const bodyOf = (route: {
  route: { request?: { body?: { content: Record<string, { schema: unknown }> } } };
}) => route.route.request!.body!.content['application/json']!.schema as BodySchema;

const paths = (r: ReturnType<BodySchema['safeParse']>) => r.error?.issues.map((i) => i.path.join('.')) ?? [];

describe('names people type are plain text', () => {
  it('a signup name with a bidi override, a control character or a lone surrogate is refused', () => {
    const schema = bodyOf(signup);
    const base = { email: 'ada@example.com', password: 'correct horse battery staple' };
    expect(schema.safeParse({ ...base, name: 'Ada Lovelace' }).success).toBe(true);
    for (const name of ['Ada\u202eecalevoL', 'Ada\u0000', 'Ada\ud83d', 'Ada\nAdmin'])
      expect(paths(schema.safeParse({ ...base, name })), JSON.stringify(name)).toEqual(['name']);
  });

  it('an API key name with a control character is refused', () => {
    const schema = bodyOf(createApiKey);
    const refused = schema.safeParse({ name: 'importer\u001b[2J', scopes: [] });
    expect(paths(refused)).toContain('name');
  });
});
