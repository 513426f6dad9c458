-- Waymark's PostgreSQL roles: an owner that runs migrations, and an application role
-- with least privilege that the web server, worker and scheduler connect as.
--
--   psql -U postgres -v owner_password="$(openssl rand -base64 24)" \
--        -v app_password="$(openssl rand -base64 24)" -f deploy/postgresql/roles.sql
--
-- The application role owns nothing: it cannot ALTER or DROP a table, disable a trigger
-- (the audit trail's append-only triggers) or TRUNCATE. What it may do is granted here by
-- default privileges, so tables that later migrations add are covered the same way.
-- Append-only tables then lose UPDATE and DELETE (after-migrate.sql, run after each
-- migrate; on a Waymark that has `manage.py db_roles`, use that command instead, as it
-- knows every such table).

\set ON_ERROR_STOP on

CREATE ROLE waymark_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE waymark_app LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE waymark OWNER waymark_owner ENCODING 'UTF8' TEMPLATE template0;

\connect waymark

REVOKE ALL ON DATABASE waymark FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE waymark TO waymark_owner, waymark_app;
-- Only the owner creates objects in the schema (PostgreSQL 15 and later already refuse
-- PUBLIC; older versions do not).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO waymark_owner;
GRANT USAGE ON SCHEMA public TO waymark_app;

-- Rows, not structure: every table and sequence the owner creates from now on.
ALTER DEFAULT PRIVILEGES FOR ROLE waymark_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO waymark_app;
ALTER DEFAULT PRIVILEGES FOR ROLE waymark_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO waymark_app;
