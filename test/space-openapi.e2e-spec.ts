import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, ORDERS, signup, TestUser } from './factories';
import type { OpenApiDoc } from './json';

type Schema = {
  type?: string;
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties?: boolean;
};
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string }>>;
  components: { schemas: Record<string, Schema> };
};

describe('per-space typed OpenAPI (GET /api/spaces/{space_id}/openapi.json)', () => {
  let t: TestApp;
  let owner: TestUser;
  let spaceId: string;
  let h: Record<string, string>;
  let keyHeaders: Record<string, string>;
  const url = () => `/api/spaces/${spaceId}/openapi.json`;
  const spec = async (headers: Record<string, string>): Promise<Doc> => {
    const res = await t.app.inject({ method: 'GET', url: url(), headers });
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const operations = (doc: Doc) =>
    Object.values(doc.paths)
      .flatMap((item) => Object.values(item).map((op) => op.operationId))
      .sort();

  beforeAll(async () => {
    t = await createTestApp();
    owner = await signup(t.app);
    h = bearer(owner.access_token);
    spaceId = (await createSpace(t.app, owner.access_token)).id;
    await createCollection(t.app, h, spaceId);
    await createCollection(t.app, h, spaceId, {
      name: 'payroll',
      fields: [{ name: 'salary', type: 'integer', required: true, options: { min: 0 } }],
    });
    await createCollection(t.app, h, spaceId, {
      name: 'order_items',
      fields: [
        { name: 'sku', type: 'text', required: true, options: { max_length: 40 } },
        { name: 'tags', type: 'multi_select', options: { choices: ['a', 'b'] } },
      ],
    });
    const key = await createKey(t.app, h, spaceId, {
      collection_permissions: {
        orders: {
          read: true,
          write: true,
          delete: false,
          exclude_fields: ['email'],
          writable_fields: ['status', 'total', 'notes'],
        },
        order_items: ['read'],
      },
    });
    keyHeaders = { 'x-api-key': key.key };
  });
  afterAll(() => t.close());

  it('gives the owner every collection, typed from its fields, with separate read, create and patch schemas', async () => {
    const doc = await spec(h);
    expect(doc.openapi).toMatch(/^3\./);
    const { Orders, OrdersInput, OrdersPatch, OrderItems, Payroll } = doc.components.schemas;
    expect(Object.keys(Orders.properties)).toEqual([
      'id',
      'created_at',
      'updated_at',
      ...ORDERS.fields.map((f) => f.name),
    ]);
    expect(Orders.properties.id).toMatchObject({ type: 'string', format: 'uuid', readOnly: true });
    expect(Orders.properties.status).toEqual({ type: 'string', enum: ['new', 'paid', 'shipped'] });
    expect(Orders.properties.total).toEqual({ type: 'number', minimum: 0 });
    expect(Orders.properties.email).toMatchObject({
      type: 'string',
      format: 'email',
      description: 'Unique in the collection.',
    });
    expect(Orders.properties.notes).toEqual({ type: 'string', maxLength: 2000 });
    expect(Orders.properties.paid_at).toMatchObject({ type: 'string', format: 'date-time' });
    expect(Orders.properties.meta).toEqual({});
    expect(Orders.required).toEqual(['id', 'created_at', 'updated_at', 'status', 'total']);
    expect(Object.keys(OrdersInput.properties)).toEqual(ORDERS.fields.map((f) => f.name));
    expect(OrdersInput).toMatchObject({ required: ['status', 'total'], additionalProperties: false });
    expect(OrdersPatch.required).toBeUndefined();
    expect(OrdersPatch.properties.notes).toMatchObject({ nullable: true });
    expect(OrderItems.properties.sku).toEqual({ type: 'string', maxLength: 40 });
    expect(OrderItems.properties.tags).toMatchObject({ type: 'array', items: { type: 'string', enum: ['a', 'b'] } });
    expect(Payroll.properties.salary).toMatchObject({ type: 'integer', minimum: 0 });
    expect(operations(doc)).toEqual(
      ['Orders', 'OrderItems', 'Payroll']
        .flatMap((n) => [
          `list${n}`,
          `get${n}`,
          `create${n}`,
          `create${n}Batch`,
          `update${n}`,
          `delete${n}`,
          `delete${n}Where`,
        ])
        .sort(),
    );
    expect(Object.keys(doc.paths)).toContain('/api/spaces/{space_id}/collections/orders/records/{id}');
    expect(JSON.stringify(doc.paths['/api/spaces/{space_id}/collections/orders/records'].get)).toContain(spaceId);
  });

  it('limits a key to what it may read and do: hidden fields and collections absent, write schema of its writable fields only, no delete', async () => {
    const doc = await spec(keyHeaders);
    const { Orders, OrdersInput, OrderItems } = doc.components.schemas;
    expect(doc.components.schemas.Payroll).toBeUndefined();
    expect(Orders.properties.email).toBeUndefined();
    expect(Object.keys(Orders.properties)).toEqual([
      'id',
      'created_at',
      'updated_at',
      'status',
      'total',
      'notes',
      'paid_at',
      'meta',
    ]);
    expect(Object.keys(OrdersInput.properties)).toEqual(['status', 'total', 'notes']);
    expect(OrderItems).toBeDefined();
    expect(doc.components.schemas.OrderItemsInput).toBeUndefined();
    expect(operations(doc)).toEqual(
      [
        'createOrders',
        'createOrdersBatch',
        'getOrderItems',
        'getOrders',
        'listOrderItems',
        'listOrders',
        'updateOrders',
      ].sort(),
    );
    expect(JSON.stringify(doc)).not.toContain('payroll');
  });

  it('is cached per schema version and permission set, revalidates with ETag, and changes when a collection does', async () => {
    const first = await t.app.inject({ method: 'GET', url: url(), headers: keyHeaders });
    const etag = first.headers.etag as string;
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const again = await t.app.inject({ method: 'GET', url: url(), headers: { ...keyHeaders, 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    // The owner sees another document, so another tag.
    expect((await t.app.inject({ method: 'GET', url: url(), headers: h })).headers.etag).not.toBe(etag);

    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/spaces/${spaceId}/collections/orders`,
      headers: h,
      payload: { add_fields: [{ name: 'channel', type: 'select', options: { choices: ['web', 'shop'] } }] },
    });
    expect(patch.statusCode).toBe(200);
    const changed = await t.app.inject({
      method: 'GET',
      url: url(),
      headers: { ...keyHeaders, 'if-none-match': etag },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<OpenApiDoc>().components.schemas.Orders.properties?.channel).toEqual({
      type: 'string',
      enum: ['web', 'shop'],
    });
  });

  it("is 401 without a credential and 404 for a space that is not the caller's", async () => {
    expect((await t.app.inject({ method: 'GET', url: url() })).statusCode).toBe(401);
    const stranger = await signup(t.app);
    expect((await t.app.inject({ method: 'GET', url: url(), headers: bearer(stranger.access_token) })).statusCode).toBe(
      404,
    );
    const other = await createSpace(t.app, stranger.access_token);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/spaces/${other.id}/openapi.json`, headers: keyHeaders }))
        .statusCode,
    ).toBe(404);
  });

  it('serves Swagger UI for the space at /docs/spaces/{space_id}', async () => {
    const page = await t.app.inject({ method: 'GET', url: `/docs/spaces/${spaceId}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/docs/space-ui.js');
    const script = await t.app.inject({ method: 'GET', url: '/docs/space-ui.js' });
    expect(script.body).toContain("'/openapi.json'");
    expect((await t.app.inject({ method: 'GET', url: '/docs/spaces/not-a-space' })).statusCode).toBe(404);
  });
});
