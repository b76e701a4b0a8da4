#!/usr/bin/env node
// Checks a Hrana-over-HTTP server with the official libSQL client (npm `@libsql/client`).
//
//   node check-hrana.mjs URL [TOKEN]
//
// Runs a fixed script against the server at URL (e.g. http://127.0.0.1:8080): schema, inserts
// with positional and named arguments, a round trip of every value type (64-bit integers beyond
// 2^53, floats, Unicode text, blobs, NULL), batches that commit and a batch that must fail as a
// whole, interactive transactions that commit and roll back, executeMultiple, and the error codes
// of failing statements. Prints `ok NAME` per step and exits 0, or prints the failure and exits 1.
// It works in its own tables (check_*), dropped first, so it can run again on the same database.

import assert from "node:assert/strict";
import { createClient } from "@libsql/client";

const BIG = 2n ** 53n + 1n; // not representable as a double
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const UNICODE = "héllo wörld ✓ — 日本語 🚀";
const BLOB = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);

/** Runs the named check; prints `ok NAME` when it passes. */
async function step(name, fn) {
    await fn();
    process.stdout.write(`ok ${name}\n`);
}

/** Asserts that a promise rejects with a LibsqlError of the given code. */
async function assertRejectsWithCode(promise, code) {
    await assert.rejects(promise, (err) => {
        assert.equal(err.code, code, `expected code ${code}, got ${err.code}: ${err.message}`);
        return true;
    });
}

async function count(client, table) {
    const rs = await client.execute(`SELECT count(*) AS n FROM ${table}`);
    return rs.rows[0].n;
}

function bytesOf(value) {
    assert.ok(value instanceof ArrayBuffer, `expected an ArrayBuffer, got ${Object.prototype.toString.call(value)}`);
    return [...new Uint8Array(value)];
}

async function checkSchema(client) {
    await step("create table", async () => {
        await client.execute("DROP TABLE IF EXISTS check_values");
        const rs = await client.execute(
            "CREATE TABLE check_values (id INTEGER PRIMARY KEY, i INTEGER, f REAL, t TEXT, b BLOB, n)");
        assert.equal(rs.rowsAffected, 0);
        assert.equal(rs.columns.length, 0);
    });
}

async function checkInserts(client) {
    await step("insert with positional args", async () => {
        const rs = await client.execute({
            sql: "INSERT INTO check_values (id, i, f, t, b, n) VALUES (?, ?, ?, ?, ?, ?)",
            args: [1, BIG, 1.5, UNICODE, BLOB, null],
        });
        assert.equal(rs.rowsAffected, 1);
        assert.equal(rs.lastInsertRowid, 1n);
    });
    await step("insert with named args", async () => {
        const rs = await client.execute({
            sql: "INSERT INTO check_values (id, i, f, t, b, n) VALUES (:id, $i, @f, :t, :b, :n)",
            args: { id: 2, i: I64_MIN, f: -0.25, t: "", b: new Uint8Array(0), n: null },
        });
        assert.equal(rs.rowsAffected, 1);
        assert.equal(rs.lastInsertRowid, 2n);
        await client.execute({ sql: "INSERT INTO check_values (id, i) VALUES (?, ?)", args: [3, I64_MAX] });
    });
}

async function checkValues(client) {
    await step("select values back", async () => {
        const rs = await client.execute("SELECT i, f, t, b, n FROM check_values ORDER BY id");
        assert.deepEqual(rs.columns, ["i", "f", "t", "b", "n"]);
        assert.deepEqual(rs.columnTypes, ["INTEGER", "REAL", "TEXT", "BLOB", ""]);
        assert.equal(rs.rows.length, 3);
        const [first, second, third] = rs.rows;
        assert.equal(first.i, BIG);
        assert.equal(typeof first.f, "number");
        assert.equal(first.f, 1.5);
        assert.equal(first.t, UNICODE);
        assert.deepEqual(bytesOf(first.b), [...BLOB]);
        assert.equal(first.n, null);
        assert.equal(second.i, I64_MIN);
        assert.equal(second.f, -0.25);
        assert.equal(second.t, "");
        assert.deepEqual(bytesOf(second.b), []);
        assert.equal(third.i, I64_MAX);
        assert.equal(rs.rowsAffected, 0);
    });
    await step("select expressions", async () => {
        const rs = await client.execute({ sql: "SELECT ? + 1 AS a, typeof(?) AS t, 2.0 AS r", args: [41n, 1.0] });
        assert.equal(rs.rows[0].a, 42n);
        assert.equal(rs.rows[0].t, "real");
        assert.equal(rs.rows[0].r, 2);
        assert.equal(rs.rows[0][0], 42n); // positional access too
    });
}

async function checkBatches(client) {
    await step("batch write", async () => {
        const results = await client.batch([
            { sql: "INSERT INTO check_values (id, t) VALUES (?, ?)", args: [10, "batch a"] },
            { sql: "INSERT INTO check_values (id, t) VALUES (?, ?)", args: [11, "batch b"] },
            "UPDATE check_values SET n = 'x' WHERE id >= 10",
            "SELECT count(*) AS n FROM check_values",
        ], "write");
        assert.equal(results.length, 4);
        assert.equal(results[0].rowsAffected, 1);
        assert.equal(results[1].lastInsertRowid, 11n);
        assert.equal(results[2].rowsAffected, 2);
        assert.equal(results[3].rows[0].n, 5n);
    });
    await step("failing batch is atomic", async () => {
        const before = await count(client, "check_values");
        await assertRejectsWithCode(client.batch([
            "INSERT INTO check_values (id, t) VALUES (20, 'must not stay')",
            "INSERT INTO check_values (id, t) VALUES (1, 'duplicate key')",
            "INSERT INTO check_values (id, t) VALUES (21, 'must not run')",
        ], "write"), "SQLITE_CONSTRAINT");
        assert.equal(await count(client, "check_values"), before);
        const rs = await client.execute("SELECT count(*) AS n FROM check_values WHERE id IN (20, 21)");
        assert.equal(rs.rows[0].n, 0n);
    });
}

async function checkTransactions(client) {
    await step("transaction commit", async () => {
        const before = await count(client, "check_values");
        const tx = await client.transaction("write");
        try {
            await tx.execute({ sql: "INSERT INTO check_values (id, t) VALUES (?, ?)", args: [30, "committed"] });
            const inside = await tx.execute("SELECT count(*) AS n FROM check_values");
            assert.equal(inside.rows[0].n, before + 1n);
            // another stream (its own connection on the server) does not see it yet
            assert.equal(await count(client, "check_values"), before);
            await tx.commit();
        } finally {
            tx.close();
        }
        assert.equal(await count(client, "check_values"), before + 1n);
    });
    await step("transaction rollback", async () => {
        const before = await count(client, "check_values");
        const tx = await client.transaction("write");
        try {
            await tx.execute({ sql: "INSERT INTO check_values (id, t) VALUES (?, ?)", args: [31, "rolled back"] });
            await tx.execute("UPDATE check_values SET t = 'changed' WHERE id = 1");
            await tx.rollback();
        } finally {
            tx.close();
        }
        assert.equal(await count(client, "check_values"), before);
        const rs = await client.execute("SELECT t FROM check_values WHERE id = 1");
        assert.equal(rs.rows[0].t, UNICODE);
    });
}

async function checkExecuteMultiple(client) {
    await step("executeMultiple", async () => {
        await client.executeMultiple(`
            DROP TABLE IF EXISTS check_multi;
            DROP TABLE IF EXISTS check_log;
            CREATE TABLE check_multi (id INTEGER PRIMARY KEY, label TEXT);
            CREATE TABLE check_log (msg TEXT); -- a comment; with a semicolon
            CREATE TRIGGER check_multi_log AFTER INSERT ON check_multi BEGIN
                INSERT INTO check_log VALUES (CASE WHEN new.id > 1 THEN 'big; ' ELSE 'small' END);
            END;
            INSERT INTO check_multi (id, label) VALUES (1, 'one');
            INSERT INTO check_multi (id, label) VALUES (2, 'two; with a semicolon');
        `);
        assert.equal(await count(client, "check_multi"), 2n);
        const rs = await client.execute("SELECT msg FROM check_log ORDER BY rowid");
        assert.deepEqual(rs.rows.map((r) => r.msg), ["small", "big; "]);
    });
}

async function checkErrors(client) {
    await step("statement errors", async () => {
        await assertRejectsWithCode(client.execute("SELECT * FROM check_no_such_table"), "SQLITE_ERROR");
        await assertRejectsWithCode(client.execute("SELEC 1"), "SQL_PARSE_ERROR");
        await assertRejectsWithCode(client.execute("SELECT 1; SELECT 2"), "SQL_MANY_STATEMENTS");
        await assertRejectsWithCode(client.execute({ sql: "SELECT ?", args: [1, 2] }), "ARGS_INVALID");
        // the client still works after errors
        assert.equal((await client.execute("SELECT 1 AS one")).rows[0].one, 1n);
    });
}

async function main() {
    const [url, authToken] = process.argv.slice(2);
    if (!url) {
        process.stderr.write("usage: node check-hrana.mjs URL [TOKEN]\n");
        process.exit(2);
    }
    const client = createClient({ url, authToken, intMode: "bigint" });
    try {
        await checkSchema(client);
        await checkInserts(client);
        await checkValues(client);
        await checkBatches(client);
        await checkTransactions(client);
        await checkExecuteMultiple(client);
        await checkErrors(client);
    } finally {
        client.close();
    }
}

main().then(
    () => process.exit(0),
    (err) => {
        process.stdout.write(`FAIL ${err?.stack ?? err}\n`);
        process.exit(1);
    },
);
