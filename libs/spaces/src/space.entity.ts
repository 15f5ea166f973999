import { EntitySchema, Opt } from '@mikro-orm/postgresql';

export class Space {
  id: string;
  name: string;
  tier: string;
  createdAt: Opt<Date>;
  updatedAt: Opt<Date>;
}

export const SpaceSchema = new EntitySchema<Space>({
  class: Space,
  tableName: 'spaces',
  properties: {
    id: { type: 'uuid', primary: true },
    name: { type: 'text' },
    tier: { type: 'text' },
    createdAt: { type: 'datetime', fieldName: 'created_at', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', fieldName: 'updated_at', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
