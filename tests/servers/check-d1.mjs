#!/usr/bin/env node
// check-d1.mjs — judges a D1 REST server with Cloudflare's official SDK (npm `cloudflare`).
//
// Usage: node check-d1.mjs BASE_URL TOKEN ACCOUNT_ID DATABASE_ID
//   BASE_URL     the API root, e.g. http://127.0.0.1:PORT/client/v4
//   TOKEN        the token the server requires (a wrong one must be refused)
//   ACCOUNT_ID   the account that holds the database
//   DATABASE_ID  the UUID of a database the script may write to (it drops and recreates
//                the tables check_d1 and check_d1_*, and restores the database in time)
//
// Each step prints `ok NAME`; the first failure prints its error and exits 1. The steps
// cover listing (with paging and the name filter), describing, querying (objects, several
// statements, parameters, blobs), raw results, batches (all or nothing), D1's own errors
// as the SDK's error classes, authentication, and the SDK's retry of a 503 (queued with the
// server's /__litehouse/faults endpoint, counted in its /__litehouse/requests log); then
// export (polling, the dump at its signed URL, dump options), import (init, upload, ingest,
// poll; all or nothing; the etag) and Time Travel (bookmarks by time, restore and its undo),
// the server's clock set through /__litehouse/clock.

import assert from "node:assert/strict";
import crypto from "node:crypto";
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
// Export, import, Time Travel

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;
const POLLS = 10;

/** Exports through the SDK, polling as wrangler does; returns the last answer and the count. */
async function exportDump(dumpOptions, beforePoll = async () => {}) {
  const params = { ...account, output_format: "polling", ...(dumpOptions ? { dump_options: dumpOptions } : {}) };
  let answer = await database.export(databaseId, params);
  assert.equal(answer.success, true, answer.error);
  assert.equal(answer.type, "export");
  assert.equal(answer.status, "active", "the first answer makes the client poll");
  assert.match(answer.at_bookmark, BOOKMARK);
  await beforePoll();
  let polls = 0;
  while (answer.status !== "complete") {
    assert.ok(++polls <= POLLS, "the export completes");
    assert.notEqual(answer.status, "error", answer.error);
    answer = await database.export(databaseId, { ...params, current_bookmark: answer.at_bookmark });
    assert.equal(answer.success, true, answer.error);
  }
  return answer;
}

/** Downloads an export's dump from its signed URL (no token). */
async function download(answer) {
  assert.equal(typeof answer.result.filename, "string");
  const response = await fetch(answer.result.signed_url);
  assert.equal(response.status, 200);
  return response.text();
}

/** Imports SQL as wrangler does: init, PUT to upload_url (unless D1 has the file), ingest, poll. */
async function importSql(sql) {
  const etag = crypto.createHash("md5").update(sql).digest("hex");
  const init = await database.import(databaseId, { ...account, action: "init", etag });
  let answer = init;
  if ("upload_url" in init) {
    assert.equal(init.success, true);
    assert.equal(typeof init.filename, "string");
    const put = await fetch(init.upload_url, { method: "PUT", body: sql });
    assert.equal(put.status, 200);
    assert.equal(put.headers.get("etag"), `"${etag}"`);
    answer = await database.import(databaseId,
      { ...account, action: "ingest", etag, filename: init.filename });
  }
  return pollImport(answer);
}

/** Polls an import until it ends; returns {answer, polls}. */
async function pollImport(answer) {
  let polls = 0;
  while (answer.success && answer.status !== "complete" && answer.status !== "error") {
    assert.ok(++polls <= POLLS, "the import ends");
    assert.match(answer.at_bookmark, BOOKMARK);
    answer = await database.import(databaseId,
      { ...account, action: "poll", current_bookmark: answer.at_bookmark });
  }
  return { answer, polls };
}

/** A comment that makes a file's MD5 this run's own (D1 skips uploading a file it holds). */
const runTag = () => `-- check-d1 ${crypto.randomUUID()}\n`;

const bookmarkNow = async () => (await database.timeTravel.getBookmark(databaseId, account)).bookmark;

step("export by polling", async () => {
  await query("INSERT INTO check_d1 (name, x) VALUES (?, ?)", ["it's", 0.1]);
  const answer = await exportDump(undefined, async () => {
    // Written after the export began: not in its dump.
    await query("INSERT INTO check_d1 (name) VALUES ('later')");
  });
  const dump = await download(answer);
  assert.ok(dump.startsWith("PRAGMA defer_foreign_keys=TRUE;\n"), dump.slice(0, 80));
  const lines = dump.split("\n");
  assert.ok(lines.includes(
    "CREATE TABLE check_d1 (id INTEGER PRIMARY KEY, name TEXT, n INTEGER, x REAL, data BLOB);"));
  assert.ok(lines.includes(`INSERT INTO "check_d1" VALUES(1,'alpha',42,1.5,X'0001ff');`), dump);
  assert.ok(lines.includes(`INSERT INTO "check_d1" VALUES(2,'beta',7,NULL,NULL);`), dump);
  assert.ok(lines.includes(`INSERT INTO "check_d1" VALUES(4,'it''s',NULL,0.1,NULL);`), dump);
  assert.ok(!dump.includes("'later'"), "the dump is the database when the export began");
  await query("DELETE FROM check_d1 WHERE name IN ('it''s', 'later')");
});

step("export dump options", async () => {
  const schemaOnly = await download(await exportDump({ no_data: true }));
  assert.match(schemaOnly, /^CREATE TABLE check_d1 /m);
  assert.doesNotMatch(schemaOnly, /^INSERT INTO "check_d1"/m);
  const dataOnly = await download(await exportDump({ no_schema: true, tables: ["check_d1"] }));
  assert.doesNotMatch(dataOnly, /CREATE TABLE/);
  assert.match(dataOnly, /^INSERT INTO "check_d1" VALUES\(1,'alpha'/m);
});

step("export faults and the signed URL", async () => {
  const prefix = new URL(baseURL).pathname + `/accounts/${accountId}/d1/database/${databaseId}/export`;
  await control("POST", "/__litehouse/faults", { faults: [
    { status: 503, retry_after: 0, path: prefix },
    { status: 500, path: "/__litehouse/exports/" },
  ] });
  const patient = new Cloudflare({ apiToken: token, baseURL, maxRetries: 2 });
  let answer = await patient.d1.database.export(databaseId, { ...account, output_format: "polling" });
  assert.equal(answer.status, "active");
  answer = await patient.d1.database.export(databaseId,
    { ...account, output_format: "polling", current_bookmark: answer.at_bookmark });
  assert.equal(answer.status, "complete");
  const url = answer.result.signed_url;
  assert.equal((await fetch(url)).status, 500, "the queued fault");
  assert.equal((await fetch(url)).status, 200);
  assert.equal((await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).status, 400,
    "a signed URL takes no token");
  const unsigned = new URL(url);
  unsigned.search = "";
  assert.equal((await fetch(unsigned)).status, 403, "a signed URL needs its signature");
  const other = await database.export(databaseId,
    { ...account, output_format: "polling", current_bookmark: "00000000-00000000-00000000-" + "0".repeat(32) });
  assert.equal(other.success, false);
  assert.equal(other.status, "error");
});

step("import", async () => {
  await query("DROP TABLE IF EXISTS check_d1_import");
  const before = await bookmarkNow();
  const sql = runTag() +
    "CREATE TABLE check_d1_import (id INTEGER PRIMARY KEY, v TEXT, n INTEGER);\n" +
    "CREATE TRIGGER check_d1_import_n AFTER INSERT ON check_d1_import BEGIN\n" +
    "  UPDATE check_d1_import SET n = length(new.v) WHERE id = new.id;\n" +
    "END;\n" +
    "INSERT INTO check_d1_import (v) VALUES ('one'), ('it''s; two');\n";
  const { answer, polls } = await importSql(sql);
  assert.ok(polls >= 1, "the client had to poll");
  assert.equal(answer.success, true, answer.error);
  assert.equal(answer.type, "import");
  assert.equal(answer.status, "complete");
  assert.equal(answer.result.num_queries, 3);
  assert.match(answer.result.final_bookmark, BOOKMARK);
  assert.ok(answer.result.final_bookmark > before, "bookmarks grow");
  assert.equal(answer.result.final_bookmark, await bookmarkNow());
  assert.equal(answer.result.meta.changed_db, true);
  assert.equal(typeof answer.result.meta.rows_written, "number");
  assert.deepEqual(await rows("SELECT id, v, n FROM check_d1_import ORDER BY id"), [
    { id: 1, v: "one", n: 3 },
    { id: 2, v: "it's; two", n: 9 },
  ]);
  // The outcome is told once; D1 then knows of no import.
  const again = await database.import(databaseId,
    { ...account, action: "poll", current_bookmark: answer.at_bookmark });
  assert.equal(again.success, false);
  assert.equal(again.error, "Not currently importing anything.");
});

step("import of an uploaded file skips the upload", async () => {
  const sql = runTag() + "INSERT INTO check_d1_import (v) VALUES ('again');\n";
  assert.equal((await importSql(sql)).answer.status, "complete");
  const etag = crypto.createHash("md5").update(sql).digest("hex");
  const init = await database.import(databaseId, { ...account, action: "init", etag });
  assert.ok(!("upload_url" in init), "D1 has that file");
  assert.equal(init.status, "active");
  const { answer } = await pollImport(init);
  assert.equal(answer.status, "complete");
  assert.deepEqual(await rows("SELECT count(*) AS n FROM check_d1_import WHERE v = 'again'"), [{ n: 2 }]);
});

step("import is all or nothing", async () => {
  const before = await bookmarkNow();
  const sql = runTag() +
    "INSERT INTO check_d1_import (v) VALUES ('partial');\n" +
    "CREATE TABLE check_d1_never (x);\n" +
    "INSERT INTO no_such_table VALUES (1);\n";
  const { answer } = await importSql(sql);
  assert.equal(answer.success, false);
  assert.equal(answer.status, "error");
  assert.match(answer.error, /no such table: no_such_table/);
  assert.deepEqual(await rows("SELECT count(*) AS n FROM check_d1_import WHERE v = 'partial'"), [{ n: 0 }]);
  assert.deepEqual(await rows("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'check_d1_never'"), [{ n: 0 }]);
  assert.equal(await bookmarkNow(), before, "nothing changed");
});

step("import checks the etag", async () => {
  const sql = runTag() + "INSERT INTO check_d1_import (v) VALUES ('tampered');\n";
  const etag = crypto.createHash("md5").update(sql).digest("hex");
  const init = await database.import(databaseId, { ...account, action: "init", etag });
  const put = await fetch(init.upload_url, { method: "PUT", body: sql + "-- changed\n" });
  assert.notEqual(put.headers.get("etag"), `"${etag}"`);
  const answer = await database.import(databaseId,
    { ...account, action: "ingest", etag, filename: init.filename });
  assert.equal(answer.success, false);
  assert.match(answer.error, /etag/);
  assert.deepEqual(await rows("SELECT count(*) AS n FROM check_d1_import WHERE v = 'tampered'"), [{ n: 0 }]);
});

step("time travel bookmark", async () => {
  const current = await bookmarkNow();
  assert.match(current, BOOKMARK);
  await query("SELECT count(*) FROM check_d1");
  assert.equal(await bookmarkNow(), current, "a read leaves the bookmark");
  await query("UPDATE check_d1 SET n = n + 1 WHERE id = 1");
  assert.ok(await bookmarkNow() > current, "a write moves it on");
  await rejectsWith(database.timeTravel.getBookmark(databaseId,
    { ...account, timestamp: "2000-01-01T00:00:00Z" }), Cloudflare.BadRequestError, 400);
  await rejectsWith(database.timeTravel.getBookmark(databaseId,
    { ...account, timestamp: "yesterday" }), Cloudflare.BadRequestError, 400);
});

step("time travel restore and undo", async () => {
  await query("DROP TABLE IF EXISTS check_d1_later; DROP TABLE IF EXISTS check_d1_child; " +
    "DROP TABLE IF EXISTS check_d1_parent");
  await query("CREATE TABLE check_d1_parent (id INTEGER PRIMARY KEY, big INTEGER, r REAL); " +
    "CREATE TABLE check_d1_child (id INTEGER PRIMARY KEY, " +
    "parent INTEGER NOT NULL REFERENCES check_d1_parent (id)); " +
    "INSERT INTO check_d1_parent VALUES (1, 9223372036854775807, 0.1 + 0.2), (2, -1, 2.0); " +
    "INSERT INTO check_d1_child VALUES (10, 1), (20, 2)");
  const exact = "SELECT id, CAST(big AS TEXT) AS big, printf('%.17g', r) AS r, typeof(r) AS t " +
    "FROM check_d1_parent ORDER BY id";
  const parents = await rows(exact);
  // The server's clock only ever moves forward here (bookmarks never go back in time, so a
  // clock set back would leave later bookmarks at the latest time already recorded).
  const { now } = await control("GET", "/__litehouse/clock");
  const early = await bookmarkNow();
  const atEarly = new Date(Date.parse(now) + 60_000).toISOString();
  await control("POST", "/__litehouse/clock", { advance_ms: 120_000 });
  await query("DELETE FROM check_d1_child WHERE id = 20; DELETE FROM check_d1_parent WHERE id = 2; " +
    "CREATE TABLE check_d1_later (x); INSERT INTO check_d1_later VALUES ('new')");
  const late = await bookmarkNow();
  assert.notEqual(late, early);
  const found = await database.timeTravel.getBookmark(databaseId, { ...account, timestamp: atEarly });
  assert.equal(found.bookmark, early, "the bookmark at or before the time");

  const restored = await database.timeTravel.restore(databaseId, { ...account, timestamp: atEarly });
  assert.equal(restored.previous_bookmark, late);
  assert.match(restored.bookmark, BOOKMARK);
  assert.ok(restored.bookmark > late, "a restore is a new state");
  assert.equal(typeof restored.message, "string");
  assert.equal(await bookmarkNow(), restored.bookmark);
  assert.deepEqual(await rows(exact), parents, "values come back exactly");
  assert.deepEqual(await rows("SELECT id, parent FROM check_d1_child ORDER BY id"),
    [{ id: 10, parent: 1 }, { id: 20, parent: 2 }]);
  assert.deepEqual(await rows("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'check_d1_later'"), [{ n: 0 }]);

  const undone = await database.timeTravel.restore(databaseId,
    { ...account, bookmark: restored.previous_bookmark });
  assert.equal(undone.previous_bookmark, restored.bookmark);
  assert.deepEqual(await rows("SELECT id FROM check_d1_parent ORDER BY id"), [{ id: 1 }]);
  assert.deepEqual(await rows("SELECT x FROM check_d1_later"), [{ x: "new" }]);
  assert.deepEqual(await rows("PRAGMA foreign_key_check"), []);

  const unknown = database.timeTravel.restore(databaseId,
    { ...account, bookmark: "00000000-00000000-00000000-" + "0".repeat(32) });
  await rejectsWith(unknown, Cloudflare.BadRequestError, 400);
  await rejectsWith(database.timeTravel.restore(databaseId, account), Cloudflare.BadRequestError, 400);
  assert.deepEqual(await rows("SELECT x FROM check_d1_later"), [{ x: "new" }], "refusals change nothing");
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
