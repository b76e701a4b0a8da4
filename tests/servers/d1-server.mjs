#!/usr/bin/env node
// d1-server.mjs — a Cloudflare D1 REST API server for Litehouse's tests.
//
// Speaks the part of Cloudflare's API (https://api.cloudflare.com/client/v4) that Litehouse
// uses for D1, on 127.0.0.1, over Miniflare's local D1 (the same engine `wrangler dev` runs):
//
//   GET  /client/v4/accounts/{account}/d1/database             list (name, page, per_page)
//   GET  /client/v4/accounts/{account}/d1/database/{uuid}      one database
//   POST /client/v4/accounts/{account}/d1/database/{uuid}/query  rows as objects
//   POST /client/v4/accounts/{account}/d1/database/{uuid}/raw    rows as arrays + column names
//
// Usage:
//   node d1-server.mjs --state DIR --database NAME=UUID [--database NAME=UUID …]
//                      [--port N] [--token T] [--account ACCOUNT_ID]
//
// The common contract of the test servers (the `PORT N` line, exit when standard input
// closes or on SIGTERM, fault injection at /__litehouse/faults, the request log at
// /__litehouse/requests) is described in README.md beside this file.
//
// What comes from D1 and what comes from here:
// - SQL runs in D1 (Miniflare's D1 Durable Object, reached through the D1 binding's own
//   transport, the call its batch() makes): SQL semantics, value types, transactions, the
//   rejection of BEGIN/SAVEPOINT and every SQL error message (`D1_ERROR: …`) are D1's.
//   Every request's statements run as one D1 batch: all of them or none of them.
// - A `sql` holding several statements is cut where SQLite itself ends a statement (the
//   sqlite3_complete() state machine, so triggers' BEGIN … END bodies stay whole) and the
//   pieces run as one batch, one result entry per statement, as the real API does. `params`
//   bind to the last statement of the text (D1's own rule for multi-statement SQL: only the
//   last statement can have parameters).
// - The Cloudflare envelope, HTTP statuses and error codes are this file's, chosen after
//   what api.cloudflare.com answers:
//     SQL error (any D1_… error)     400  code 7500  D1's message
//     malformed body or parameters   400  code 7400  "The request is malformed: …"
//     missing/wrong token            401  code 10000 "Authentication error"
//     account other than --account   403  code 7403  "The given account is not valid or is
//                                                     not authorized to access this service"
//     unknown database               404  code 7404  "The database UUID could not be found"
//     unknown route or method        404  code 7000  "No route for that URI"
//     unexpected failure here        500  code 7500  "internal error"
// - Deviation kept on purpose: `per_page` accepts 1…10000 (the real minimum is 10) so that
//   paging can be tested with a couple of databases.
//
// Answers (every one in the envelope {result, success, errors, messages}):
//   list   result: [{uuid, name, created_at, version: "production", num_tables, file_size}],
//          result_info: {page, per_page, count, total_count}; `name` matches a substring;
//          per_page defaults to 1000; a page past the end is empty (the SDK stops there)
//   get    result: the same fields + read_replication: {mode: "disabled"}; `fields` narrows
//   query  result: [{results: [{column: value, …}], success: true, meta}, …] per statement
//   raw    result: [{results: {columns: [...], rows: [[...]]}, success: true, meta}, …]
//   error  {success: false, errors: [{code, message}], messages: [], result: null}
// Values are D1's: integers and reals as JSON numbers, blobs as arrays of byte values (and
// such an array as a parameter binds a blob). `meta` is D1's (served_by, duration, changes,
// last_row_id, changed_db, size_after, rows_read, rows_written) plus the API's
// served_by_primary and timings.sql_duration_ms. Creation times live in DIR/litehouse-d1.json.
//
// Faults, as README.md says; here a status fault answers the envelope Cloudflare sends for
// that status (401 → 10000, 403 → 7403, 404 → 7000, 429 → 971, 5xx → 7500, other → 7400),
// and big_bytes pads with a top-level member "litehouse_padding", which the SDK ignores.

import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";

/** The account served when --account is not given (the account of Cloudflare's examples). */
const DEFAULT_ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353";
/** Where the API lives, as in https://api.cloudflare.com/client/v4. */
const API_PREFIX = "/client/v4";
/** The control endpoints of the test-server contract. */
const CONTROL_PREFIX = "/__litehouse/";
/** Per-database facts D1 does not keep (creation time), beside Miniflare's own files. */
const METADATA_FILE = "litehouse-d1.json";
/** Counts the user tables of a database; its meta.size_after is the file size. */
const COUNT_TABLES_SQL =
  "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' " +
  "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'";

// ---------------------------------------------------------------------------------------
// Command line

/** Parses the command line into {state, port, token, account, databases: [{name, uuid}]}. */
function parseOptions(argv) {
  // (parseArgs' `default` needs Node 18.11; defaults are applied below instead.)
  const { values } = parseArgs({
    args: argv,
    options: {
      state: { type: "string" },
      port: { type: "string" },
      token: { type: "string" },
      account: { type: "string" },
      database: { type: "string", multiple: true },
    },
    strict: true,
  });
  if (!values.state) throw new Error("--state DIR is required");
  const port = Number(values.port ?? "0");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port: not a port number: ${values.port}`);
  }
  const databases = (values.database ?? []).map(parseDatabaseOption);
  if (databases.length === 0) throw new Error("at least one --database NAME=UUID is required");
  checkUnique(databases.map((d) => d.name), "database name");
  checkUnique(databases.map((d) => d.uuid), "database UUID");
  const account = values.account ?? DEFAULT_ACCOUNT;
  return { state: values.state, port, token: values.token, account, databases };
}

/** Splits one `--database NAME=UUID` value. */
function parseDatabaseOption(value) {
  const eq = value.indexOf("=");
  const name = value.slice(0, eq);
  const uuid = value.slice(eq + 1);
  if (eq <= 0 || uuid === "") throw new Error(`--database: expected NAME=UUID, got ${value}`);
  return { name, uuid };
}

function checkUnique(list, what) {
  const seen = new Set();
  for (const item of list) {
    if (seen.has(item)) throw new Error(`${what} given twice: ${item}`);
    seen.add(item);
  }
}

// ---------------------------------------------------------------------------------------
// The Cloudflare envelope

/** An error answered in the Cloudflare envelope with the given HTTP status and code. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function envelopeOk(result, extra = {}) {
  return { result, success: true, errors: [], messages: [], ...extra };
}

function envelopeError(code, message) {
  return { success: false, errors: [{ code, message }], messages: [], result: null };
}

const malformed = (detail) => new ApiError(400, 7400, `The request is malformed: ${detail}`);
const noRoute = () => new ApiError(404, 7000, "No route for that URI");
const ACCOUNT_REFUSED =
  "The given account is not valid or is not authorized to access this service";

/** The envelope a status fault answers with: what Cloudflare says for that status. */
function faultEnvelope(status) {
  switch (status) {
    case 400: return envelopeError(7400, "The request is malformed");
    case 401: return envelopeError(10000, "Authentication error");
    case 403: return envelopeError(7403, ACCOUNT_REFUSED);
    case 404: return envelopeError(7000, "No route for that URI");
    case 429: return envelopeError(971, "Please wait and consider throttling your request speed");
    default:
      return status >= 500
        ? envelopeError(7500, "internal error")
        : envelopeError(7400, `HTTP ${status}`);
  }
}

// ---------------------------------------------------------------------------------------
// Splitting SQL text into statements, where SQLite ends them

// Tokens and transitions of SQLite's sqlite3_complete() (complete.c): a statement ends at a
// `;` that brings the machine back to START; inside CREATE TRIGGER it takes `; END ;`.
const TK_SEMI = 0, TK_WS = 1, TK_OTHER = 2, TK_EXPLAIN = 3, TK_CREATE = 4, TK_TEMP = 5,
  TK_TRIGGER = 6, TK_END = 7;
const STATE_START = 1;
const TRANSITIONS = [
  /*            SEMI WS OTHER EXPLAIN CREATE TEMP TRIGGER END */
  /* INVALID */ [1, 0, 2, 3, 4, 2, 2, 2],
  /* START   */ [1, 1, 2, 3, 4, 2, 2, 2],
  /* NORMAL  */ [1, 2, 2, 2, 2, 2, 2, 2],
  /* EXPLAIN */ [1, 3, 3, 2, 4, 2, 2, 2],
  /* CREATE  */ [1, 4, 2, 2, 2, 4, 5, 2],
  /* TRIGGER */ [6, 5, 5, 5, 5, 5, 5, 5],
  /* SEMI    */ [6, 6, 5, 5, 5, 5, 5, 7],
  /* END     */ [1, 7, 5, 5, 5, 5, 5, 5],
];
const KEYWORDS = new Map([
  ["create", TK_CREATE], ["trigger", TK_TRIGGER], ["temp", TK_TEMP], ["temporary", TK_TEMP],
  ["end", TK_END], ["explain", TK_EXPLAIN],
]);

const isIdChar = (c) => /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) > 0x7f;

/** Reads the token at sql[i]: returns [token, index after it]. */
function nextToken(sql, i) {
  const c = sql[i];
  const skipTo = (close, from) => {
    const at = sql.indexOf(close, from);
    return at < 0 ? sql.length : at + close.length;
  };
  if (c === ";") return [TK_SEMI, i + 1];
  if (" \t\n\r\f".includes(c)) return [TK_WS, i + 1];
  if (c === "/" && sql[i + 1] === "*") return [TK_WS, skipTo("*/", i + 2)];
  if (c === "-" && sql[i + 1] === "-") return [TK_WS, skipTo("\n", i + 2)];
  if (c === "[") return [TK_OTHER, skipTo("]", i + 1)];
  if (c === "'" || c === '"' || c === "`") return [TK_OTHER, skipTo(c, i + 1)];
  if (!isIdChar(c)) return [TK_OTHER, i + 1];
  let end = i + 1;
  while (end < sql.length && isIdChar(sql[end])) end++;
  return [KEYWORDS.get(sql.slice(i, end).toLowerCase()) ?? TK_OTHER, end];
}

/**
 * Cuts SQL text into its statements, each with its own `;`, leaving out empty ones. Text
 * with no statement at all comes back whole, for D1 to say what it makes of it.
 */
function splitStatements(sql) {
  const statements = [];
  let state = 0, start = 0, i = 0;
  const cut = (end) => {
    const text = sql.slice(start, end).trim();
    if (state !== 0 && state !== STATE_START) statements.push(text);
    start = end;
  };
  while (i < sql.length) {
    const [token, next] = nextToken(sql, i);
    const after = TRANSITIONS[state][token];
    if (token === TK_SEMI && after === STATE_START) cut(next);
    state = after;
    i = next;
  }
  cut(sql.length);
  return statements.length > 0 ? statements : [sql];
}

// ---------------------------------------------------------------------------------------
// Request bodies

/** Checks a query body and returns its items: [{sql, params}] (one for `sql`, n for `batch`). */
function queryItems(body) {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw malformed("the body must be a JSON object with `sql` or `batch`");
  }
  if (body.batch !== undefined) {
    if (!Array.isArray(body.batch) || body.batch.length === 0) {
      throw malformed("`batch` must be a non-empty array of {sql, params}");
    }
    return body.batch.map((item, n) => checkQuery(item, `batch[${n}]`));
  }
  return [checkQuery(body, "body")];
}

function checkQuery(item, where) {
  if (item === null || typeof item !== "object" || typeof item.sql !== "string") {
    throw malformed(`${where}: \`sql\` must be a string`);
  }
  const params = item.params ?? [];
  if (!Array.isArray(params)) throw malformed(`${where}: \`params\` must be an array`);
  return { sql: item.sql, params };
}

/** A parameter D1 takes as it is (what the binding's bind() passes through untouched). */
function isWireValue(value) {
  if (value === null || typeof value === "string" || typeof value === "number") return true;
  return Array.isArray(value) &&
    value.every((b) => typeof b === "number" && Number.isInteger(b) && b >= 0 && b < 256);
}

// ---------------------------------------------------------------------------------------
// The databases, over Miniflare's D1

/**
 * The databases, each a D1 binding of one Miniflare instance.
 *
 * Statements go to D1 through the binding's own transport, `_sendOrThrow("/query", sqls,
 * params, "ROWS_AND_COLUMNS")`: the very call the binding's batch() makes (one transaction
 * in D1's Durable Object, errors thrown as `D1_ERROR: …`), minus batch()'s last step, which
 * turns rows into objects. The public calls fall short of the API: batch() loses repeated
 * column names and the columns of an empty result, raw() runs one statement and drops
 * `meta`. `_sendOrThrow` is internal to workerd's D1 binding, hence the check at start-up
 * (package.json pins miniflare).
 */
class Databases {
  /** Starts Miniflare with one D1 binding per database and returns the set. */
  static async open(stateDir, specs) {
    fs.mkdirSync(stateDir, { recursive: true });
    const bindings = Object.fromEntries(specs.map((spec, n) => [`DB${n}`, spec.uuid]));
    const mf = new Miniflare({
      modules: true,
      script: "export default {fetch(){return new Response('')}}",
      d1Databases: bindings,
      d1Persist: stateDir,
    });
    const created = loadCreationTimes(stateDir, specs);
    const entries = await Promise.all(specs.map(async (spec, n) => {
      const binding = await mf.getD1Database(`DB${n}`);
      const session = binding.alwaysPrimarySession;
      if (typeof session?._sendOrThrow !== "function") {
        throw new Error("this miniflare's D1 binding has no alwaysPrimarySession._sendOrThrow");
      }
      return { ...spec, created_at: created[spec.uuid], binding, session };
    }));
    return new Databases(mf, entries);
  }

  constructor(mf, entries) {
    this.mf = mf;
    this.entries = entries;
  }

  find(uuid) {
    const entry = this.entries.find((e) => e.uuid === uuid);
    if (!entry) throw new ApiError(404, 7404, `The database ${uuid} could not be found`);
    return entry;
  }

  /** Databases whose name contains `name` (all without one), in --database order. */
  search(name) {
    return name ? this.entries.filter((e) => e.name.includes(name)) : this.entries;
  }

  /** What the API tells about a database (the fields of the SDK's D1 type). */
  async describe(entry) {
    const [count] = await this.send(entry, [{ sql: COUNT_TABLES_SQL, params: [] }]);
    return {
      uuid: entry.uuid,
      name: entry.name,
      created_at: entry.created_at,
      version: "production",
      num_tables: count.results.rows[0][0],
      file_size: count.meta.size_after,
    };
  }

  /**
   * Runs the items of a request as one D1 batch and returns one entry per statement,
   * `{results: {columns, rows}, success, meta}`. D1's errors come out as ApiError 400.
   */
  async run(entry, items) {
    const statements = [];
    for (const { sql, params } of items) {
      const texts = splitStatements(sql);
      for (const [n, text] of texts.entries()) {
        const last = n === texts.length - 1;
        statements.push({ sql: text, params: last ? await bindable(entry, text, params) : [] });
      }
    }
    return this.send(entry, statements);
  }

  /** Sends statements to D1 in one transaction, as the binding's batch() does. */
  async send(entry, statements) {
    const answer = await d1Call(() => entry.session._sendOrThrow(
      "/query",
      statements.map((s) => s.sql),
      statements.map((s) => s.params),
      "ROWS_AND_COLUMNS",
    ));
    return (Array.isArray(answer) ? answer : [answer]).map(withApiMeta);
  }

  async close() {
    await this.mf.dispose();
  }
}

/** Runs a D1 call; D1's own errors (D1_ERROR, D1_TYPE_ERROR…) become 400s with their message. */
async function d1Call(call) {
  try {
    return await call();
  } catch (error) {
    const message = String(error?.message ?? error);
    if (/^D1_[A-Z_]+:/.test(message)) throw new ApiError(400, 7500, message);
    throw error;
  }
}

/** The parameters as D1 receives them: what the binding's bind() makes of them. */
async function bindable(entry, sql, params) {
  if (params.every(isWireValue)) return params;
  // Rarer values (booleans, bad types) go through D1's own bind(): its conversions and its
  // D1_TYPE_ERROR. Each call is a round trip to workerd, hence only for those.
  return d1Call(() => entry.binding.prepare(sql).bind(...params).params);
}

/** Completes D1's meta with the members the API adds (there is only a primary here). */
function withApiMeta({ results, success, meta }) {
  return {
    results,
    success,
    meta: { ...meta, served_by_primary: true, timings: { sql_duration_ms: meta.duration } },
  };
}

/** The binding's conversion of rows to objects (a repeated column name keeps its last value). */
function rowsAsObjects({ columns, rows }) {
  return rows.map((row) => Object.fromEntries(row.map((cell, i) => [columns[i], cell])));
}

/** Creation times by UUID, kept in the state directory so they survive restarts. */
function loadCreationTimes(stateDir, specs) {
  const file = path.join(stateDir, METADATA_FILE);
  let known = {};
  try {
    known = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    // First start in this directory (or an unreadable file): every database is new.
  }
  const now = new Date().toISOString();
  let added = false;
  for (const { uuid } of specs) {
    if (typeof known[uuid] !== "string") {
      known[uuid] = now;
      added = true;
    }
  }
  if (added) fs.writeFileSync(file, JSON.stringify(known, null, 2) + "\n");
  return known;
}

// ---------------------------------------------------------------------------------------
// The API's routes

const ROUTE = /^\/accounts\/([^/]+)\/d1\/database(?:\/([^/]+)(?:\/(query|raw))?)?\/?$/;

/** Answers one API request: returns {status, body} or throws ApiError. */
async function answerApi(ctx, method, url, body) {
  const match = url.pathname.startsWith(API_PREFIX + "/") &&
    ROUTE.exec(url.pathname.slice(API_PREFIX.length));
  if (!match) throw noRoute();
  const [, account, uuid, action] = match.map(decodePart);
  const wanted = action ? "POST" : "GET";
  if (method !== wanted) throw noRoute();
  if (account !== ctx.account) throw new ApiError(403, 7403, ACCOUNT_REFUSED);
  if (!uuid) return listDatabases(ctx, url.searchParams);
  const entry = ctx.databases.find(uuid);
  if (!action) return getDatabase(ctx, entry, url.searchParams);
  if (body === undefined) throw malformed("the body is not valid JSON");
  return runQuery(ctx, entry, body, action);
}

/** Decodes a path segment (undefined stays undefined; bad %-escapes are no route). */
function decodePart(part) {
  if (part === undefined) return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    throw noRoute();
  }
}

async function listDatabases(ctx, query) {
  const page = pageNumber(query, "page", 1, 1, Number.MAX_SAFE_INTEGER);
  const perPage = pageNumber(query, "per_page", 1000, 1, 10000);
  const matching = ctx.databases.search(query.get("name"));
  const slice = matching.slice((page - 1) * perPage, page * perPage);
  const result = [];
  for (const entry of slice) result.push(await ctx.databases.describe(entry));
  const resultInfo = {
    page,
    per_page: perPage,
    count: result.length,
    total_count: matching.length,
  };
  return { status: 200, body: envelopeOk(result, { result_info: resultInfo }) };
}

/** Reads an integer query parameter within [min, max]. */
function pageNumber(query, name, fallback, min, max) {
  const text = query.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw malformed(`\`${name}\` must be an integer from ${min} to ${max}`);
  }
  return value;
}

async function getDatabase(ctx, entry, query) {
  const info = { ...(await ctx.databases.describe(entry)), read_replication: { mode: "disabled" } };
  // `fields` narrows the answer (the SDK repeats it: fields=a&fields=b; commas work too).
  const fields = query.getAll("fields").flatMap((f) => f.split(",")).filter(Boolean);
  const result = fields.length > 0
    ? Object.fromEntries(Object.entries(info).filter(([key]) => fields.includes(key)))
    : info;
  return { status: 200, body: envelopeOk(result) };
}

async function runQuery(ctx, entry, body, action) {
  const entries = await ctx.databases.run(entry, queryItems(body));
  const result = action === "raw"
    ? entries
    : entries.map((e) => ({ ...e, results: rowsAsObjects(e.results) }));
  return { status: 200, body: envelopeOk(result) };
}

// ---------------------------------------------------------------------------------------
// Faults and the request log (the test-server contract)

class FaultQueue {
  constructor() {
    this.faults = [];
  }

  /** Queues faults after checking them; throws a message for the first bad one. */
  add(list) {
    if (!Array.isArray(list)) throw new Error("`faults` must be an array");
    const checked = list.map(checkFault);
    this.faults.push(...checked);
  }

  clear() {
    this.faults = [];
  }

  /** The fault for a request to `target`, if one is queued for it (and uses it once). */
  take(target) {
    const index = this.faults.findIndex((f) => target.startsWith(f.path));
    if (index < 0) return null;
    const fault = this.faults[index];
    fault.count -= 1;
    if (fault.count <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

/** Validates one fault and fills in its defaults (count 1, any path). */
function checkFault(fault) {
  if (fault === null || typeof fault !== "object" || Array.isArray(fault)) {
    throw new Error("a fault must be an object");
  }
  const isCount = (v) => Number.isInteger(v) && v >= 0;
  const checks = {
    status: (v) => Number.isInteger(v) && v >= 200 && v <= 599,
    retry_after: (v) => typeof v === "number" && v >= 0,
    delay_ms: isCount,
    truncate: (v) => typeof v === "boolean",
    invalid_json: (v) => typeof v === "boolean",
    big_bytes: isCount,
    close: (v) => typeof v === "boolean",
    count: (v) => Number.isInteger(v) && v >= 1,
    path: (v) => typeof v === "string",
  };
  for (const [key, value] of Object.entries(fault)) {
    if (!(key in checks)) throw new Error(`unknown fault member: ${key}`);
    if (!checks[key](value)) {
      throw new Error(`bad value for fault member ${key}: ${JSON.stringify(value)}`);
    }
  }
  return { count: 1, path: "", ...fault };
}

/** Answers the control endpoints: faults and the request log. */
function answerControl(ctx, method, pathname, body) {
  const route = `${method} ${pathname.replace(/\/$/, "")}`;
  switch (route) {
    case "POST /__litehouse/faults":
      if (body === undefined || body === null || typeof body !== "object") {
        return { status: 400, body: { error: "expected a JSON body {\"faults\": [FAULT, …]}" } };
      }
      try {
        ctx.faults.add(body.faults);
      } catch (error) {
        return { status: 400, body: { error: error.message } };
      }
      return { status: 200, body: { queued: ctx.faults.faults.length } };
    case "GET /__litehouse/faults":
      return { status: 200, body: { faults: ctx.faults.faults } };
    case "DELETE /__litehouse/faults":
      ctx.faults.clear();
      return { status: 200, body: { faults: [] } };
    case "GET /__litehouse/requests":
      return { status: 200, body: { requests: ctx.requests } };
    case "DELETE /__litehouse/requests":
      ctx.requests.length = 0;
      return { status: 200, body: { requests: [] } };
    default:
      return { status: 404, body: { error: `no control endpoint ${route}` } };
  }
}

// ---------------------------------------------------------------------------------------
// HTTP

/** Reads a request's body: parsed JSON, null when empty, undefined when not JSON. */
async function readJsonBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether the request carries the server's token (always, when none was given). */
function authorized(ctx, req) {
  if (ctx.token === undefined) return true;
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  return match !== null && match[1].trim() === ctx.token;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Serializes a JSON answer; big_bytes pads it with a top-level member clients ignore. */
function serialize(body, bigBytes) {
  let text = JSON.stringify(body);
  if (bigBytes && Buffer.byteLength(text) < bigBytes && body && typeof body === "object") {
    const unpadded = Buffer.byteLength(JSON.stringify({ ...body, litehouse_padding: "" }));
    const padding = " ".repeat(Math.max(0, bigBytes - unpadded));
    text = JSON.stringify({ ...body, litehouse_padding: padding });
  }
  return Buffer.from(text);
}

/** Writes a JSON answer, as damaged as the fault asks (truncate, big_bytes). */
function sendJson(res, status, body, fault = null, headers = {}) {
  const bytes = serialize(body, fault?.big_bytes);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": bytes.length,
    ...headers,
  });
  if (fault?.truncate) {
    // Half the body under the full Content-Length, then the connection goes away.
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.end(bytes);
}

/** Whether a fault answers in place of the request (which then never runs). */
const answersInstead = (fault) => fault.close || fault.status !== undefined || fault.invalid_json;

/** Answers in place of the request: no response at all, an error status, or broken JSON. */
function answerFaultInstead(res, fault) {
  if (fault.close) {
    res.socket?.destroy();
  } else if (fault.status !== undefined) {
    const headers = fault.retry_after === undefined
      ? {}
      : { "Retry-After": String(fault.retry_after) };
    sendJson(res, fault.status, faultEnvelope(fault.status), null, headers);
  } else {
    const bytes = Buffer.from('{"result": [{"results": [ this is not JSON');
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": bytes.length });
    res.end(bytes);
  }
}

/** One protocol request: logged, maybe faulted, authorized, then answered. */
async function handleProtocol(ctx, req, res, url, body) {
  ctx.requests.push({
    method: req.method,
    path: req.url,
    authorization: req.headers.authorization !== undefined,
    body: body ?? null,
  });
  const fault = ctx.faults.take(req.url);
  if (fault && answersInstead(fault)) {
    if (fault.delay_ms) await sleep(fault.delay_ms);
    answerFaultInstead(res, fault);
    return;
  }

  let answer;
  try {
    if (!authorized(ctx, req)) throw new ApiError(401, 10000, "Authentication error");
    answer = await answerApi(ctx, req.method, url, body);
  } catch (error) {
    answer = errorAnswer(error);
  }
  if (fault?.delay_ms) await sleep(fault.delay_ms);
  sendJson(res, answer.status, answer.body, fault);
}

function errorAnswer(error) {
  if (error instanceof ApiError) {
    return { status: error.status, body: envelopeError(error.code, error.message) };
  }
  process.stderr.write(`d1-server: ${error?.stack ?? error}\n`);
  return { status: 500, body: envelopeError(7500, "internal error") };
}

function makeHandler(ctx) {
  return async (req, res) => {
    try {
      const url = new URL(req.url, "http://127.0.0.1");
      const body = await readJsonBody(req);
      if (url.pathname.startsWith(CONTROL_PREFIX)) {
        const answer = answerControl(ctx, req.method, url.pathname, body);
        sendJson(res, answer.status, answer.body);
      } else {
        await handleProtocol(ctx, req, res, url, body);
      }
    } catch (error) {
      process.stderr.write(`d1-server: ${error?.stack ?? error}\n`);
      if (!res.headersSent) sendJson(res, 500, envelopeError(7500, "internal error"));
      else res.socket?.destroy();
    }
  };
}

// ---------------------------------------------------------------------------------------
// Start and stop

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`d1-server: ${error.message}\n`);
    process.exit(2);
  }
  const databases = await Databases.open(options.state, options.databases);
  const ctx = {
    account: options.account,
    token: options.token,
    databases,
    faults: new FaultQueue(),
    requests: [],
  };
  const server = http.createServer(makeHandler(ctx));
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", resolve);
  });
  stopOnSignals(server, databases);
  process.stdout.write(`PORT ${server.address().port}\n`);
}

/**
 * Stops in order (no new connections, Miniflare disposed, exit 0) when standard input closes
 * or on SIGTERM/SIGINT. Miniflare's own exit hook would answer those signals first by killing
 * workerd and exiting with 128+signal, so its signal listeners give way to this one (its
 * `exit` hook stays, and finds nothing left to do).
 */
function stopOnSignals(server, databases) {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 5000).unref(); // should disposing ever hang
    server.close();
    server.closeAllConnections?.();
    try {
      await databases.close();
    } finally {
      process.exit(0);
    }
  };
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}

main().catch((error) => {
  process.stderr.write(`d1-server: ${error?.stack ?? error}\n`);
  process.exit(1);
});
