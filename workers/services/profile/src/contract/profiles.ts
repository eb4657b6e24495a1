import { createRoute } from '@hono/zod-openapi';
import { defineRoute, type RoutePolicy } from '../../../../lib/api.ts';
import { body, json, Profile, ProfileUpdate, problems, UserIdParam } from './schemas.ts';

export const tags = ['Profiles'];

/** Every /profiles/{userId}/… route: the owner or an admin (writes: the owner; see src/access.ts). */
export const ownerPolicy = { access: { owner: 'userId' }, rateLimit: 'profile' } satisfies RoutePolicy;
/** The user's own lists: revalidated on every use (ETag), served from KV in the service. */
export const ownListPolicy = {
  ...ownerPolicy,
  cache: { maxAge: 0, scope: 'private' },
} satisfies RoutePolicy;

export const getProfile = defineRoute({
  id: 'profile.get',
  service: 'profile',
  policy: ownerPolicy,
  route: createRoute({
    method: 'get',
    path: '/profiles/{userId}',
    tags,
    summary: "A user's profile (own, or any as admin).",
    description: 'Every account has one from signup, named as at signup.',
    request: { params: UserIdParam },
    responses: { 200: json(Profile, 'The profile.'), ...problems },
  }),
});

export const updateProfile = defineRoute({
  id: 'profile.update',
  service: 'profile',
  policy: ownerPolicy,
  route: createRoute({
    method: 'put',
    path: '/profiles/{userId}',
    tags,
    summary: 'Change any of name, avatarUrl and preferences (own profile only).',
    request: { params: UserIdParam, ...body(ProfileUpdate) },
    responses: { 200: json(Profile, 'The profile as it is now.'), ...problems },
  }),
});

export const deleteProfile = defineRoute({
  id: 'profile.delete',
  service: 'profile',
  policy: { access: 'admin', rateLimit: 'profile' },
  route: createRoute({
    method: 'delete',
    path: '/profiles/{userId}',
    tags,
    summary: "Erase a user's profile data: profile, watchlist, history and ratings (admin).",
    description:
      'Deleting the account at auth (`DELETE /auth/users/{userId}`) does this by itself, through the ' +
      'UserDeleted event; this route erases the data of an account that stays. Answers 204 also when ' +
      'there was nothing to erase.',
    request: { params: UserIdParam },
    responses: { 204: { description: 'Erased.' }, ...problems },
  }),
});

export const profileRoutes = [getProfile, updateProfile, deleteProfile];
