-- What the API sends as startup parameters, which PgBouncer ignores: set on the role so every server connection has them.
ALTER ROLE member_graph SET statement_timeout = '15s';
ALTER ROLE member_graph SET lock_timeout = '5s';
ALTER ROLE member_graph SET idle_in_transaction_session_timeout = '10s';
ALTER ROLE member_graph SET plan_cache_mode = 'force_custom_plan';
