import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import {
  body,
  IdempotencyHeaders,
  json,
  Plan,
  PlanCreate,
  PlanIdParam,
  PlanUpdate,
  problems,
} from './schemas.ts';

const tags = ['Billing'];

export const listPlans = defineRoute({
  id: 'billing.listPlans',
  service: 'billing',
  // Cached by browsers and the edge, but revalidated on every use (max-age=0): the service answers
  // with an ETag of the catalogue's version, so an unchanged list costs a 304 without a body and a
  // plan edit is visible on the very next request. A longer max-age would hide edits for that long.
  policy: { access: 'public', cache: { maxAge: 0, scope: 'public' } },
  route: createRoute({
    method: 'get',
    path: '/plans',
    tags,
    summary: 'The plans on offer, cheapest first.',
    responses: { 200: json(z.array(Plan), 'The plans.'), ...problems },
  }),
});

export const createPlan = defineRoute({
  id: 'billing.createPlan',
  service: 'billing',
  policy: { access: 'admin', scopes: ['billing:admin'] },
  route: createRoute({
    method: 'post',
    path: '/plans',
    tags,
    summary: 'Add a plan (admin; audit-logged).',
    request: { headers: IdempotencyHeaders, ...body(PlanCreate) },
    responses: {
      201: json(Plan, 'Created.'),
      409: { description: 'A plan with this planId exists.' },
      422: { description: 'The Idempotency-Key was used for a different request.' },
      ...problems,
    },
  }),
});

export const updatePlan = defineRoute({
  id: 'billing.updatePlan',
  service: 'billing',
  policy: { access: 'admin', scopes: ['billing:admin'] },
  route: createRoute({
    method: 'put',
    path: '/plans/{planId}',
    tags,
    summary: 'Change a plan (admin; audit-logged); omitted fields stay.',
    request: { params: PlanIdParam, headers: IdempotencyHeaders, ...body(PlanUpdate) },
    responses: {
      200: json(Plan, 'The plan as it is now.'),
      422: { description: 'The Idempotency-Key was used for a different request.' },
      ...problems,
    },
  }),
});

export const planRoutes = [listPlans, createPlan, updatePlan];
