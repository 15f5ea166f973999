import { Migration } from '@mikro-orm/migrations';

/**
 * Record changes in the audit log are scrubbed of credentials, as descriptions already
 * are (`scrub()` in libs/audit): the log cannot be edited, so a key, JWT or refresh
 * token pasted into a record must never reach it raw.
 *
 * The shapes are those of `SECRET_VALUE` in audit-event.ts. They consist only of
 * characters that JSON never escapes, so replacing them in the document's text form
 * yields valid JSON. Top-level members named like secrets (`password`, `token`, …) are
 * redacted whatever their value, as `SECRET_NAMES` does.
 */
export class Migration20261203000006_audit_scrub extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function audit_scrub(doc jsonb) returns jsonb language sql immutable parallel safe as $$
        select case when doc is null then null else
          regexp_replace(doc::text, '(ptc_[A-Za-z0-9_-]{20,}|prt_[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)', '[redacted]', 'g')::jsonb end
      $$`);
    this.addSql(`
      create or replace function audit_diff(old_doc jsonb, new_doc jsonb, hidden jsonb) returns jsonb language sql immutable as $$
        select audit_scrub(coalesce(jsonb_object_agg(k,
                 case when hidden @> to_jsonb(k) or k ~* '^(password|secret|secret_hash|token|access_token|refresh_token|api_key|key|authorization|cookie)$'
                        then jsonb_build_array('[redacted]', '[redacted]')
                      else jsonb_build_array(coalesce(old_doc -> k, 'null'::jsonb), coalesce(new_doc -> k, 'null'::jsonb)) end), '{}'::jsonb))
          from (select jsonb_object_keys(coalesce(old_doc, '{}'::jsonb)) as k
                union select jsonb_object_keys(coalesce(new_doc, '{}'::jsonb))) keys
         where (old_doc -> k) is distinct from (new_doc -> k)
      $$`);
  }

  override async down(): Promise<void> {
    this.addSql(`
      create or replace function audit_diff(old_doc jsonb, new_doc jsonb, hidden jsonb) returns jsonb language sql immutable as $$
        select coalesce(jsonb_object_agg(k,
                 case when hidden @> to_jsonb(k) then jsonb_build_array('[redacted]', '[redacted]')
                      else jsonb_build_array(coalesce(old_doc -> k, 'null'::jsonb), coalesce(new_doc -> k, 'null'::jsonb)) end), '{}'::jsonb)
          from (select jsonb_object_keys(coalesce(old_doc, '{}'::jsonb)) as k
                union select jsonb_object_keys(coalesce(new_doc, '{}'::jsonb))) keys
         where (old_doc -> k) is distinct from (new_doc -> k)
      $$`);
    this.addSql('drop function audit_scrub');
  }
}
