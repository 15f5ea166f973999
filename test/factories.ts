import { randomBytes, randomInt } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ORDERS_EXAMPLE_FIELDS } from '@app/collections';
import { CONTRACT_PERMISSIONS } from './contract-examples';
import type { ApiKeyWithSecretDto, CollectionDto, SignupResponseDto, SpaceDto } from './json';

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface TestUser {
  id: string;
  email: string;
  password: string;
  access_token: string;
  refresh_token: string;
}

let counter = 0;
export const uniqueEmail = (prefix = 'user') =>
  `${prefix}-${process.pid}-${++counter}-${randomBytes(3).toString('hex')}@example.com`;

export async function signup(
  app: NestFastifyApplication,
  overrides: { email?: string; password?: string; name?: string } = {},
): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? `pw-${randomBytes(8).toString('hex')}`;
  // From an address of its own, so per-address budgets (kept in a shared Redis across runs) never bleed between tests.
  const remoteAddress = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    remoteAddress,
    payload: { email, password, name: overrides.name },
  });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const body = res.json<SignupResponseDto>();
  return { id: body.user.id, email, password, access_token: body.access_token, refresh_token: body.refresh_token };
}

export async function createSpace(app: NestFastifyApplication, token: string, name = 'Test space'): Promise<SpaceDto> {
  const res = await app.inject({ method: 'POST', url: '/api/spaces', headers: bearer(token), payload: { name } });
  if (res.statusCode !== 201) throw new Error(`create space failed: ${res.statusCode} ${res.body}`);
  return res.json<SpaceDto>();
}

export async function addMember(
  app: NestFastifyApplication,
  token: string,
  spaceId: string,
  email: string,
  role: string,
): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/spaces/${spaceId}/members`,
    headers: bearer(token),
    payload: { email, role },
  });
  if (res.statusCode !== 201) throw new Error(`add member failed: ${res.statusCode} ${res.body}`);
}

export const CONTRACT_KEY = {
  label: 'production-backend',
  description: 'Backend service API key',
  is_admin: false,
  collection_permissions: CONTRACT_PERMISSIONS,
  scopes: ['audit:read'],
  expires_in: '30d',
  allowed_ips: ['203.0.113.0/24', '2001:db8::/32'],
  rate_limit_per_minute: 100,
};

export async function createKey(
  app: NestFastifyApplication,
  headers: Record<string, string>,
  spaceId: string,
  body: Record<string, unknown> = {},
): Promise<ApiKeyWithSecretDto> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/spaces/${spaceId}/api-keys`,
    headers,
    payload: { label: 'test key', ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create key failed: ${res.statusCode} ${res.body}`);
  return res.json<ApiKeyWithSecretDto>();
}

export const ORDERS = { name: 'orders', description: 'Customer orders', fields: ORDERS_EXAMPLE_FIELDS };

export async function createCollection(
  app: NestFastifyApplication,
  headers: Record<string, string>,
  spaceId: string,
  body: Record<string, unknown> = ORDERS,
): Promise<CollectionDto> {
  const res = await app.inject({ method: 'POST', url: `/api/spaces/${spaceId}/collections`, headers, payload: body });
  if (res.statusCode !== 201) throw new Error(`create collection failed: ${res.statusCode} ${res.body}`);
  return res.json<CollectionDto>();
}
