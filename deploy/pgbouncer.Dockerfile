# PgBouncer from Debian's packages (bookworm ships 1.18; use a newer base, or DB_NAMED_STATEMENTS=false, when
# max_prepared_statements is needed: it arrived in 1.21). Untested in CI, see ../Dockerfile.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends pgbouncer && rm -rf /var/lib/apt/lists/*
USER postgres
EXPOSE 6432
CMD ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]
