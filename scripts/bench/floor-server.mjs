// The honest floor (issue 25): what a careful engineer would hand-write for each benchmark scenario, in a process of
// its own. Bare node:http, the raw driver (pg, a Pool of FLOOR_CONNECTIONS), one named prepared statement per scenario
// whose SQL builds the whole `{"data":…}` answer, global IDs included, and that text written to the socket as the
// driver returns it: nothing is parsed or serialized in JavaScript but the request's variables. Plain JavaScript, run
// with plain `node`, so no loader sits in its way. scripts/bench/processes.ts starts it; it prints one line,
// {"port":N}, when it listens.
//
// Environment: FLOOR_DATABASE_URL (the bench's throwaway database), FLOOR_CONNECTIONS (the pool's size: the most
// connections the benchmark opens), FLOOR_KEEP_ALIVE_TIMEOUT_MS (the API's), FLOOR_FIRM_CREDIT_CODE (scenario 4's firm,
// which the API takes from the token).
//
// Routes are the scenarios' keys (/1, /3, /3@scale, …); the part before "@" picks the statement.
import { createServer } from 'node:http';
import pg from 'pg';

const env = process.env;
const connections = Number(env.FLOOR_CONNECTIONS ?? 4);

/** src/global-id.ts's globalIdSql: base64url of "Type:id" without padding (short enough that encode() adds no newline). */
const globalId = (typename, id) => `translate(rtrim(encode(convert_to('${typename}:' || ${id}::text, 'UTF8'), 'base64'), '='), '+/', '-_')`;

// JSON text is built with row_to_json over aliased sub-selects and array_to_json(array_agg(…)): both print compact JSON
// with the columns in the order selected, as JSON.stringify prints the API's answer (json_build_object and json_agg add
// spaces and newlines; jsonb reorders keys). Scores are numeric(7,2): as float8 they print as JavaScript prints them
// (87.5, not 87.50).
const STATEMENTS = {
  // One organization by its global ID (decoded below, as a handler would): the node, or null.
  1: `select '{"data":{"node":' || coalesce((
        select row_to_json(n)::text from (
          select ${globalId('Organization', 'o.id')} as "id", o.name as "name", o.credit_code as "creditCode",
                 case when o.stock_code is null then null else o.stock_code || '.' || o.stock_exchange end as "stockCode",
                 o.district as "district"
          from organizations o where o.id = $1) n), 'null') || '}}'`,

  // The first page of the directory with its total, counted by the page's own statement.
  2: `with page as (select id, name, kind, district, count(*) over () as total from organizations order by id limit $1)
      select '{"data":{"organizations":{"totalCount":' || coalesce((select total from page limit 1), 0) || ',"edges":' || coalesce((
        select array_to_json(array_agg((
          select row_to_json(e) from (select (
            select row_to_json(n) from (select ${globalId('Organization', 'p.id')} as "id", p.name as "name", p.kind as "kind", p.district as "district") n
          ) as "node") e) order by p.id))
        from page p), '[]')::text || '}}}'`,

  // 100 organizations → their first 10 branches → every rating of each (newest year first), nested in one statement.
  // A firm's branches are a range of the (firm_id, id) index, as the API reads them: written `firm_id = o.id order by
  // id`, the benchmark's skewed synthetic year made the planner walk the primary key (EXPLAIN shows it; an engineer
  // writing this by hand would too).
  3: `select '{"data":{"organizations":{"edges":' || coalesce(array_to_json(array_agg((
        select row_to_json(e) from (select (
          select row_to_json(n) from (select ${globalId('Organization', 'o.id')} as "id", o.name as "name", (
            select row_to_json(bs) from (select coalesce((
              select array_to_json(array_agg((
                select row_to_json(be) from (select (
                  select row_to_json(bn) from (select ${globalId('Branch', 'b.id')} as "id", b.name as "name", coalesce((
                    select array_to_json(array_agg((
                      select row_to_json(r) from (select c.year as "year", rt.total_score::float8 as "totalScore", rt.grade as "grade") r
                    ) order by c.year desc))
                    from branch_ratings rt join rating_cycles c on c.id = rt.cycle_id where rt.branch_id = b.id), '[]') as "ratings") bn
                ) as "node") be) order by b.id))
              from (select id, name from branches where (firm_id, id) > (o.id, 0) and firm_id <= o.id order by firm_id, id limit 10) b), '[]') as "edges") bs
          ) as "branches") n
        ) as "node") e) order by o.id)), '[]')::text || '}}}'
      from (select id, name from organizations order by id limit $1) o`,

  // What the contract requires of a submission, in one statement (as scripts/bench-scenarios.ts's in-process floor):
  // the suggestion, its first event, the audit entry (hash-chained by the same trigger) and the outbox event, to the
  // firm's association (SZSA, id 1) as an active member of it. It skips the token and input checks.
  4: `with inserted as (
        insert into suggestions (organization_id, association_id, topic, title, body, idempotency_key, input_fingerprint)
        select $1, 1, 'FINTECH', $2, $3, 'floor-' || $4, 'x'
        where exists (select 1 from memberships where organization_id = $1 and association_id = 1 and status = 'ACTIVE')
        returning *),
      event as (
        insert into suggestion_events (suggestion_id, at, from_status, to_status, actor_role)
        select id, submitted_at, null, 'SUBMITTED', 'FIRM' from inserted),
      audit as (
        insert into audit_log (actor_sub, actor_role, actor_org_id, action, entity_type, entity_id, after)
        select 'bench-floor', 'FIRM', $1, 'suggestion.submit', 'Suggestion', id, to_jsonb(inserted) from inserted),
      outbox as (
        insert into outbox_events (type, entity_type, entity_id, payload)
        select 'suggestion.submitted', 'Suggestion', id, jsonb_build_object('topic', topic, 'title', title, 'submittedAt', submitted_at) from inserted)
      select '{"data":{"submitSuggestion":{"suggestion":' || (
        select row_to_json(s)::text from (select ${globalId('Suggestion', 'i.id')} as "id", i.status as "status",
          to_char(i.submitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "submittedAt") s) || ',"userErrors":[]}}}'
      from inserted i`,

  // The rating distribution of one year: the same GROUP BY, as JSON.
  5: `select '{"data":{"reports":{"ratingDistribution":' || coalesce(array_to_json(array_agg(row_to_json(g) order by g.grade)), '[]')::text || '}}}'
      from (select r.grade as "grade", count(*)::int as "count" from branch_ratings r join rating_cycles c on c.id = r.cycle_id
            where c.year = $1 group by r.grade) g`,
};

const pool = new pg.Pool({
  connectionString: env.FLOOR_DATABASE_URL,
  max: connections,
  // As the API's pool runs its named statements (src/db/client.ts): planned for each execution's values. PostgreSQL's
  // generic plan, chosen after five executions, can be far slower for these nested statements.
  options: '-c plan_cache_mode=force_custom_plan',
});

// Scenario 4's firm, looked up once (the API knows it from the token and remembers it).
let firmId = null;
if (env.FLOOR_FIRM_CREDIT_CODE) {
  const { rows } = await pool.query('select id from organizations where credit_code = $1', [env.FLOOR_FIRM_CREDIT_CODE]);
  firmId = rows[0]?.id ?? null;
}

/** The organization id of a global ID "Organization:<id>" in base64url, or null (the statement then answers null). */
function organizationId(id) {
  const match = typeof id === 'string' ? /^Organization:([1-9]\d{0,9})$/.exec(Buffer.from(id, 'base64url').toString('utf8')) : null;
  return match ? Number(match[1]) : null;
}

/** The statement's parameters, from the request's variables alone. */
const PARAMETERS = {
  1: (v) => [organizationId(v.id)],
  2: (v) => [Number(v.first)],
  3: (v) => [Number(v.first)],
  4: (v) => [firmId, v.input.title, v.input.body, v.input.idempotencyKey],
  5: (v) => [Number(v.year)],
};

const failing = new Set();
const server = createServer({ keepAliveTimeout: Number(env.FLOOR_KEEP_ALIVE_TIMEOUT_MS ?? 5000) }, async (req, res) => {
  const route = (req.url ?? '/').slice(1);
  try {
    const id = route.split('@')[0];
    const text = STATEMENTS[id];
    if (!text) throw new Error(`no floor at ${req.url}`);
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    // rowMode 'array' spares the row object; the one column is text, which pg hands over as the string it received.
    const result = await pool.query({ name: `floor-${id}`, text, values: PARAMETERS[id](variables ?? {}), rowMode: 'array' });
    const body = result.rows[0][0];
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } catch (error) {
    // The load generator counts the 500s; the first one's message says why.
    if (!failing.has(route)) console.error(`  !! floor ${req.url}: ${String(error?.message ?? error).split('\n')[0].slice(0, 200)}`);
    failing.add(route);
    res.writeHead(500).end();
  }
});

server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));

// The benchmark stops it with SIGTERM: close the sockets and the pool, then exit.
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
});
