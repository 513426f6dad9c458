-- Run as waymark_owner after each `manage.py migrate` (idempotent):
--   psql "$OWNER_DATABASE_URL" -f deploy/postgresql/after-migrate.sql
-- The audit trail is append-only: the application may add rows and read them, never
-- change or remove one. Its triggers refuse too, but only the owner could disable them,
-- and the application is not the owner.

\set ON_ERROR_STOP on

-- Tables that existed before roles.sql's default privileges (e.g. a restored database).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO waymark_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO waymark_app;
-- Then the exception: append-only.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM waymark_app;
