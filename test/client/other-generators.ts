/**
 * Written against clients that two generators the project does not otherwise use make
 * from Portico's documents (@hey-api/openapi-ts and orval, fetch clients both): the main
 * document and one space's typed document. It only has to compile: each line is a
 * thing a user of those generators writes on day one.
 */
import * as heyMain from './generated/other/hey-main/index.js';
import * as heySpace from './generated/other/hey-space/index.js';
import * as orvalMain from './generated/other/orval-main/api.js';
import * as orvalSpace from './generated/other/orval-space/api.js';

export async function heyApi(spaceId: string, apiKey: string): Promise<unknown[]> {
  const headers = { 'X-Api-Key': apiKey };
  // The main document: a record's own fields are readable without a cast.
  const { data } = await heyMain.listRecords({ path: { space_id: spaceId, name: 'orders' }, headers });
  const status: unknown = data?.data[0]?.status;
  // The space's document: the same field, typed.
  const typed = await heySpace.listOrders({ path: { space_id: spaceId }, headers });
  const order = typed.data?.data[0];
  const orderStatus: 'new' | 'paid' | 'shipped' | undefined = order?.status;
  return [status, orderStatus];
}

export async function orval(spaceId: string, apiKey: string): Promise<unknown[]> {
  const init = { headers: { 'X-Api-Key': apiKey } };
  const page = await orvalMain.listRecords(spaceId, 'orders', undefined, init);
  const status: unknown = page.status === 200 ? page.data.data[0]?.status : undefined;
  const typed = await orvalSpace.listOrders(spaceId, undefined, init);
  const orderStatus: 'new' | 'paid' | 'shipped' | undefined =
    typed.status === 200 ? typed.data.data[0]?.status : undefined;
  // The space is a required argument: a forgotten one does not compile, so it cannot target another tenant.
  // @ts-expect-error -- listOrders needs the space id
  await orvalSpace.listOrders(undefined, init);
  return [status, orderStatus];
}
