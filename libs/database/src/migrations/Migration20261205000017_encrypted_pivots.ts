import { Migration } from '@mikro-orm/migrations';

const NUMERIC = `'number', 'integer'`;
const TEXTUAL = `'text', 'email', 'url', 'select'`;
const BYTE_ORDERED = `'date', 'datetime'`;

/**
 * Encrypted fields in the pivots and the audit diff (API.md, "Encrypted fields"). An
 * encrypted value is stored as `{ "c": sealed, "b": blind index }`: it gets no ordering
 * row (it cannot be sorted), its uniqueness row hashes the blind index (equal values have
 * equal indexes, while sealed texts differ every time), and the audit diff shows
 * `[encrypted]`, comparing blind indexes so an unchanged value is no change.
 */
export class Migration20261205000017_encrypted_pivots extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create or replace function portico_value_rows(p_space uuid, p_collection uuid, p_id uuid, p_data jsonb, p_fields jsonb)
      returns table (space_id uuid, collection_id uuid, record_id uuid, field text, kind smallint, num numeric, txt text, ctxt text)
      language sql immutable parallel safe as $$
        select p_space, p_collection, p_id, f.name,
               (case when f.type in (${NUMERIC}) then 0 when f.type in (${BYTE_ORDERED}) then 2 else 1 end)::smallint,
               case when f.type in (${NUMERIC}) then portico_number(p_data->>f.name) end,
               case when f.type in (${TEXTUAL}) then left(p_data->>f.name, 256) end,
               case when f.type in (${BYTE_ORDERED}) then p_data->>f.name end
          from jsonb_to_recordset(p_fields) as f(name text, type text, encrypted boolean)
         where f.type in (${NUMERIC}, ${TEXTUAL}, ${BYTE_ORDERED}) and not coalesce(f.encrypted, false)
      $$`);
    this.addSql(`
      create or replace function portico_unique_rows(p_space uuid, p_collection uuid, p_id uuid, p_data jsonb, p_fields jsonb)
      returns table (space_id uuid, collection_id uuid, field text, value_hash bytea, record_id uuid)
      language sql immutable parallel safe as $$
        select p_space, p_collection, f.name,
               sha256(convert_to(case when coalesce(f.encrypted, false) then p_data->f.name->>'b' else p_data->>f.name end, 'UTF8')),
               p_id
          from jsonb_to_recordset(p_fields) as f(name text, "unique" boolean, encrypted boolean)
         where f."unique" and p_data->>f.name is not null
      $$`);
    this.addSql(`
      create function audit_diff(old_doc jsonb, new_doc jsonb, hidden jsonb, encrypted jsonb) returns jsonb language sql immutable as $$
        select audit_scrub(coalesce(jsonb_object_agg(k,
                 case when encrypted @> to_jsonb(k)
                        then jsonb_build_array(case when old_doc ? k then '"[encrypted]"'::jsonb else 'null'::jsonb end,
                                               case when new_doc ? k then '"[encrypted]"'::jsonb else 'null'::jsonb end)
                      when hidden @> to_jsonb(k) or k ~* '^(password|secret|secret_hash|token|access_token|refresh_token|api_key|key|authorization|cookie)$'
                        then jsonb_build_array('[redacted]', '[redacted]')
                      else jsonb_build_array(coalesce(old_doc -> k, 'null'::jsonb), coalesce(new_doc -> k, 'null'::jsonb)) end), '{}'::jsonb))
          from (select jsonb_object_keys(coalesce(old_doc, '{}'::jsonb)) as k
                union select jsonb_object_keys(coalesce(new_doc, '{}'::jsonb))) keys
         where case when encrypted @> to_jsonb(k) then (old_doc -> k -> 'b') is distinct from (new_doc -> k -> 'b')
                    else (old_doc -> k) is distinct from (new_doc -> k) end
      $$`);
  }

  override async down(): Promise<void> {
    this.addSql('drop function audit_diff(jsonb, jsonb, jsonb, jsonb)');
    this.addSql(`
      create or replace function portico_unique_rows(p_space uuid, p_collection uuid, p_id uuid, p_data jsonb, p_fields jsonb)
      returns table (space_id uuid, collection_id uuid, field text, value_hash bytea, record_id uuid)
      language sql immutable parallel safe as $$
        select p_space, p_collection, f.name, sha256(convert_to(p_data->>f.name, 'UTF8')), p_id
          from jsonb_to_recordset(p_fields) as f(name text, "unique" boolean)
         where f."unique" and p_data->>f.name is not null
      $$`);
    this.addSql(`
      create or replace function portico_value_rows(p_space uuid, p_collection uuid, p_id uuid, p_data jsonb, p_fields jsonb)
      returns table (space_id uuid, collection_id uuid, record_id uuid, field text, kind smallint, num numeric, txt text, ctxt text)
      language sql immutable parallel safe as $$
        select p_space, p_collection, p_id, f.name,
               (case when f.type in (${NUMERIC}) then 0 when f.type in (${BYTE_ORDERED}) then 2 else 1 end)::smallint,
               case when f.type in (${NUMERIC}) then portico_number(p_data->>f.name) end,
               case when f.type in (${TEXTUAL}) then left(p_data->>f.name, 256) end,
               case when f.type in (${BYTE_ORDERED}) then p_data->>f.name end
          from jsonb_to_recordset(p_fields) as f(name text, type text)
         where f.type in (${NUMERIC}, ${TEXTUAL}, ${BYTE_ORDERED})
      $$`);
  }
}
