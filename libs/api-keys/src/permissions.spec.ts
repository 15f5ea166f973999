import { grantFor } from '@app/common';
import { CONTRACT_PERMISSIONS } from '../../../test/contract-examples';
import { grantWithin, toGrants, validatePermissions } from './permissions';

describe('collection permissions', () => {
  const contract = CONTRACT_PERMISSIONS;

  it("accepts the contract's example and normalises both forms", () => {
    expect(validatePermissions(contract)).toEqual([]);
    const grants = toGrants(contract as never);
    expect([...grants.get('users')!.actions]).toEqual(['read', 'write']);
    expect(grants.get('orders')).toMatchObject({
      selectFields: ['id', 'total'],
      excludeFields: ['card_last4'],
      writableFields: ['status'],
    });
    expect([...grants.get('orders')!.actions]).toEqual(['read', 'write']);
    expect(grantFor(grants, 'anything')).toBe(grants.get('*'));
  });

  it('names every bad entry', () => {
    const errors = validatePermissions({ Bad: ['read'], ok: ['fly'], o2: { read: 'yes', extra: 1 }, o3: 7 });
    expect(errors.map((e) => e.field)).toEqual([
      'collection_permissions.Bad',
      'collection_permissions.ok',
      'collection_permissions.o2.read',
      'collection_permissions.o2.extra',
      'collection_permissions.o3',
    ]);
  });

  it('compares power', () => {
    const g = (p: unknown) => toGrants({ c: p } as never).get('c')!;
    expect(grantWithin(g(['read']), g(['read', 'write']))).toBe(true);
    expect(grantWithin(g(['delete']), g(['read', 'write']))).toBe(false);
    expect(grantWithin(g({ read: true }), g({ read: true, select_fields: ['a'] }))).toBe(false);
    expect(grantWithin(g({ read: true, select_fields: ['a'] }), g({ read: true, select_fields: ['a', 'b'] }))).toBe(
      true,
    );
    expect(grantWithin(g({ read: true }), g({ read: true, exclude_fields: ['ssn'] }))).toBe(false);
    expect(grantWithin(g(['read']), undefined)).toBe(false);
  });
});
