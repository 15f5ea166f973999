import { EntitySchema, Opt } from '@mikro-orm/postgresql';

export class User {
  id: string;
  email: string;
  name: string | null;
  passwordHash: string;
  /** Set for the first user (first-run setup); PLATFORM_ADMIN_EMAILS names others. */
  isPlatformAdmin: Opt<boolean>;
  createdAt: Opt<Date>;
  updatedAt: Opt<Date>;
}

export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'users',
  properties: {
    id: { type: 'uuid', primary: true },
    email: { type: 'text', unique: 'users_email_key' },
    name: { type: 'text', nullable: true },
    passwordHash: { type: 'text', fieldName: 'password_hash', hidden: true },
    isPlatformAdmin: { type: 'boolean', fieldName: 'is_platform_admin', default: false },
    createdAt: { type: 'datetime', fieldName: 'created_at', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', fieldName: 'updated_at', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
