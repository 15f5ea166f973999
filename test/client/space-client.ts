import createClient from 'openapi-fetch';
import type { components, paths } from './generated/space-api';

type Order = components['schemas']['Orders'];
type OrderInput = components['schemas']['OrdersInput'];

/** Written against the client generated from one space's typed spec, as a tenant's backend would be. */
export async function createTypedOrder(baseUrl: string, spaceId: string, apiKey: string): Promise<Order> {
  const api = createClient<paths>({ baseUrl, headers: { 'X-Api-Key': apiKey } });
  const body: OrderInput = { status: 'paid', total: 12.5, notes: 'typed' };
  const { data, error } = await api.POST('/api/spaces/{space_id}/collections/orders/records', {
    params: { path: { space_id: spaceId } },
    body,
  });
  if (!data) throw new Error(JSON.stringify(error));
  const status: 'new' | 'paid' | 'shipped' = data.status;
  void status;
  return data;
}

/** Each line below must NOT compile: the test also compiles this file without the directives and expects these errors. */
export function typeErrors(input: OrderInput, order: Order): unknown[] {
  void input;
  return [
    // @ts-expect-error -- `discount` is not a field of orders
    { status: 'new', total: 1, discount: 5 } satisfies OrderInput,
    // @ts-expect-error -- `status` is a select of new/paid/shipped
    { status: 'lost', total: 1 } satisfies OrderInput,
    // @ts-expect-error -- this key may not read `email`
    order.email,
  ];
}
