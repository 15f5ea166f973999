/**
 * Examples from the HTTP contract (shared/API.md), written once and kept literal: the
 * tests that use them prove the contract's own examples work.
 */
export const CONTRACT_PERMISSIONS = {
  users: ['read', 'write'],
  products: ['read'],
  orders: {
    read: true,
    write: true,
    delete: false,
    select_fields: ['id', 'total'],
    exclude_fields: ['card_last4'],
    writable_fields: ['status'],
  },
  '*': ['read'],
};
