#!/usr/bin/env node
// check-d1.mjs — judges a D1 REST server with Cloudflare's official SDK (npm `cloudflare`).
//
// Usage: node check-d1.mjs BASE_URL TOKEN ACCOUNT_ID DATABASE_ID
//   BASE_URL     the API root, e.g. http://127.0.0.1:PORT/client/v4
//   TOKEN        the token the server requires (a wrong one must be refused)
//   ACCOUNT_ID   the account that holds the database
//   DATABASE_ID  the UUID of a database the script may write to (it drops and recreates
//                the table check_d1)
//
// Each step prints `ok NAME`; the first failure prints its error and exits 1. The steps
// cover listing (with paging and the name filter), describing, querying (objects, several
// statements, parameters, blobs), raw results, batches (all or nothing), D1's own errors
// as the SDK's error classes, authentication, and the SDK's retry of a 503 (queued with the
// server's /__litehouse/faults endpoint, counted in its /__litehouse/requests log).

import assert from "node:assert/strict";
import Cloudflare from "cloudflare";

const [baseURL, token, accountId, databaseId] = process.argv.slice(2);
if (!databaseId) {
  process.stderr.write("usage: node check-d1.mjs BASE_URL TOKEN ACCOUNT_ID DATABASE_ID\n");
  process.exit(2);
}

const client = new Cloudflare({ apiToken: token, baseURL, maxRetries: 0 });
const database = client.d1.database;
const account = { account_id: accountId };
/** The server's origin, where its /__litehouse/ control endpoints live. */
const origin = new URL(baseURL).origin;

// ---------------------------------------------------------------------------------------
// Helpers

/** Runs SQL through /query and returns the result entries (one per statement). */
async function query(sql, params) {
  const page = await database.query(databaseId, { ...account, sql, ...(params ? { params } : {}) });
  return page.result;
}

/** The rows of the single statement of `sql`. */
async function rows(sql, params) {
  const entries = await query(sql, params);
  assert.equal(entries.length, 1);
  return entries[0].results;
}

/** Expects `promise` to fail with the SDK error class `Class`; returns the error. */
async function rejectsWith(promise, Class, status) {
  let error;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof Class,
    `expected ${Class.name}, got ${error?.constructor?.name}: ${error?.message}`);
  assert.equal(error.status, status);
  return error;
}

/** Calls one of the server's control endpoints. */
async function control(method, path, body) {
  const response = await fetch(origin + path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(response.status, 200, `${method} ${path}`);
  return response.json();
}

// ---------------------------------------------------------------------------------------
// The steps

const steps = [];
const step = (name, run) => steps.push({ name, run });

step("list", async () => {
  const found = [];
  for await (const entry of database.list(account)) found.push(entry);
  const entry = found.find((d) => d.uuid === databaseId);
  assert.ok(entry, `database ${databaseId} not listed`);
  assert.equal(typeof entry.name, "string");
  assert.equal(entry.version, "production");
  assert.ok(!Number.isNaN(Date.parse(entry.created_at)), "created_at is a date");
});

step("list paged", async () => {
  const all = [];
  for await (const entry of database.list(account)) all.push(entry.uuid);
  const paged = [];
  for await (const entry of database.list({ ...account, per_page: 1 })) paged.push(entry.uuid);
  assert.deepEqual(paged, all);
  const first = await database.list({ ...account, per_page: 1 });
  assert.equal(first.result_info.per_page, 1);
  assert.equal(first.result_info.page, 1);
  assert.equal(first.result.length, 1);
});

step("list by name", async () => {
  const { name } = await database.get(databaseId, account);
  const page = await database.list({ ...account, name });
  assert.ok(page.result.some((d) => d.uuid === databaseId));
  assert.ok(page.result.every((d) => d.name.includes(name)));
});

step("get", async () => {
  const info = await database.get(databaseId, account);
  assert.equal(info.uuid, databaseId);
  assert.equal(info.version, "production");
  assert.equal(typeof info.num_tables, "number");
  assert.ok(info.file_size > 0);
});

step("query create table", async () => {
  const entries = await query(
    "DROP TABLE IF EXISTS check_d1; " +
    "CREATE TABLE check_d1 (id INTEGER PRIMARY KEY, name TEXT, n INTEGER, x REAL, data BLOB);",
  );
  assert.equal(entries.length, 2, "one result entry per statement");
  for (const entry of entries) {
    assert.equal(entry.success, true);
    assert.deepEqual(entry.results, []);
  }
  assert.equal(entries[1].meta.changed_db, true);
});

step("query insert with params", async () => {
  const [entry] = await query("INSERT INTO check_d1 (name, n, x, data) VALUES (?, ?, ?, ?)",
    ["alpha", "42", 1.5, [0, 1, 255]]);
  assert.equal(entry.meta.changes, 1);
  assert.equal(entry.meta.last_row_id, 1);
  assert.equal(entry.meta.rows_written > 0, true);
  await query("INSERT INTO check_d1 (name, n) VALUES (?, ?)", ["beta", "7"]);
});

step("query select", async () => {
  const result = await rows("SELECT id, name, n, x, data FROM check_d1 ORDER BY id");
  assert.deepEqual(result, [
    { id: 1, name: "alpha", n: 42, x: 1.5, data: [0, 1, 255] },
    { id: 2, name: "beta", n: 7, x: null, data: null },
  ]);
});

step("raw", async () => {
  const page = await database.raw(databaseId, {
    ...account,
    sql: "SELECT id, name, name AS name FROM check_d1 ORDER BY id",
  });
  assert.equal(page.result.length, 1);
  const [entry] = page.result;
  assert.equal(entry.success, true);
  assert.deepEqual(entry.results, {
    columns: ["id", "name", "name"],
    rows: [[1, "alpha", "alpha"], [2, "beta", "beta"]],
  });
  assert.equal(typeof entry.meta.duration, "number");
});

step("raw empty result keeps columns", async () => {
  const page = await database.raw(databaseId, {
    ...account,
    sql: "SELECT id, name FROM check_d1 WHERE 0",
  });
  assert.deepEqual(page.result[0].results, { columns: ["id", "name"], rows: [] });
});

step("batch", async () => {
  const page = await database.query(databaseId, {
    ...account,
    batch: [
      { sql: "INSERT INTO check_d1 (name) VALUES (?)", params: ["gamma"] },
      { sql: "SELECT count(*) AS n FROM check_d1" },
    ],
  });
  assert.equal(page.result.length, 2);
  assert.deepEqual(page.result[1].results, [{ n: 3 }]);
});

step("batch is all or nothing", async () => {
  const failing = database.query(databaseId, {
    ...account,
    batch: [
      { sql: "INSERT INTO check_d1 (name) VALUES (?)", params: ["never"] },
      { sql: "SELEC 1" },
    ],
  });
  await rejectsWith(failing, Cloudflare.BadRequestError, 400);
  assert.deepEqual(await rows("SELECT count(*) AS n FROM check_d1"), [{ n: 3 }]);
});

step("sql error is BadRequestError", async () => {
  const error = await rejectsWith(query("SELEC 1"), Cloudflare.BadRequestError, 400);
  assert.equal(error.errors[0].code, 7500);
  assert.equal(error.errors[0].message,
    'D1_ERROR: near "SELEC": syntax error at offset 0: SQLITE_ERROR');
});

step("BEGIN is refused by D1", async () => {
  const error = await rejectsWith(query("BEGIN"), Cloudflare.BadRequestError, 400);
  assert.match(error.errors[0].message, /^D1_ERROR: To execute a transaction/);
});

step("unknown database is NotFoundError", async () => {
  const error = await rejectsWith(database.get("00000000-0000-0000-0000-000000000000", account),
    Cloudflare.NotFoundError, 404);
  assert.equal(error.errors[0].code, 7404);
});

step("wrong account is PermissionDeniedError", async () => {
  const elsewhere = database.list({ account_id: "not-" + accountId });
  const error = await rejectsWith(elsewhere, Cloudflare.PermissionDeniedError, 403);
  assert.equal(error.errors[0].code, 7403);
});

step("wrong token is AuthenticationError", async () => {
  const stranger = new Cloudflare({ apiToken: token + "-wrong", baseURL, maxRetries: 0 });
  const error = await rejectsWith(stranger.d1.database.list(account),
    Cloudflare.AuthenticationError, 401);
  assert.equal(error.errors[0].code, 10000);
});

step("503 is retried", async () => {
  const path = new URL(baseURL).pathname + `/accounts/${accountId}/d1/database/${databaseId}/query`;
  await control("DELETE", "/__litehouse/requests");
  await control("POST", "/__litehouse/faults", { faults: [{ status: 503, retry_after: 0, path }] });
  const patient = new Cloudflare({ apiToken: token, baseURL, maxRetries: 2 });
  const page = await patient.d1.database.query(databaseId, { ...account, sql: "SELECT 1 AS one" });
  assert.deepEqual(page.result[0].results, [{ one: 1 }]);
  const { requests } = await control("GET", "/__litehouse/requests");
  assert.equal(requests.length, 2, "the failed request and its retry");
  assert.ok(requests.every((r) => r.path === path && r.authorization === true));
});

// ---------------------------------------------------------------------------------------

for (const { name, run } of steps) {
  try {
    await run();
  } catch (error) {
    process.stdout.write(`FAIL ${name}\n`);
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  }
  process.stdout.write(`ok ${name}\n`);
}
