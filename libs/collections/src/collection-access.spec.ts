import type { ApiKeyPrincipal, CollectionAction, CollectionGrant, Role } from '@app/common';
import { HttpException } from '@nestjs/common';
import { apiKeyPrincipal, userPrincipal } from '../../../test/principals';
import { CollectionAccess } from './collection-access';

const user = userPrincipal();

type GrantSpec = Omit<CollectionGrant, 'actions'> & { actions: CollectionAction[] };

const keyWith = (grants: Record<string, GrantSpec>, extra: Partial<ApiKeyPrincipal> = {}) =>
  apiKeyPrincipal({
    grants: new Map(Object.entries(grants).map(([name, g]) => [name, { ...g, actions: new Set(g.actions) }])),
    ...extra,
  });

const asUser = (role: Role | undefined, collection = 'orders') =>
  CollectionAccess.resolve({ spaceId: 's1', principal: user, role }, collection);
const asKey = (principal: ApiKeyPrincipal, collection = 'orders') =>
  CollectionAccess.resolve({ spaceId: 's1', principal }, collection);
const actions = (access: CollectionAccess) =>
  (['read', 'write', 'delete', 'admin'] as const).filter((action) => access.can(action));

describe('CollectionAccess', () => {
  it.each([
    ['viewer', ['read']],
    ['editor', ['read', 'write', 'delete']],
    ['admin', ['read', 'write', 'delete', 'admin']],
    ['owner', ['read', 'write', 'delete', 'admin']],
  ] as const)('gives a %s member %j', (role, expected) => {
    expect(actions(asUser(role))).toEqual(expected);
  });

  it('gives a user who is no member (a platform admin looking in) nothing on records', () => {
    expect(actions(asUser(undefined))).toEqual([]);
  });

  it("takes a key's own entry for the collection over `*`", () => {
    const key = keyWith({ orders: { actions: ['read'] }, '*': { actions: ['read', 'write', 'delete'] } });
    expect(actions(asKey(key, 'orders'))).toEqual(['read']);
    expect(actions(asKey(key, 'invoices'))).toEqual(['read', 'write', 'delete']);
  });

  it('gives a key with no entry and no `*` nothing', () => {
    expect(actions(asKey(keyWith({ orders: { actions: ['read'] } }), 'invoices'))).toEqual([]);
  });

  it('gives an admin key everything, and the collections:admin scope schema rights only', () => {
    expect(actions(asKey(keyWith({}, { isAdmin: true })))).toEqual(['read', 'write', 'delete', 'admin']);
    expect(actions(asKey(keyWith({}, { scopes: ['collections:admin'] })))).toEqual(['admin']);
  });

  it('refuses with a 403 naming the action and the collection', () => {
    const access = asKey(keyWith({ orders: { actions: ['read'] } }));
    expect(() => access.require('read')).not.toThrow();
    try {
      access.require('write');
      throw new Error('require did not refuse');
    } catch (error) {
      expect(error).toBeInstanceOf(HttpException);
      expect((error as HttpException).getStatus()).toBe(403);
      expect((error as Error).message).toMatch(/write records of "orders"/);
    }
  });

  describe('field rules', () => {
    const selected = asKey(keyWith({ orders: { actions: ['read', 'write'], selectFields: ['total'] } }));
    const excluded = asKey(keyWith({ orders: { actions: ['read'], excludeFields: ['secret', 'created_at'] } }));
    const writable = asKey(keyWith({ orders: { actions: ['read', 'write'], writableFields: ['status'] } }));
    const record = { id: 'r1', created_at: 't0', updated_at: 't1', total: 5, secret: 'x', status: 'new' };

    it('reads only the selected fields, and the system fields unless excluded', () => {
      expect(selected.project(record)).toEqual({ id: 'r1', created_at: 't0', updated_at: 't1', total: 5 });
      expect(excluded.project(record)).toEqual({ id: 'r1', updated_at: 't1', total: 5, status: 'new' });
    });

    it('applies a `fields` projection within what is readable, always keeping the id', () => {
      expect(selected.project(record, ['total', 'secret'])).toEqual({ id: 'r1', total: 5 });
      expect(excluded.project(record, ['secret', 'status'])).toEqual({ id: 'r1', status: 'new' });
    });

    it('writes only the writable fields; without a rule, every field', () => {
      expect(writable.writable('status')).toBe(true);
      expect(writable.writable('total')).toBe(false);
      expect(selected.writable('secret')).toBe(true);
    });

    it('puts no field rule on members', () => {
      const member = asUser('editor');
      expect(member.project(record)).toEqual(record);
      expect(member.readable('secret') && member.writable('secret')).toBe(true);
    });
  });
});
