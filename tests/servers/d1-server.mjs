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
//   POST /client/v4/accounts/{account}/d1/database/{uuid}/export SQL dump, by polling
//   POST /client/v4/accounts/{account}/d1/database/{uuid}/import SQL file: init, ingest, poll
//   GET  /client/v4/accounts/{account}/d1/database/{uuid}/time_travel/bookmark
//   POST /client/v4/accounts/{account}/d1/database/{uuid}/time_travel/restore
//   GET  /__litehouse/exports/{token}.sql?X-Amz-…  an export's dump (its `signed_url`)
//   PUT  /__litehouse/imports/{token}?X-Amz-…      an import's file (its `upload_url`)
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
// Export, import and Time Travel, as D1 answers them (wrangler's d1 export/execute --file/
// time-travel and the SDK's types), each answer in the envelope above:
//   export  {output_format: "polling", dump_options?: {no_data, no_schema, tables}} takes the
//           dump at once and answers {success: true, type: "export", status: "active",
//           at_bookmark, messages}; the poll ({…, current_bookmark: at_bookmark}) answers
//           status "complete" with result {filename, signed_url} (or status "error",
//           success false, error). The dump is D1's own (Miniflare's `PRAGMA
//           miniflare_d1_export`, what `wrangler d1 export` writes), one line per statement
//           plus a final newline; the signed URL answers it to a GET without a token (one
//           with an Authorization header is refused, 400, as R2 refuses two credentials).
//   import  {action: "init", etag: MD5} answers {success: true, filename, upload_url} — or,
//           when that file is already uploaded, starts it as ingest does; the file is PUT to
//           upload_url (answer 200, ETag "MD5"); {action: "ingest", etag, filename} runs the
//           whole file as one D1 batch (all or nothing) and answers {success: true, type:
//           "import", status: "active", at_bookmark, messages}; the first {action: "poll",
//           current_bookmark: at_bookmark} answers status "complete" with result
//           {final_bookmark, num_queries, meta}, or status "error", success false, error and
//           errors: [error]; later polls answer success false, error "Not currently
//           importing anything." (as D1 does once an import is over).
//   time_travel/bookmark[?timestamp=RFC3339]  {bookmark}: the current one, or the last at or
//           before the timestamp (a future one is now; before this server's history or more
//           than 30 days back is a 400)
//   time_travel/restore?bookmark=B | ?timestamp=T  the whole database back to that state in
//           one D1 batch; {bookmark: the new current one, previous_bookmark, message}
// Miniflare has no Time Travel: this server records a bookmark
// `SSSSSSSS-00000000-00000000-<32 hex>` (SSSSSSSS the sequence number in hex, so bookmarks
// sort in time order) when the server starts and after each request that changed the
// database, each with an exact snapshot of it (the schema from sqlite_schema, every row with
// its rowid, values as SQLite's quote() writes them). The last 200 per database are kept, in
// memory only. Their times come from the server's clock, which /__litehouse/clock can set.
//
// Faults, as README.md says; here a status fault answers the envelope Cloudflare sends for
// that status (401 → 10000, 403 → 7403, 404 → 7000, 429 → 971, 5xx → 7500, other → 7400),
// and big_bytes pads with a top-level member "litehouse_padding", which the SDK ignores.

import crypto from "node:crypto";
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
/** Where the dumps of exports are downloaded and the files of imports uploaded. */
const EXPORTS_PREFIX = "/__litehouse/exports/";
const IMPORTS_PREFIX = "/__litehouse/imports/";
/** Miniflare's D1 answers this exact query, [noSchema, noData, ...tables], with D1's dump. */
const D1_EXPORT_PRAGMA = "PRAGMA miniflare_d1_export(?,?,?);";
/** Every object of the schema but D1's own, with the stored columns of each table. */
const SNAPSHOT_SCHEMA_SQL =
  "SELECT s.type, s.name, s.sql, c.name FROM sqlite_schema AS s " +
  "LEFT JOIN pragma_table_xinfo(s.name) AS c ON s.type = 'table' AND c.hidden = 0 " +
  "WHERE s.name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY s.rowid, c.cid";
/** What a restore drops first: the user's tables and views (indexes and triggers go along). */
const DROPPABLE_SQL =
  "SELECT type, name, sql FROM sqlite_schema WHERE type IN ('table', 'view') " +
  "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'";
/** Bookmarks (each with a snapshot of the whole database) kept per database. */
const HISTORY_LIMIT = 200;
/** How far back Time Travel reaches (D1's paid plans: 30 days). */
const TIME_TRAVEL_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;
/** How long a signed URL answers (D1's: one hour), and how many files are kept at most. */
const SIGNED_URL_LIFETIME_MS = 60 * 60 * 1000;
const FILES_KEPT = 100;
/** Makes this run's bookmarks and signatures its own. */
const RUN_SECRET = crypto.randomBytes(16).toString("hex");

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
  static async open(stateDir, specs, clock) {
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
      return {
        ...spec,
        created_at: created[spec.uuid],
        binding,
        session,
        queue: Promise.resolve(), // requests that must run alone (see exclusive())
        history: new History(spec.uuid),
        exports: new Map(), // at_bookmark → {filename, token, error}
        files: new Map(), // uploaded import files: filename → Buffer
        importJob: null, // {at_bookmark, answer, reported}
      };
    }));
    const databases = new Databases(mf, entries, clock);
    for (const entry of entries) {
      entry.history.record(clock.now(), await databases.snapshot(entry));
    }
    return databases;
  }

  constructor(mf, entries, clock) {
    this.mf = mf;
    this.entries = entries;
    this.clock = clock;
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

  /**
   * Runs `work` once the database's earlier exclusive work is done: queries, exports,
   * imports and Time Travel take turns, so that what a request writes and the snapshot taken
   * after it go together (D1 itself runs one request at a time on its primary).
   */
  exclusive(entry, work) {
    const run = entry.queue.then(work, work);
    entry.queue = run.catch(() => {});
    return run;
  }

  /**
   * Takes an exact snapshot of the database: {statements} that rebuild it from empty (tables,
   * their rows with rowids, sqlite_sequence, then indexes, triggers and views), or
   * {statements: null, reason} when it cannot be taken. Values are SQLite's quote() of them,
   * so 64-bit integers and reals come back bit for bit. Call it within exclusive().
   */
  async snapshot(entry) {
    try {
      const [schema] = await this.send(entry, [{ sql: SNAPSHOT_SCHEMA_SQL, params: [] }]);
      const objects = [];
      for (const [type, name, sql, column] of schema.results.rows) {
        let object = objects.at(-1);
        if (object?.name !== name || object?.type !== type) {
          object = { type, name, sql, columns: [] };
          objects.push(object);
        }
        if (column !== null) object.columns.push(column);
      }
      if (objects.some((o) => /^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(o.sql ?? ""))) {
        return { statements: null, reason: "the database has virtual tables" };
      }
      const isInternal = (name) => name.toLowerCase().startsWith("sqlite_");
      const tables = objects.filter((o) => o.type === "table" && o.sql && !isInternal(o.name));
      const sequence = objects.find((o) => o.type === "table" && o.name === "sqlite_sequence");
      const dumped = [...tables, ...(sequence ? [sequence] : [])].map((table) => {
        const rowid = table === sequence ? null : rowidAlias(table);
        const columns = [...(rowid ? [rowid] : []), ...table.columns.map(quoteId)];
        return { table, columns };
      });
      const data = dumped.length === 0 ? [] : await this.send(entry, dumped.map(({ table, columns }) => ({
        sql: `SELECT ${columns.map((c) => `quote(${c})`).join(", ")} FROM ${quoteId(table.name)}`,
        params: [],
      })));
      const statements = [];
      for (const [n, { table, columns }] of dumped.entries()) {
        const rows = data[n].results.rows;
        if (table === sequence) {
          if (rows.length === 0) continue;
          statements.push("DELETE FROM sqlite_sequence;");
        } else {
          statements.push(`${table.sql};`);
        }
        const into = `INSERT INTO ${quoteId(table.name)}(${columns.join(",")}) VALUES(`;
        for (const row of rows) statements.push(`${into}${row.join(",")});`);
      }
      for (const object of objects) {
        if (object.type !== "table" && object.sql && !isInternal(object.name)) {
          statements.push(`${object.sql};`);
        }
      }
      return { statements };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return { statements: null, reason: error.message };
    }
  }

  /**
   * Records a bookmark when the database no longer matches its last snapshot; returns the
   * current bookmark. Call it within exclusive(), after a request that may have written.
   */
  async recordIfChanged(entry) {
    const snapshot = await this.snapshot(entry);
    const current = entry.history.current();
    if (sameSnapshot(current.snapshot, snapshot)) return current.bookmark;
    return entry.history.record(this.clock.now(), snapshot);
  }

  /** Puts the database back to a snapshot's state, in one D1 batch: all of it or nothing. */
  async restore(entry, statements) {
    const [objects] = await this.send(entry, [{ sql: DROPPABLE_SQL, params: [] }]);
    // Views first (they may name tables), then virtual tables (their shadow tables go along).
    const rank = ([type, , sql]) =>
      type === "view" ? 0 : /^\s*CREATE\s+VIRTUAL/i.test(sql ?? "") ? 1 : 2;
    const drops = objects.results.rows
      .sort((a, b) => rank(a) - rank(b))
      .map(([type, name]) => `DROP ${type === "view" ? "VIEW" : "TABLE"} IF EXISTS ${quoteId(name)}`);
    const all = ["PRAGMA defer_foreign_keys=TRUE", ...drops, ...statements];
    await this.send(entry, all.map((sql) => ({ sql, params: [] })));
  }

  /**
   * D1's own SQL dump of the database (Miniflare's port of it, which `wrangler d1 export
   * --local` writes): {text} or {error} (D1 refuses databases with virtual tables).
   */
  async dump(entry, { noSchema, noData, tables }) {
    try {
      const answer = await entry.session._sendOrThrow(
        "/query",
        [D1_EXPORT_PRAGMA],
        [[noSchema ? 1 : 0, noData ? 1 : 0, ...tables]],
        "ROWS_AND_COLUMNS",
      );
      const lines = Array.isArray(answer) ? answer[0].results[0] : answer.results[0];
      return { text: lines.join("\n") + "\n" };
    } catch (error) {
      const message = String(error?.message ?? error);
      if (!message.startsWith("D1_")) throw error;
      // Miniflare wraps D1's export error in a JSON parse error, stack included.
      const cause = /D1 Export error: [^\n]*/.exec(message);
      return { error: cause ? cause[0] : message.split("\n")[0] };
    }
  }

  async close() {
    await this.mf.dispose();
  }
}

/** How a snapshot names a rowid table's rowid (null: a WITHOUT ROWID table, or no free name). */
function rowidAlias(table) {
  const options = table.sql.slice(table.sql.lastIndexOf(")"));
  if (/\bWITHOUT\s+ROWID\b/i.test(options)) return null;
  const taken = new Set(table.columns.map((c) => c.toLowerCase()));
  return ["rowid", "_rowid_", "oid"].find((alias) => !taken.has(alias)) ?? null;
}

/** An SQL identifier in double quotes. */
const quoteId = (name) => `"${name.replace(/"/g, '""')}"`;

function sameSnapshot(a, b) {
  if (!a.statements || !b.statements || a.statements.length !== b.statements.length) return false;
  return a.statements.every((statement, n) => statement === b.statements[n]);
}

/** Whether a statement cannot change the database (so no snapshot is taken after it). */
function isReadOnly(sql) {
  const text = sql.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?(?:\*\/|$))*/, "");
  return /^(?:SELECT|VALUES|EXPLAIN|PRAGMA)\b/i.test(text);
}

// ---------------------------------------------------------------------------------------
// Time Travel: bookmarks and the server's clock

/**
 * A database's bookmarks, oldest first: {bookmark, time (ms), snapshot}. Times never go
 * backwards, even when the clock is set back.
 */
class History {
  constructor(uuid) {
    this.uuid = uuid;
    this.sequence = 0;
    this.entries = [];
  }

  /** Records the state `snapshot` at `time`; returns its new bookmark. */
  record(time, snapshot) {
    this.sequence += 1;
    const hash = md5(`${RUN_SECRET}/${this.uuid}/${this.sequence}`);
    const bookmark = `${hex8(this.sequence)}-00000000-00000000-${hash}`;
    const last = this.entries.at(-1);
    this.entries.push({ bookmark, time: Math.max(time, last?.time ?? time), snapshot });
    if (this.entries.length > HISTORY_LIMIT) this.entries.shift();
    return bookmark;
  }

  current() {
    return this.entries.at(-1);
  }

  find(bookmark) {
    return this.entries.find((e) => e.bookmark === bookmark);
  }

  /** The last bookmark at or before `time`, if the history reaches back that far. */
  atOrBefore(time) {
    return this.entries.findLast((e) => e.time <= time);
  }
}

/** The server's notion of now: real time, shifted by `advance_ms`, or frozen at a time. */
class Clock {
  constructor() {
    this.offset = 0;
    this.frozen = null;
  }

  now() {
    return this.frozen ?? Date.now() + this.offset;
  }

  /** Applies a POST /__litehouse/clock body: {now: RFC3339 | null, advance_ms: N}. */
  set(body) {
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new Error("expected a JSON body {\"now\": RFC3339 | null, \"advance_ms\": N}");
    }
    for (const key of Object.keys(body)) {
      if (key !== "now" && key !== "advance_ms") throw new Error(`unknown clock member: ${key}`);
    }
    if (body.now !== undefined) {
      if (body.now === null) {
        this.frozen = null;
        this.offset = 0;
      } else {
        const time = typeof body.now === "string" ? parseTimestamp(body.now) : NaN;
        if (Number.isNaN(time)) throw new Error("`now` must be an RFC 3339 date-time or null");
        this.frozen = time;
      }
    }
    if (body.advance_ms !== undefined) {
      if (!Number.isInteger(body.advance_ms)) throw new Error("`advance_ms` must be an integer");
      if (this.frozen === null) this.offset += body.advance_ms;
      else this.frozen += body.advance_ms;
    }
  }

  describe() {
    return { now: new Date(this.now()).toISOString(), frozen: this.frozen !== null };
  }
}

/**
 * Milliseconds since the epoch of an RFC 3339 / ISO 8601 date or date-time (UTC when it has no
 * offset); NaN when it is not one.
 */
function parseTimestamp(text) {
  // (A `+` offset arrives as a space when a client forgets to escape it in a query string.)
  const match = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)([Zz]|[+ -]\d{2}:?\d{2})?)?$/
    .exec(text.trim());
  if (!match) return NaN;
  const [, date, time = "00:00:00", zone = "Z"] = match;
  const offset = /^z$/i.test(zone)
    ? "Z"
    : zone.replace(/^ /, "+").replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  return Date.parse(`${date}T${time}${offset}`);
}

const md5 = (data) => crypto.createHash("md5").update(data).digest("hex");
const hex8 = (n) => n.toString(16).padStart(8, "0");
const randomToken = () => crypto.randomBytes(16).toString("hex");
/** The signature of a signed URL's token (checked when the URL is used). */
const signature = (token) => crypto.createHmac("sha256", RUN_SECRET).update(token).digest("hex");

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

const ROUTE = new RegExp(
  "^/accounts/([^/]+)/d1/database(?:/([^/]+)" +
  "(?:/(query|raw|export|import|time_travel/bookmark|time_travel/restore))?)?/?$",
);
/** The method of each route (by its last part; none: list or get). */
const METHODS = {
  query: "POST",
  raw: "POST",
  export: "POST",
  import: "POST",
  "time_travel/bookmark": "GET",
  "time_travel/restore": "POST",
};

/** Answers one API request: returns {status, body} or throws ApiError. */
async function answerApi(ctx, method, url, body) {
  const match = url.pathname.startsWith(API_PREFIX + "/") &&
    ROUTE.exec(url.pathname.slice(API_PREFIX.length));
  if (!match) throw noRoute();
  const [, account, uuid, action] = match.map(decodePart);
  const wanted = action ? METHODS[action] : "GET";
  if (method !== wanted) throw noRoute();
  if (account !== ctx.account) throw new ApiError(403, 7403, ACCOUNT_REFUSED);
  if (!uuid) return listDatabases(ctx, url.searchParams);
  const entry = ctx.databases.find(uuid);
  switch (action) {
    case undefined: return getDatabase(ctx, entry, url.searchParams);
    case "time_travel/bookmark": return getBookmark(ctx, entry, url.searchParams);
    case "time_travel/restore": return restore(ctx, entry, url.searchParams);
  }
  if (body === undefined) throw malformed("the body is not valid JSON");
  switch (action) {
    case "export": return exportDatabase(ctx, entry, jsonObject(body));
    case "import": return importFile(ctx, entry, jsonObject(body));
    default: return runQuery(ctx, entry, body, action);
  }
}

function jsonObject(body) {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw malformed("the body must be a JSON object");
  }
  return body;
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
  const items = queryItems(body);
  const readOnly = items.every(({ sql }) => splitStatements(sql).every(isReadOnly));
  const entries = await ctx.databases.exclusive(entry, async () => {
    const answer = await ctx.databases.run(entry, items);
    if (!readOnly || answer.some((e) => e.meta.changed_db)) {
      await ctx.databases.recordIfChanged(entry);
    }
    return answer;
  });
  const result = action === "raw"
    ? entries
    : entries.map((e) => ({ ...e, results: rowsAsObjects(e.results) }));
  return { status: 200, body: envelopeOk(result) };
}

// ---------------------------------------------------------------------------------------
// Export, import and Time Travel

const answerOk = (result) => ({ status: 200, body: envelopeOk(result) });

/** A polling answer that failed: D1 says so in `result`, under HTTP 200. */
function pollingFailure(type, error, extra = {}) {
  return answerOk({ success: false, type, status: "error", error, errors: [error], messages: [], ...extra });
}

/** Keeps at most FILES_KEPT members in a Map, dropping the oldest. */
function setBounded(map, key, value) {
  map.delete(key);
  map.set(key, value);
  while (map.size > FILES_KEPT) map.delete(map.keys().next().value);
}

/** A signed URL on this server for `token` under `prefix`. */
function signedUrl(ctx, prefix, token, suffix = "") {
  const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=${signature(token)}`;
  return `${ctx.origin}${prefix}${token}${suffix}?${query}`;
}

/** The body's dump_options, checked: {noSchema, noData, tables}. */
function dumpOptions(options) {
  if (options === undefined || options === null) return { noSchema: false, noData: false, tables: [] };
  if (typeof options !== "object" || Array.isArray(options)) {
    throw malformed("`dump_options` must be an object");
  }
  for (const key of ["no_data", "no_schema"]) {
    if (options[key] !== undefined && typeof options[key] !== "boolean") {
      throw malformed(`\`dump_options.${key}\` must be a boolean`);
    }
  }
  const tables = options.tables ?? [];
  if (!Array.isArray(tables) || !tables.every((t) => typeof t === "string")) {
    throw malformed("`dump_options.tables` must be an array of table names");
  }
  return { noSchema: options.no_schema === true, noData: options.no_data === true, tables };
}

/**
 * POST …/export. The first call takes the dump (at the database's current bookmark) and
 * answers "active"; a poll with that bookmark answers "complete" with the signed URL.
 */
async function exportDatabase(ctx, entry, body) {
  if (body.output_format !== "polling") throw malformed("`output_format` must be \"polling\"");
  const options = dumpOptions(body.dump_options);
  const bookmark = body.current_bookmark;
  if (bookmark !== undefined && bookmark !== null) {
    if (typeof bookmark !== "string") throw malformed("`current_bookmark` must be a string");
    const job = entry.exports.get(bookmark);
    if (!job) {
      return pollingFailure("export", `No export is in progress at bookmark ${bookmark}`,
        { at_bookmark: bookmark });
    }
    if (job.error) return pollingFailure("export", job.error, { at_bookmark: bookmark });
    return answerOk({
      success: true,
      type: "export",
      status: "complete",
      at_bookmark: bookmark,
      messages: [`Uploaded part 1`],
      result: { filename: job.filename, signed_url: signedUrl(ctx, EXPORTS_PREFIX, job.token, ".sql") },
    });
  }
  return ctx.databases.exclusive(entry, async () => {
    const at = entry.history.current().bookmark;
    const dump = await ctx.databases.dump(entry, options);
    const job = { filename: `${entry.uuid}-${at}.sql`, token: null, error: dump.error };
    if (dump.text !== undefined) {
      job.token = randomToken();
      setBounded(ctx.downloads, job.token, {
        bytes: Buffer.from(dump.text, "utf8"),
        expires: Date.now() + SIGNED_URL_LIFETIME_MS,
      });
    }
    setBounded(entry.exports, at, job);
    return answerOk({
      success: true,
      type: "export",
      status: "active",
      at_bookmark: at,
      messages: [`Generating ${job.filename}`],
    });
  });
}

const isEtag = (value) => typeof value === "string" && /^[0-9a-f]{32}$/i.test(value);

/** POST …/import: init, ingest or poll. */
async function importFile(ctx, entry, body) {
  switch (body.action) {
    case "init": {
      if (!isEtag(body.etag)) throw malformed("`etag` must be the MD5 of the file, in hex");
      const etag = body.etag.toLowerCase();
      const filename = `${entry.uuid}-${etag}.sql`;
      const uploaded = entry.files.get(filename);
      if (uploaded && md5(uploaded) === etag) {
        // D1 skips the upload of a file it already holds and starts the import at once.
        return ingest(ctx, entry, filename, uploaded);
      }
      const token = randomToken();
      setBounded(ctx.uploads, token, { entry, filename });
      return answerOk({ success: true, filename, upload_url: signedUrl(ctx, IMPORTS_PREFIX, token) });
    }
    case "ingest": {
      if (!isEtag(body.etag)) throw malformed("`etag` must be the MD5 of the file, in hex");
      if (typeof body.filename !== "string") throw malformed("`filename` must be a string");
      const uploaded = entry.files.get(body.filename);
      if (!uploaded) return pollingFailure("import", `The file ${body.filename} has not been uploaded`);
      const actual = md5(uploaded);
      if (actual !== body.etag.toLowerCase()) {
        return pollingFailure("import",
          `The uploaded file ${body.filename} does not match its etag: its MD5 is ${actual}`);
      }
      return ingest(ctx, entry, body.filename, uploaded);
    }
    case "poll": {
      if (typeof body.current_bookmark !== "string") {
        throw malformed("`current_bookmark` must be a string");
      }
      const job = entry.importJob;
      if (!job || job.reported || job.at_bookmark !== body.current_bookmark) {
        return pollingFailure("import", "Not currently importing anything.");
      }
      job.reported = true;
      return answerOk(job.answer);
    }
    default:
      throw malformed("`action` must be \"init\", \"ingest\" or \"poll\"");
  }
}

/** Runs an uploaded SQL file as one D1 batch and keeps its outcome for the next poll. */
async function ingest(ctx, entry, filename, bytes) {
  return ctx.databases.exclusive(entry, async () => {
    const at = entry.history.current().bookmark;
    const statements = splitStatements(bytes.toString("utf8"));
    let answer;
    try {
      const entries = await ctx.databases.send(entry, statements.map((sql) => ({ sql, params: [] })));
      const finalBookmark = await ctx.databases.recordIfChanged(entry);
      answer = {
        success: true,
        type: "import",
        status: "complete",
        at_bookmark: at,
        messages: [`Executed ${statements.length} queries from ${filename}`],
        result: {
          final_bookmark: finalBookmark,
          num_queries: statements.length,
          meta: importMeta(entries, finalBookmark !== at),
        },
      };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      answer = {
        success: false,
        type: "import",
        status: "error",
        at_bookmark: at,
        error: error.message,
        errors: [error.message],
        messages: [],
      };
    }
    entry.importJob = { at_bookmark: at, answer, reported: false };
    return answerOk({
      success: true,
      type: "import",
      status: "active",
      at_bookmark: at,
      messages: [`Ingesting ${filename}`],
    });
  });
}

/** One meta for a whole import: counts summed, the rest from its last statement. */
function importMeta(entries, changed) {
  const sum = (key) => entries.reduce((total, e) => total + (e.meta[key] ?? 0), 0);
  const last = entries.at(-1).meta;
  const duration = sum("duration");
  return {
    served_by: last.served_by,
    served_by_primary: true,
    duration,
    changes: sum("changes"),
    last_row_id: last.last_row_id,
    changed_db: changed || entries.some((e) => e.meta.changed_db),
    size_after: last.size_after,
    rows_read: sum("rows_read"),
    rows_written: sum("rows_written"),
    timings: { sql_duration_ms: duration },
  };
}

/** The bookmark of the database's state at `text` (RFC 3339), or a 400. */
function bookmarkAt(ctx, entry, text) {
  const time = parseTimestamp(text);
  if (Number.isNaN(time)) {
    throw malformed(`\`timestamp\` must be an RFC 3339 date-time, e.g. 2025-01-02T03:04:05Z: ${text}`);
  }
  if (time < ctx.clock.now() - TIME_TRAVEL_WINDOW_MS) {
    throw new ApiError(400, 7400,
      `Invalid timestamp ${text}: Time Travel only reaches 30 days into the past`);
  }
  const found = entry.history.atOrBefore(time);
  if (!found) {
    const earliest = new Date(entry.history.entries[0].time).toISOString();
    throw new ApiError(400, 7400,
      `No bookmark at or before ${text}: the earliest state of this database is at ${earliest}`);
  }
  return found;
}

/** GET …/time_travel/bookmark[?timestamp=]: {bookmark}. */
async function getBookmark(ctx, entry, query) {
  const timestamp = query.get("timestamp");
  return ctx.databases.exclusive(entry, async () => {
    const found = timestamp ? bookmarkAt(ctx, entry, timestamp) : entry.history.current();
    return answerOk({ bookmark: found.bookmark });
  });
}

/** POST …/time_travel/restore?bookmark= | ?timestamp=: {bookmark, previous_bookmark, message}. */
async function restore(ctx, entry, query) {
  const bookmark = query.get("bookmark");
  const timestamp = query.get("timestamp");
  if (bookmark && timestamp) throw malformed("give either `bookmark` or `timestamp`, not both");
  if (!bookmark && !timestamp) throw malformed("`bookmark` or `timestamp` is required");
  return ctx.databases.exclusive(entry, async () => {
    let target;
    if (bookmark) {
      target = entry.history.find(bookmark);
      if (!target) {
        throw new ApiError(400, 7400,
          `The bookmark ${bookmark} is not valid for this database or is no longer available`);
      }
      if (target.time < ctx.clock.now() - TIME_TRAVEL_WINDOW_MS) {
        throw new ApiError(400, 7400,
          `The bookmark ${bookmark} is older than 30 days: Time Travel cannot reach it`);
      }
    } else {
      target = bookmarkAt(ctx, entry, timestamp);
    }
    if (!target.snapshot.statements) {
      throw new ApiError(400, 7400,
        `The bookmark ${target.bookmark} cannot be restored here: ${target.snapshot.reason}`);
    }
    const previous = entry.history.current().bookmark;
    await ctx.databases.restore(entry, target.snapshot.statements);
    const now = entry.history.record(ctx.clock.now(), target.snapshot);
    return answerOk({
      bookmark: now,
      previous_bookmark: previous,
      message: `Restored database ${entry.uuid} to bookmark ${target.bookmark}`,
    });
  });
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

/** Answers the control endpoints: faults, the request log, the clock and the bookmarks. */
function answerControl(ctx, method, url, body) {
  const route = `${method} ${url.pathname.replace(/\/$/, "")}`;
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
    case "GET /__litehouse/clock":
      return { status: 200, body: ctx.clock.describe() };
    case "POST /__litehouse/clock":
      try {
        ctx.clock.set(body);
      } catch (error) {
        return { status: 400, body: { error: error.message } };
      }
      return { status: 200, body: ctx.clock.describe() };
    case "GET /__litehouse/bookmarks": {
      const uuid = url.searchParams.get("database");
      const entry = ctx.databases.entries.find((e) => e.uuid === uuid);
      if (!entry) return { status: 400, body: { error: "expected ?database=UUID of a database" } };
      const bookmarks = entry.history.entries.map(({ bookmark, time, snapshot }) => ({
        bookmark,
        time: new Date(time).toISOString(),
        restorable: snapshot.statements !== null,
      }));
      return { status: 200, body: { bookmarks } };
    }
    default:
      return { status: 404, body: { error: `no control endpoint ${route}` } };
  }
}

// ---------------------------------------------------------------------------------------
// HTTP

/** Reads a request's whole body. */
async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A body as JSON: parsed, null when empty, undefined when not JSON. */
function parseJsonBody(bytes) {
  const text = bytes.toString("utf8");
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
  sendBytes(res, status, serialize(body, fault?.big_bytes), fault,
    { "Content-Type": "application/json", ...headers });
}

/** Writes an answer, as damaged as the fault asks (truncate; big_bytes is the caller's). */
function sendBytes(res, status, bytes, fault, headers) {
  res.writeHead(status, { ...headers, "Content-Length": bytes.length });
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

/**
 * One request to a signed URL (an export's dump, an import's upload), as R2 answers it: no
 * token (a request that sends one is refused, as R2 refuses two ways of authenticating), a
 * signature in the query. Logged and faulted like the API's requests.
 */
async function handleFile(ctx, req, res, url, bytes) {
  ctx.requests.push({
    method: req.method,
    path: req.url,
    authorization: req.headers.authorization !== undefined,
    body: null,
  });
  const fault = ctx.faults.take(req.url);
  if (fault && answersInstead(fault)) {
    if (fault.delay_ms) await sleep(fault.delay_ms);
    answerFaultInstead(res, fault);
    return;
  }
  const answer = answerFile(ctx, req, url, bytes);
  if (fault?.delay_ms) await sleep(fault.delay_ms);
  // big_bytes pads with trailing spaces, which leave an SQL dump as it was.
  const padding = Math.max(0, (fault?.big_bytes ?? 0) - answer.bytes.length);
  const body = padding > 0 ? Buffer.concat([answer.bytes, Buffer.alloc(padding, " ")]) : answer.bytes;
  sendBytes(res, answer.status, body, fault, answer.headers);
}

/** R2's XML error answer. */
function r2Error(status, code, message) {
  const xml = '<?xml version="1.0" encoding="UTF-8"?>' +
    `<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  return { status, bytes: Buffer.from(xml), headers: { "Content-Type": "application/xml" } };
}

function answerFile(ctx, req, url, bytes) {
  const isExport = url.pathname.startsWith(EXPORTS_PREFIX);
  const name = url.pathname.slice((isExport ? EXPORTS_PREFIX : IMPORTS_PREFIX).length);
  const token = isExport ? name.replace(/\.sql$/, "") : name;
  const files = isExport ? ctx.downloads : ctx.uploads;
  if (req.method !== (isExport ? "GET" : "PUT")) {
    return r2Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  }
  if (req.headers.authorization !== undefined) {
    return r2Error(400, "InvalidArgument", "Only one auth mechanism allowed; only the " +
      "X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization " +
      "header should be specified");
  }
  const file = files.get(token);
  if (!file || url.searchParams.get("X-Amz-Signature") !== signature(token)) {
    return r2Error(403, "AccessDenied", "Access Denied");
  }
  if (isExport) {
    if (Date.now() > file.expires) return r2Error(403, "AccessDenied", "Request has expired");
    return { status: 200, bytes: file.bytes, headers: { "Content-Type": "application/sql" } };
  }
  setBounded(file.entry.files, file.filename, bytes);
  return { status: 200, bytes: Buffer.alloc(0), headers: { ETag: `"${md5(bytes)}"` } };
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
      const bytes = await readBody(req);
      if (url.pathname.startsWith(EXPORTS_PREFIX) || url.pathname.startsWith(IMPORTS_PREFIX)) {
        await handleFile(ctx, req, res, url, bytes);
      } else if (url.pathname.startsWith(CONTROL_PREFIX)) {
        const answer = answerControl(ctx, req.method, url, parseJsonBody(bytes));
        sendJson(res, answer.status, answer.body);
      } else {
        await handleProtocol(ctx, req, res, url, parseJsonBody(bytes));
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
  const clock = new Clock();
  const databases = await Databases.open(options.state, options.databases, clock);
  const ctx = {
    account: options.account,
    token: options.token,
    databases,
    clock,
    faults: new FaultQueue(),
    requests: [],
    origin: null, // http://127.0.0.1:PORT, for signed URLs
    downloads: new Map(), // export dumps: token → {bytes, expires}
    uploads: new Map(), // import upload URLs: token → {entry, filename}
  };
  const server = http.createServer(makeHandler(ctx));
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", resolve);
  });
  ctx.origin = `http://127.0.0.1:${server.address().port}`;
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
