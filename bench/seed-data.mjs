// The bench collection: ten fields of every common kind, and the n-th record of it.
// Portico and the floor reference are seeded from the same generator.
export const FIELDS = [
  { name: 'status', type: 'select', required: true, options: { choices: ['new', 'paid', 'shipped'] } },
  { name: 'total', type: 'number', required: true, options: { min: 0 } },
  { name: 'email', type: 'email', unique: true },
  { name: 'notes', type: 'text' },
  { name: 'paid_at', type: 'datetime' },
  { name: 'qty', type: 'integer' },
  { name: 'gift', type: 'boolean' },
  { name: 'region', type: 'select', options: { choices: ['eu', 'us', 'apac'] } },
  { name: 'sku', type: 'text' },
  { name: 'meta', type: 'json' },
];

export const record = (n) => ({
  status: ['new', 'paid', 'shipped'][n % 3],
  total: (n * 7919) % 1000,
  email: `c${n}@example.com`,
  notes: `order ${n}`,
  paid_at: new Date(1767225600000 + n * 60000).toISOString(),
  qty: n % 10,
  gift: n % 2 === 0,
  region: ['eu', 'us', 'apac'][n % 3],
  sku: `SKU-${n % 500}`,
  meta: { n },
});

/** The list scenario's filter and sort, in Portico's query language. */
export const LIST_FILTER = { status: 'paid', total: { gte: 500 } };
