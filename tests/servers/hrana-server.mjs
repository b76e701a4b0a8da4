#!/usr/bin/env node
// Hrana-over-HTTP test server for Litehouse's libSQL/Turso backend.
//
// Speaks the JSON flavour of Hrana 2 and 3 over HTTP the way sqld (libsql-server) does, over a
// real libSQL engine (npm `libsql`) on a local database file, so that Litehouse's client and the
// official `@libsql/client` can be tested against the genuine protocol on 127.0.0.1:
//
//   node hrana-server.mjs --db PATH [--port N] [--token T] [--redirect] [--stream-expiry-ms MS]
//
//   GET  /v2, /v3, /health        200 (version probes need no token, as in sqld)
//   GET  /v3-protobuf…            404 (JSON only: a probing client falls back to JSON)
//   POST /v2/pipeline, /v3/pipeline, /v3/cursor
//
// Behaviour copied from sqld (libsql-server/src/hrana): every stream owns its own database
// connection, so a transaction lives across HTTP requests; batons are HMAC-signed (stream id,
// sequence number) and single-use; idle streams expire after 10 s (rolled back) and answer
// 500 STREAM_EXPIRED for a while afterwards; a statement error is a `{"type":"error"}` result
// inside an HTTP 200 and the pipeline goes on; a protocol violation (bad baton, unknown
// `sql_id`, a Hrana 3 feature on /v2…) fails the whole HTTP request with 400 text/plain; auth
// failures are 401 `{"error": "Unauthorized: …"}`. Error codes follow sqld: primary SQLite codes
// ("SQLITE_CONSTRAINT"), messages "SQLite error: …", SQL_PARSE_ERROR for syntax errors (found
// before anything runs, as sqld's own parser does), ARGS_INVALID, SQL_MANY_STATEMENTS…
//
// `--redirect` makes every response carry `"base_url": "http://127.0.0.1:PORT/moved/"` (with the
// trailing slash: clients resolve "v2/pipeline" against it as a relative URL, as the official
// client does with `new URL()`); every path is also served under /moved, and a request that
// carries a baton but is not sent under /moved gets 400, so a client that ignores base_url fails
// visibly.
//
// The cursor endpoint streams newline-delimited JSON like sqld: a first line {baton, base_url},
// then step_begin/row/step_end/step_error/error entries and a final `replication_index` entry;
// in step_end, last_insert_rowid is a JSON number (sqld serialises it so), not a string.
//
// Test controls, common to Litehouse's test servers (see README.md): `PORT N` on stdout once
// listening; exit when stdin closes or on SIGTERM; fault injection at /__litehouse/faults (also
// GET to list pending faults) and a request log at /__litehouse/requests, whose `authorization`
// says whether an Authorization header was sent; no token is needed for either. Every request
// outside /__litehouse/ is a protocol request (logged, subject to faults), probes included.

import http from "node:http";
import crypto from "node:crypto";
import { performance } from "node:perf_hooks";
import Database from "libsql";

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

const USAGE =
    "usage: node hrana-server.mjs --db PATH [--port N] [--token T] [--redirect] " +
    "[--stream-expiry-ms MS]";

/** Parses argv into {db, port, token, redirect, streamExpiryMs}; exits with usage on errors. */
function parseArgs(argv) {
    const opts = { db: null, port: 0, token: null, redirect: false, streamExpiryMs: 10_000 };
    const takeValue = (i) => {
        if (i + 1 >= argv.length) usageError(`missing value for ${argv[i]}`);
        return argv[i + 1];
    };
    for (let i = 0; i < argv.length; i++) {
        switch (argv[i]) {
            case "--db": opts.db = takeValue(i); i++; break;
            case "--port": opts.port = parsePort(takeValue(i)); i++; break;
            case "--token": opts.token = takeValue(i); i++; break;
            case "--redirect": opts.redirect = true; break;
            case "--stream-expiry-ms": opts.streamExpiryMs = parseNonNegative(takeValue(i)); i++; break;
            case "-h": case "--help": process.stdout.write(USAGE + "\n"); process.exit(0); break;
            default: usageError(`unknown argument ${argv[i]}`);
        }
    }
    if (!opts.db) usageError("--db PATH is required");
    return opts;
}

function parsePort(text) {
    const port = Number(text);
    if (!Number.isInteger(port) || port < 0 || port > 65535) usageError(`bad port ${text}`);
    return port;
}

function parseNonNegative(text) {
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) usageError(`bad number ${text}`);
    return n;
}

function usageError(message) {
    process.stderr.write(`hrana-server: ${message}\n${USAGE}\n`);
    process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Errors, shaped as sqld reports them
// ---------------------------------------------------------------------------------------------

/** A protocol violation: the whole HTTP request fails with 400 text/plain (sqld's ProtocolError). */
class ProtocolError extends Error {}

/** An error of one request of a pipeline (or one batch step): `{"message", "code"}`. */
class StmtError extends Error {
    constructor(message, code) {
        super(message);
        this.code = code;
        /** Columns already described when the error came after prepare (for cursor entries). */
        this.cols = null;
    }
    toProto() {
        return { message: this.message, code: this.code };
    }
}

/** A stream that expired for inactivity: 500 with a JSON error body (sqld's StreamError). */
class StreamExpiredError extends Error {
    constructor() {
        super("The stream has expired due to inactivity");
        this.code = "STREAM_EXPIRED";
    }
}

const jsonError = (detail) => new ProtocolError(`Cannot deserialize client message from JSON: ${detail}`);

/** Names of SQLite's primary result codes, which sqld reports (never the extended ones). */
const SQLITE_PRIMARY_CODES = {
    1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT", 5: "SQLITE_BUSY",
    6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY", 9: "SQLITE_INTERRUPT",
    10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT", 12: "SQLITE_NOTFOUND", 13: "SQLITE_FULL",
    14: "SQLITE_CANTOPEN", 15: "SQLITE_PROTOCOL", 17: "SQLITE_SCHEMA", 18: "SQLITE_TOOBIG",
    19: "SQLITE_CONSTRAINT", 20: "SQLITE_MISMATCH", 21: "SQLITE_MISUSE", 22: "SQLITE_NOLFS",
    23: "SQLITE_AUTH", 25: "SQLITE_RANGE", 26: "SQLITE_NOTADB",
};

/** Converts an exception of the libsql engine into the StmtError sqld would send. */
function sqliteStmtError(err) {
    if (err instanceof StmtError) return err;
    if (typeof err?.rawCode !== "number") throw err; // not an SQLite error: our bug, answered with 500
    const code = SQLITE_PRIMARY_CODES[err.rawCode & 0xff] ?? "SQLITE_UNKNOWN";
    return new StmtError(`SQLite error: ${err.message}`, code);
}

// ---------------------------------------------------------------------------------------------
// SQL text analysis: a tokenizer following SQLite's (tokenize.c), enough to split statements,
// classify them and number their parameters exactly as SQLite does.
// ---------------------------------------------------------------------------------------------

const isIdChar = (c) => /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80;
const isDigit = (c) => c >= "0" && c <= "9";

/** Returns the index just after a quoted token that starts at `i` and ends with `close`. */
function skipQuoted(sql, i, close) {
    for (let j = i + 1; j < sql.length; j++) {
        if (sql[j] !== close) continue;
        if (close !== "]" && sql[j + 1] === close) { j++; continue; } // doubled quote
        return j + 1;
    }
    return sql.length;
}

/** Returns the end of a variable token (`:name`, `@name`, `#name`, `$name`, `$a::b(c)`) at `i`. */
function skipNamedVariable(sql, i) {
    let j = i + 1;
    for (;;) {
        while (j < sql.length && isIdChar(sql[j])) j++;
        if (sql[i] !== "$") break;
        if (sql[j] === ":" && sql[j + 1] === ":") { j += 2; continue; } // Tcl namespace
        if (sql[j] === "(" && j > i + 1) { // Tcl array element
            const close = sql.indexOf(")", j);
            if (close >= 0) j = close + 1;
        }
        break;
    }
    return j;
}

/**
 * Splits SQL text into tokens {type, text, start, end}; type is "word", "var", "semi", "lparen",
 * "rparen", "string" or "other". Whitespace and comments are dropped.
 */
function tokenize(sql) {
    const tokens = [];
    let i = 0;
    const push = (type, end) => { tokens.push({ type, text: sql.slice(i, end), start: i, end }); i = end; };
    while (i < sql.length) {
        const c = sql[i];
        if (/\s/.test(c)) { i++; continue; }
        if (c === "-" && sql[i + 1] === "-") {
            const eol = sql.indexOf("\n", i);
            i = eol < 0 ? sql.length : eol + 1;
            continue;
        }
        if (c === "/" && sql[i + 1] === "*") {
            const close = sql.indexOf("*/", i + 2);
            i = close < 0 ? sql.length : close + 2;
            continue;
        }
        if (c === "'" || c === '"' || c === "`") { push("string", skipQuoted(sql, i, c)); continue; }
        if (c === "[") { push("string", skipQuoted(sql, i, "]")); continue; }
        if (c === ";") { push("semi", i + 1); continue; }
        if (c === "(") { push("lparen", i + 1); continue; }
        if (c === ")") { push("rparen", i + 1); continue; }
        if (c === "?") {
            let j = i + 1;
            while (j < sql.length && isDigit(sql[j])) j++;
            push("var", j);
            continue;
        }
        if ((c === ":" || c === "@" || c === "#" || c === "$") && i + 1 < sql.length && isIdChar(sql[i + 1])) {
            push("var", skipNamedVariable(sql, i));
            continue;
        }
        if (isIdChar(c)) {
            let j = i + 1;
            while (j < sql.length && (isIdChar(sql[j]) || (isDigit(c) && sql[j] === "."))) j++;
            push("word", j);
            continue;
        }
        push("other", i + 1);
    }
    return tokens;
}

const upperWord = (token) => (token?.type === "word" ? token.text.toUpperCase() : null);

/** True when the tokens start a CREATE [TEMP|TEMPORARY] TRIGGER statement. */
function startsTrigger(tokens) {
    const words = tokens.slice(0, 3).map(upperWord);
    if (words[0] !== "CREATE") return false;
    const next = words[1] === "TEMP" || words[1] === "TEMPORARY" ? words[2] : words[1];
    return next === "TRIGGER";
}

/**
 * Splits SQL text into its statements, like SQLite's sqlite3_complete(): semicolons end
 * statements except inside a trigger's BEGIN … END body (CASE … END pairs are counted).
 * Returns [{sql, tokens}] for the non-empty statements.
 */
function splitStatements(sql) {
    const statements = [];
    let current = [];
    let body = { inBody: false, caseDepth: 0, done: false };
    const finish = (endIndex) => {
        if (current.length > 0) {
            statements.push({ sql: sql.slice(current[0].start, endIndex), tokens: current });
        }
        current = [];
        body = { inBody: false, caseDepth: 0, done: false };
    };
    for (const token of tokenize(sql)) {
        const trigger = startsTrigger(current);
        if (token.type === "semi" && !(trigger && body.inBody && !body.done)) {
            finish(token.end);
            continue;
        }
        current.push(token);
        if (!trigger) continue;
        const word = upperWord(token);
        if (word === "BEGIN" && !body.inBody) body.inBody = true;
        else if (word === "CASE" && body.inBody) body.caseDepth++;
        else if (word === "END" && body.inBody && !body.done) {
            if (body.caseDepth > 0) body.caseDepth--;
            else body.done = true;
        }
    }
    finish(sql.length);
    return statements;
}

/**
 * Numbers the parameters of one statement as SQLite does (sqlite3ExprAssignVarNumber): `?` takes
 * the next number, `?NNN` is number NNN, a name keeps the number of its first use.
 * Returns {count, names} where names[i] is the name of parameter i (1-based) or null.
 */
function numberParameters(tokens) {
    let count = 0;
    const names = [null];
    const byName = new Map();
    for (const token of tokens) {
        if (token.type !== "var") continue;
        const text = token.text;
        if (text === "?") {
            count++;
            names[count] = null;
        } else if (text[0] === "?") {
            const index = Number(text.slice(1));
            if (index > count) {
                for (let i = count + 1; i < index; i++) names[i] = null;
                count = index;
                names[index] = text;
            } else if (names[index] === null) {
                names[index] = text;
            }
        } else if (!byName.has(text)) {
            count++;
            names[count] = text;
            byName.set(text, count);
        }
    }
    return { count, names };
}

/** The statement's leading verb, looking past a WITH clause (CTE bodies are parenthesised). */
function statementVerb(tokens) {
    const first = upperWord(tokens[0]);
    if (first !== "WITH") return first;
    const verbs = new Set(["SELECT", "VALUES", "INSERT", "REPLACE", "UPDATE", "DELETE"]);
    let depth = 0;
    for (const token of tokens.slice(1)) {
        if (token.type === "lparen") depth++;
        else if (token.type === "rparen") depth--;
        else if (depth === 0 && verbs.has(upperWord(token))) return upperWord(token);
    }
    return first;
}

const TRANSACTION_VERBS = new Set(["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"]);

/** What sqld's statement analysis knows about one statement. */
function analyzeStatement(statement) {
    const verb = statementVerb(statement.tokens);
    const isInsert = verb === "INSERT" || verb === "REPLACE";
    return {
        sql: statement.sql,
        verb,
        isExplain: verb === "EXPLAIN",
        isInsert,
        isIud: isInsert || verb === "UPDATE" || verb === "DELETE",
        params: numberParameters(statement.tokens),
    };
}

// A connection to an empty in-memory database, used only to tell syntax errors (which sqld's own
// parser reports as SQL_PARSE_ERROR before running anything) from schema errors.
let syntaxChecker = null;

const SYNTAX_ERROR = /syntax error|^incomplete input|^unrecognized token/;

/** Throws SQL_PARSE_ERROR when the statement is not valid SQL, whatever the schema. */
function checkSyntax(sql) {
    syntaxChecker ??= new Database(":memory:");
    try {
        syntaxChecker.prepare(sql);
    } catch (err) {
        if (typeof err?.message === "string" && SYNTAX_ERROR.test(err.message)) {
            throw new StmtError(`SQL string could not be parsed: ${err.message}`, "SQL_PARSE_ERROR");
        }
    }
}

/** Parses the SQL of an `execute` or batch step: exactly one valid statement. */
function parseSingleStatement(sql) {
    const statements = splitStatements(sql);
    if (statements.length === 0) {
        throw new StmtError("SQL string does not contain any statement", "SQL_NO_STATEMENT");
    }
    checkSyntax(statements[0].sql);
    if (statements.length > 1) {
        throw new StmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
    }
    return analyzeStatement(statements[0]);
}

/** Parses the SQL of a `sequence`: any number of valid statements. */
function parseSequence(sql) {
    const statements = splitStatements(sql);
    for (const statement of statements) checkSyntax(statement.sql);
    return statements.map(analyzeStatement);
}

// ---------------------------------------------------------------------------------------------
// Hrana values <-> engine values
// ---------------------------------------------------------------------------------------------

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

const toBase64NoPad = (buffer) => buffer.toString("base64").replace(/=+$/, ""); // as sqld sends

/** Converts an engine value (safe-integers mode) to a Hrana value. */
function encodeValue(value) {
    if (value === null || value === undefined) return { type: "null" };
    if (typeof value === "bigint") return { type: "integer", value: value.toString() };
    if (typeof value === "number") return { type: "float", value }; // ±Infinity becomes null, as serde does
    if (typeof value === "string") return { type: "text", value };
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
        return { type: "blob", base64: toBase64NoPad(Buffer.from(value)) };
    }
    throw new Error(`unexpected engine value ${typeof value}`);
}

/** Converts a Hrana value of a request to an engine value; throws a JSON ProtocolError. */
function decodeValue(proto, where) {
    const obj = expectObject(proto, where);
    switch (obj.type) {
        case "null":
            return null;
        case "integer": {
            if (typeof obj.value !== "string" || !/^[+-]?\d+$/.test(obj.value)) {
                throw jsonError(`${where}.value: expected a decimal integer as a string`);
            }
            const value = BigInt(obj.value);
            if (value < I64_MIN || value > I64_MAX) throw jsonError(`${where}.value: integer out of range`);
            return value;
        }
        case "float":
            if (typeof obj.value !== "number") throw jsonError(`${where}.value: expected a number`);
            return obj.value;
        case "text":
            if (typeof obj.value !== "string") throw jsonError(`${where}.value: expected a string`);
            return obj.value;
        case "blob": {
            const text = typeof obj.base64 === "string" ? obj.base64.replace(/=+$/, "") : null;
            if (text === null || !/^[A-Za-z0-9+/]*$/.test(text) || text.length % 4 === 1) {
                throw jsonError(`${where}.base64: expected binary data encoded as base64`);
            }
            return Buffer.from(text, "base64");
        }
        default:
            throw jsonError(`${where}.type: unknown value type ${JSON.stringify(obj.type)}`);
    }
}

// ---------------------------------------------------------------------------------------------
// Request bodies: validated up front, as serde does, so a malformed pipeline runs nothing
// ---------------------------------------------------------------------------------------------

function expectObject(value, where) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw jsonError(`${where}: expected an object`);
    }
    return value;
}

function expectArray(value, where) {
    if (!Array.isArray(value)) throw jsonError(`${where}: expected an array`);
    return value;
}

function optionalString(value, where) {
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") throw jsonError(`${where}: expected a string`);
    return value;
}

function optionalInt(value, where) {
    if (value === undefined || value === null) return null;
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
        throw jsonError(`${where}: expected a 32-bit integer`);
    }
    return value;
}

function requiredInt(value, where) {
    const n = optionalInt(value, where);
    if (n === null) throw jsonError(`${where}: missing field`);
    return n;
}

function parseStmt(value, where) {
    const obj = expectObject(value, where);
    const args = obj.args === undefined ? [] : expectArray(obj.args, `${where}.args`);
    const namedArgs = obj.named_args === undefined ? [] : expectArray(obj.named_args, `${where}.named_args`);
    if (obj.want_rows !== undefined && obj.want_rows !== null && typeof obj.want_rows !== "boolean") {
        throw jsonError(`${where}.want_rows: expected a boolean`);
    }
    return {
        sql: optionalString(obj.sql, `${where}.sql`),
        sqlId: optionalInt(obj.sql_id, `${where}.sql_id`),
        args: args.map((arg, i) => decodeValue(arg, `${where}.args[${i}]`)),
        namedArgs: namedArgs.map((arg, i) => {
            const named = expectObject(arg, `${where}.named_args[${i}]`);
            if (typeof named.name !== "string") throw jsonError(`${where}.named_args[${i}].name: expected a string`);
            return { name: named.name, value: decodeValue(named.value, `${where}.named_args[${i}].value`) };
        }),
    };
}

function parseCond(value, where) {
    const obj = expectObject(value, where);
    switch (obj.type) {
        case "ok":
        case "error": {
            const step = requiredInt(obj.step, `${where}.step`);
            if (step < 0) throw jsonError(`${where}.step: expected an unsigned integer`);
            return { type: obj.type, step };
        }
        case "not":
            return { type: "not", cond: parseCond(obj.cond, `${where}.cond`) };
        case "and":
        case "or":
            return {
                type: obj.type,
                conds: expectArray(obj.conds, `${where}.conds`).map((c, i) => parseCond(c, `${where}.conds[${i}]`)),
            };
        case "is_autocommit":
            return { type: "is_autocommit" };
        default:
            throw jsonError(`${where}.type: unknown condition type ${JSON.stringify(obj.type)}`);
    }
}

function parseBatch(value, where) {
    const obj = expectObject(value, where);
    return {
        steps: expectArray(obj.steps, `${where}.steps`).map((s, i) => {
            const step = expectObject(s, `${where}.steps[${i}]`);
            const hasCond = step.condition !== undefined && step.condition !== null;
            return {
                condition: hasCond ? parseCond(step.condition, `${where}.steps[${i}].condition`) : null,
                stmt: parseStmt(step.stmt, `${where}.steps[${i}].stmt`),
            };
        }),
    };
}

function parseSqlRef(obj, where) {
    return { sql: optionalString(obj.sql, `${where}.sql`), sqlId: optionalInt(obj.sql_id, `${where}.sql_id`) };
}

/** Validates one pipeline request and converts it to {type, …}. */
function parseStreamRequest(value, where) {
    const obj = expectObject(value, where);
    switch (obj.type) {
        case "close":
        case "get_autocommit":
            return { type: obj.type };
        case "execute":
            return { type: "execute", stmt: parseStmt(obj.stmt, `${where}.stmt`) };
        case "batch":
            return { type: "batch", batch: parseBatch(obj.batch, `${where}.batch`) };
        case "sequence":
        case "describe":
            return { type: obj.type, ...parseSqlRef(obj, where) };
        case "store_sql": {
            if (typeof obj.sql !== "string") throw jsonError(`${where}.sql: expected a string`);
            return { type: "store_sql", sqlId: requiredInt(obj.sql_id, `${where}.sql_id`), sql: obj.sql };
        }
        case "close_sql":
            return { type: "close_sql", sqlId: requiredInt(obj.sql_id, `${where}.sql_id`) };
        default:
            throw jsonError(`${where}.type: unknown request type ${JSON.stringify(obj.type)}`);
    }
}

function parseBaton(value) {
    return optionalString(value, "baton");
}

/** Validates a pipeline body: {baton, requests}. */
function parsePipelineBody(body) {
    const obj = expectObject(body, "body");
    return {
        baton: parseBaton(obj.baton),
        requests: expectArray(obj.requests, "requests").map((r, i) => parseStreamRequest(r, `requests[${i}]`)),
    };
}

/** Validates a cursor body: {baton, batch}. */
function parseCursorBody(body) {
    const obj = expectObject(body, "body");
    return { baton: parseBaton(obj.baton), batch: parseBatch(obj.batch, "batch") };
}

// ---------------------------------------------------------------------------------------------
// Streams: one database connection each, reached with single-use signed batons
// ---------------------------------------------------------------------------------------------

const CLEANUP_MS = 300_000; // how long an expired stream answers STREAM_EXPIRED before it is forgotten
const MAX_SQL_COUNT = 50;
const MAX_STORED_SQL_BYTES = 5_000;

class StreamRegistry {
    constructor(dbPath, expiryMs) {
        this.dbPath = dbPath;
        this.expiryMs = expiryMs;
        this.key = crypto.randomBytes(32);
        this.streams = new Map(); // stream id (hex) -> stream
        this.timer = setInterval(() => this.expireIdle(), Math.min(1000, Math.max(50, expiryMs / 4)));
        this.timer.unref();
    }

    /** Opens a new stream with its own connection. */
    create() {
        const db = new Database(this.dbPath);
        db.defaultSafeIntegers(true);
        const stream = {
            id: crypto.randomBytes(8).toString("hex"),
            seq: crypto.randomBytes(8).readBigUInt64BE(),
            db,
            sqls: new Map(),
            expired: false,
            lastUsed: 0,
        };
        this.streams.set(stream.id, stream);
        return stream;
    }

    /** Finds the stream of a baton, checking its signature and sequence number. */
    acquire(baton) {
        const decoded = this.decodeBaton(baton);
        const stream = decoded && this.streams.get(decoded.id);
        if (!stream) throw new ProtocolError("Received an invalid baton");
        if (stream.expired) throw new StreamExpiredError();
        if (stream.seq !== decoded.seq) throw new ProtocolError("Received a baton that has already been used");
        stream.seq = BigInt.asUintN(64, stream.seq + 1n);
        return stream;
    }

    /** Ends a request on the stream: returns the next baton, or null when the stream closed. */
    release(stream) {
        if (stream.db === null) {
            this.streams.delete(stream.id);
            return null;
        }
        stream.lastUsed = Date.now();
        return this.encodeBaton(stream);
    }

    /** Closes a stream's connection (rolling back any open transaction) and forgets it. */
    discard(stream) {
        closeConnection(stream);
        this.streams.delete(stream.id);
    }

    expireIdle() {
        const now = Date.now();
        for (const stream of this.streams.values()) {
            if (!stream.expired && now - stream.lastUsed >= this.expiryMs) {
                closeConnection(stream);
                stream.expired = true;
                stream.expiredAt = now;
            } else if (stream.expired && now - stream.expiredAt >= CLEANUP_MS) {
                this.streams.delete(stream.id);
            }
        }
    }

    closeAll() {
        clearInterval(this.timer);
        for (const stream of this.streams.values()) closeConnection(stream);
        this.streams.clear();
    }

    /** Baton = base64 (no padding) of stream id (8 bytes), sequence (8 bytes), HMAC-SHA256 (32). */
    encodeBaton(stream) {
        const payload = Buffer.alloc(16);
        Buffer.from(stream.id, "hex").copy(payload, 0);
        payload.writeBigUInt64BE(stream.seq, 8);
        const mac = crypto.createHmac("sha256", this.key).update(payload).digest();
        return toBase64NoPad(Buffer.concat([payload, mac]));
    }

    decodeBaton(baton) {
        if (!/^[A-Za-z0-9+/]{64}$/.test(baton)) return null;
        const data = Buffer.from(baton, "base64");
        const payload = data.subarray(0, 16);
        const mac = crypto.createHmac("sha256", this.key).update(payload).digest();
        if (!crypto.timingSafeEqual(mac, data.subarray(16, 48))) return null;
        return { id: payload.subarray(0, 8).toString("hex"), seq: payload.readBigUInt64BE(8) };
    }
}

function closeConnection(stream) {
    if (stream.db !== null) {
        // libsql's close() leaves the connection (and its locks) to the garbage collector:
        // a transaction still open would keep the database locked. Roll it back first, as
        // sqld does when a stream ends.
        if (stream.db.inTransaction) {
            try {
                stream.db.exec("ROLLBACK");
            } catch {
                // Nothing to roll back after all.
            }
        }
        stream.db.close();
        stream.db = null;
    }
}

function streamDb(stream) {
    if (stream.db === null) throw new ProtocolError("Stream for this baton was closed");
    return stream.db;
}

/** The SQL text of a request: `sql`, or the text stored under `sql_id` on this stream. */
function resolveSql(stream, ref) {
    if (ref.sql !== null && ref.sqlId !== null) {
        throw new ProtocolError("Either `sql` or `sql_id` are required, but not both");
    }
    if (ref.sql !== null) return ref.sql;
    if (ref.sqlId === null) throw new ProtocolError("Either `sql` or `sql_id` are required");
    const sql = stream.sqls.get(ref.sqlId);
    if (sql === undefined) throw new ProtocolError(`SQL text ${ref.sqlId} not found`);
    return sql;
}

// ---------------------------------------------------------------------------------------------
// Statement execution
// ---------------------------------------------------------------------------------------------

/** Converts a request's stmt into a query {statement, positional | named}, as sqld does. */
function stmtToQuery(stream, stmt) {
    const statement = parseSingleStatement(resolveSql(stream, stmt));
    if (stmt.args.length > 0 && stmt.namedArgs.length > 0) {
        throw new StmtError("Specifying both positional and named arguments is not supported",
            "ARGS_BOTH_POSITIONAL_AND_NAMED");
    }
    if (stmt.namedArgs.length > 0) {
        return { statement, named: new Map(stmt.namedArgs.map((a) => [a.name, a.value])) };
    }
    return { statement, positional: stmt.args };
}

const argsInvalid = (detail) => new StmtError(`Arguments do not match SQL parameters: ${detail}`, "ARGS_INVALID");

/**
 * Orders the query's arguments by parameter number, following sqld's Params::bind: `?NNN` takes
 * positional argument NNN, a name takes the named argument with or without its prefix, `?` takes
 * the positional argument of its number; a missing value is an error (except in EXPLAIN).
 */
function bindArguments(query) {
    const { count, names } = query.statement.params;
    const given = query.named ? query.named.size : query.positional.length;
    if (given > count) throw argsInvalid(`too many parameters, expected ${count} found ${given}`);
    const getPos = (pos) => (query.positional ? query.positional[pos - 1] : undefined);
    const getNamed = (name) => (query.named ? query.named.get(name) : undefined);
    const values = [];
    for (let index = 1; index <= count; index++) {
        const name = names[index];
        let value;
        if (name === null) value = getPos(index);
        else if (name[0] === "?") value = getPos(Number(name.slice(1)));
        else value = getNamed(name) ?? getNamed(name.slice(1));
        if (value === undefined) {
            if (query.statement.isExplain) break;
            throw argsInvalid(`value for parameter ${name ?? index} not found`);
        }
        values.push(value);
    }
    return values;
}

const countersStatements = new WeakMap(); // connection -> prepared `SELECT changes(), …`

/** The connection's sqlite3_changes() and sqlite3_last_insert_rowid(). */
function connectionCounters(db) {
    let stmt = countersStatements.get(db);
    if (!stmt) {
        stmt = db.prepare("SELECT changes(), last_insert_rowid()").raw(true);
        countersStatements.set(db, stmt);
    }
    const [changes, rowid] = stmt.get();
    return { changes: Number(changes), lastInsertRowid: rowid };
}

/**
 * Runs one query on a connection and returns a Hrana StmtResult. Rows are always returned (sqld
 * ignores want_rows); affected_row_count counts only INSERT/UPDATE/DELETE and last_insert_rowid
 * is given only for INSERT, as in sqld. rows_read/rows_written are approximations (the JS engine
 * exposes no statement counters): rows returned, rows changed.
 */
function runQuery(db, query) {
    const started = performance.now();
    let prepared;
    try {
        prepared = db.prepare(query.statement.sql);
    } catch (err) {
        throw sqliteStmtError(err);
    }
    const cols = prepared.columns().map((c) => ({ name: c.name, decltype: c.type ?? null }));
    let rows = [];
    try {
        const values = bindArguments(query);
        if (prepared.reader) rows = prepared.raw(true).all(values);
        else prepared.run(values);
    } catch (err) {
        const error = sqliteStmtError(err);
        error.cols = cols;
        throw error;
    }
    const { statement } = query;
    const counters = statement.isIud ? connectionCounters(db) : null;
    const affected = counters ? counters.changes : 0;
    return {
        cols,
        rows: rows.map((row) => row.map(encodeValue)),
        affected_row_count: affected,
        last_insert_rowid: statement.isInsert ? counters.lastInsertRowid.toString() : null,
        replication_index: null,
        rows_read: rows.length,
        rows_written: affected,
        query_duration_ms: performance.now() - started,
    };
}

/** Whether the connection is outside any explicit transaction. */
const isAutocommit = (db) => !db.inTransaction;

// ---------------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------------

/** Checks a condition's step references and version, as sqld's proto_cond_to_cond. */
function checkCond(cond, stepIndex, version) {
    switch (cond.type) {
        case "ok":
        case "error":
            if (cond.step >= stepIndex) throw new ProtocolError("Invalid reference to step in a batch condition");
            break;
        case "not":
            checkCond(cond.cond, stepIndex, version);
            break;
        case "and":
        case "or":
            for (const c of cond.conds) checkCond(c, stepIndex, version);
            break;
        case "is_autocommit":
            if (version < 3) {
                throw new ProtocolError(
                    "BatchCond of type `is_autocommit` is only supported in protocol version hrana3 and higher");
            }
            break;
    }
}

/** Evaluates a condition; a skipped step counts as not ok (so `error` is true for it, as in sqld). */
function evalCond(cond, results, db) {
    switch (cond.type) {
        case "ok": return results[cond.step];
        case "error": return !results[cond.step];
        case "not": return !evalCond(cond.cond, results, db);
        case "and": return cond.conds.every((c) => evalCond(c, results, db));
        case "or": return cond.conds.some((c) => evalCond(c, results, db));
        case "is_autocommit": return isAutocommit(db);
    }
    throw new Error(`unknown condition ${cond.type}`);
}

/** Converts a batch to a program: every step parsed before anything runs. */
function batchToProgram(stream, batch, version) {
    return batch.steps.map((step, i) => {
        const query = stmtToQuery(stream, step.stmt);
        if (step.condition) checkCond(step.condition, i, version);
        return { query, condition: step.condition };
    });
}

/**
 * Runs a program; returns one outcome per step: {skipped: true}, {error: StmtError} or
 * {result: StmtResult}.
 */
function runProgram(db, program) {
    const results = [];
    return program.map((step) => {
        if (step.condition && !evalCond(step.condition, results, db)) {
            results.push(false);
            return { skipped: true };
        }
        try {
            const result = runQuery(db, step.query);
            results.push(true);
            return { result };
        } catch (err) {
            if (!(err instanceof StmtError)) throw err;
            results.push(false);
            return { error: err };
        }
    });
}

function batchResult(outcomes) {
    return {
        step_results: outcomes.map((o) => o.result ?? null),
        step_errors: outcomes.map((o) => (o.error ? o.error.toProto() : null)),
        replication_index: null,
    };
}

// ---------------------------------------------------------------------------------------------
// Pipeline requests
// ---------------------------------------------------------------------------------------------

function handleExecute(stream, request) {
    const db = streamDb(stream);
    return { type: "execute", result: runQuery(db, stmtToQuery(stream, request.stmt)) };
}

function handleBatch(stream, request, version) {
    const db = streamDb(stream);
    const program = batchToProgram(stream, request.batch, version);
    return { type: "batch", result: batchResult(runProgram(db, program)) };
}

/** Runs statements one after the other without arguments; the first error ends the sequence. */
function handleSequence(stream, request) {
    const db = streamDb(stream);
    const statements = parseSequence(resolveSql(stream, request));
    for (const statement of statements) runQuery(db, { statement, positional: [] });
    return { type: "sequence" };
}

/** Whether a statement would leave the database file untouched (sqlite3_stmt_readonly). */
function isReadonly(db, statement) {
    if (statement.isExplain || TRANSACTION_VERBS.has(statement.verb)) return true;
    const program = db.prepare(`EXPLAIN ${statement.sql}`).raw(true).all();
    return !program.some(([, opcode, , p2]) =>
        (opcode === "Transaction" && p2 !== 0n) || opcode === "Vacuum" || opcode === "JournalMode");
}

function handleDescribe(stream, request) {
    const db = streamDb(stream);
    const statements = splitStatements(resolveSql(stream, request));
    if (statements.length === 0) {
        throw new StmtError("SQL string does not contain any statement", "SQL_NO_STATEMENT");
    }
    if (statements.length > 1) {
        throw new StmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
    }
    const statement = analyzeStatement(statements[0]);
    let prepared;
    try {
        prepared = db.prepare(statement.sql);
    } catch (err) {
        throw sqliteStmtError(err);
    }
    const { count, names } = statement.params;
    return {
        type: "describe",
        result: {
            params: Array.from({ length: count }, (_, i) => ({ name: names[i + 1] })),
            cols: prepared.columns().map((c) => ({ name: c.name, decltype: c.type ?? null })),
            is_explain: statement.isExplain,
            is_readonly: isReadonly(db, statement),
        },
    };
}

function handleStoreSql(stream, request) {
    if (stream.sqls.has(request.sqlId)) throw new ProtocolError(`SQL text ${request.sqlId} already exists`);
    if (stream.sqls.size >= MAX_SQL_COUNT) {
        throw new StmtError(`The server already stores ${stream.sqls.size} SQL texts, it cannot store more`,
            "SQL_STORE_TOO_MANY");
    }
    const size = Buffer.byteLength(request.sql);
    if (size > MAX_STORED_SQL_BYTES) {
        throw new StmtError(`The statement is too large to be stored: ${size} B/${MAX_STORED_SQL_BYTES} B`,
            "SQL_STORE_TOO_LARGE");
    }
    stream.sqls.set(request.sqlId, request.sql);
    return { type: "store_sql" };
}

function handleGetAutocommit(stream, version) {
    if (version < 3) {
        throw new ProtocolError("The `get_autocommit` request is only supported in protocol version hrana3 and higher");
    }
    return { type: "get_autocommit", is_autocommit: isAutocommit(streamDb(stream)) };
}

/** Runs one pipeline request; returns its StreamResult. ProtocolErrors propagate. */
function handleStreamRequest(stream, request, version) {
    try {
        let response;
        switch (request.type) {
            case "close": closeConnection(stream); response = { type: "close" }; break;
            case "execute": response = handleExecute(stream, request); break;
            case "batch": response = handleBatch(stream, request, version); break;
            case "sequence": response = handleSequence(stream, request); break;
            case "describe": response = handleDescribe(stream, request); break;
            case "store_sql": response = handleStoreSql(stream, request); break;
            case "close_sql": stream.sqls.delete(request.sqlId); response = { type: "close_sql" }; break;
            case "get_autocommit": response = handleGetAutocommit(stream, version); break;
        }
        return { type: "ok", response };
    } catch (err) {
        if (err instanceof StmtError) return { type: "error", error: err.toProto() };
        throw err;
    }
}

// ---------------------------------------------------------------------------------------------
// Cursor (Hrana 3): the batch's results as newline-delimited JSON entries
// ---------------------------------------------------------------------------------------------

/** The entries sqld's cursor emits for one step's outcome. */
function cursorEntriesOfStep(outcome, step) {
    if (outcome.skipped) return [];
    if (outcome.error) {
        const begin = outcome.error.cols ? [{ type: "step_begin", step, cols: outcome.error.cols }] : [];
        return [...begin, { type: "step_error", step, error: outcome.error.toProto() }];
    }
    const { result } = outcome;
    return [
        { type: "step_begin", step, cols: result.cols },
        ...result.rows.map((row) => ({ type: "row", row })),
        // sqld sends this one's last_insert_rowid as a JSON number, not a string
        { type: "step_end", affected_row_count: result.affected_row_count,
          last_insert_rowid: result.last_insert_rowid === null ? null : BigInt(result.last_insert_rowid) },
    ];
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing: responses, JSON with exact big integers
// ---------------------------------------------------------------------------------------------

/** JSON.stringify that writes BigInts as bare JSON numbers, digit for digit. */
function stringifyJson(value) {
    const marker = `bigint-${crypto.randomBytes(6).toString("hex")}:`; // random: real text cannot match it by chance
    const text = JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? marker + v.toString() : v));
    return text.includes(marker) ? text.replace(new RegExp(`"${marker}(-?\\d+)"`, "g"), "$1") : text;
}

const textResponse = (status, text, headers = {}) =>
    ({ status, headers: { "Content-Type": "text/plain", ...headers }, text });
// axum's Json and sqld's encoder send exactly "application/json" (the official client compares it)
const jsonResponse = (status, json, headers = {}) =>
    ({ status, headers: { "Content-Type": "application/json", ...headers }, json });
const ndjsonResponse = (lines) => ({ status: 200, headers: { "Content-Type": "text/plain" }, lines });

/** Serialises a response description into its body bytes. */
function responseBody(response) {
    if (response.json !== undefined) return Buffer.from(stringifyJson(response.json));
    if (response.lines !== undefined) return Buffer.from(response.lines.map((l) => stringifyJson(l) + "\n").join(""));
    return Buffer.from(response.text ?? "");
}

/** Makes a response at least `size` bytes long while keeping it valid (an ignored member). */
function padResponse(response, size) {
    const missing = () => size - responseBody(response).length;
    if (response.json !== undefined && response.json !== null && typeof response.json === "object") {
        response.json = { ...response.json, padding: "" };
        response.json.padding = "x".repeat(Math.max(0, missing()));
    } else if (response.lines !== undefined && response.lines.length > 0) {
        response.lines[0] = { ...response.lines[0], padding: "" };
        response.lines[0].padding = "x".repeat(Math.max(0, missing()));
    } else {
        response.text = (response.text ?? "") + " ".repeat(Math.max(0, missing()));
    }
}

function sendResponse(res, response) {
    const body = responseBody(response);
    res.writeHead(response.status, { ...response.headers, "Content-Length": body.length });
    res.end(body);
}

/** Sends the headers (with the full Content-Length) and half the body, then drops the connection. */
function sendTruncated(res, response) {
    const body = responseBody(response);
    res.writeHead(response.status, { ...response.headers, "Content-Length": body.length });
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}

function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        req.on("data", (chunk) => chunks.push(chunk));
        req.on("end", () => resolve(Buffer.concat(chunks)));
        req.on("error", reject);
    });
}

function parseJsonOrNull(buffer) {
    if (buffer.length === 0) return null;
    try {
        return JSON.parse(buffer.toString("utf8"));
    } catch {
        return null;
    }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Faults and the request log (the test-suite controls of README.md)
// ---------------------------------------------------------------------------------------------

const FAULT_KEYS = new Set(["status", "retry_after", "delay_ms", "truncate", "invalid_json", "big_bytes",
    "close", "count", "path"]);

/** Validates one queued fault; returns an error message or null. */
function faultProblem(fault) {
    if (fault === null || typeof fault !== "object" || Array.isArray(fault)) return "a fault must be an object";
    const unknown = Object.keys(fault).filter((k) => !FAULT_KEYS.has(k));
    if (unknown.length > 0) return `unknown fault field(s): ${unknown.join(", ")}`;
    const kinds = ["status", "delay_ms", "truncate", "invalid_json", "big_bytes", "close"].filter((k) => k in fault);
    if (kinds.length === 0) return "a fault needs one of status, delay_ms, truncate, invalid_json, big_bytes, close";
    if ("status" in fault && !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)) {
        return "status must be an HTTP status code";
    }
    for (const key of ["retry_after", "delay_ms", "big_bytes", "count"]) {
        if (key in fault && !(Number.isInteger(fault[key]) && fault[key] >= 0)) return `${key} must be a non-negative integer`;
    }
    if ("path" in fault && typeof fault.path !== "string") return "path must be a string";
    return null;
}

/** sqld-like `{"error": …}` messages for injected error statuses. */
function faultErrorMessage(status) {
    switch (status) {
        case 401: return "Unauthorized: `The JWT is invalid`";
        case 403: return "Not authorized to execute query: `injected fault`";
        case 429: return "Too many concurrent requests";
        case 500: return "Internal Error: `injected fault`";
        case 503: return "Timed out while opening database connection";
        default: return `${http.STATUS_CODES[status] ?? "Error"} (injected fault)`;
    }
}

class Controls {
    constructor() {
        this.faults = [];
        this.requests = [];
    }

    /** Takes the first queued fault that applies to `path`, using up one of its `count`. */
    takeFault(path) {
        const index = this.faults.findIndex((f) => path.startsWith(f.path ?? ""));
        if (index < 0) return null;
        const fault = this.faults[index];
        fault.remaining = (fault.remaining ?? fault.count ?? 1) - 1;
        if (fault.remaining <= 0) this.faults.splice(index, 1);
        return fault;
    }

    log(req, path, body) {
        this.requests.push({ method: req.method, path, authorization: req.headers.authorization !== undefined, body });
    }

    /** Handles /__litehouse/faults and /__litehouse/requests. */
    handle(method, path, body) {
        if (path === "/__litehouse/faults") {
            if (method === "DELETE") { this.faults = []; return jsonResponse(200, { ok: true }); }
            if (method === "GET") return jsonResponse(200, { faults: this.faults });
            if (method === "POST") return this.queueFaults(body);
        } else if (path === "/__litehouse/requests") {
            if (method === "DELETE") { this.requests = []; return jsonResponse(200, { ok: true }); }
            if (method === "GET") return jsonResponse(200, { requests: this.requests });
        } else {
            return jsonResponse(404, { error: `no control endpoint ${path}` });
        }
        return jsonResponse(405, { error: `method ${method} not allowed on ${path}` });
    }

    queueFaults(body) {
        const faults = body?.faults;
        if (!Array.isArray(faults)) return jsonResponse(400, { error: 'expected {"faults": [FAULT, …]}' });
        for (const fault of faults) {
            const problem = faultProblem(fault);
            if (problem) return jsonResponse(400, { error: problem, fault });
        }
        this.faults.push(...faults.filter((f) => f.count !== 0).map((f) => ({ ...f })));
        return jsonResponse(200, { ok: true, queued: this.faults.length });
    }
}

// ---------------------------------------------------------------------------------------------
// The Hrana server
// ---------------------------------------------------------------------------------------------

const INDEX_TEXT = "Hello, this is HTTP API v2 (Hrana over HTTP)";
const REDIRECT_PREFIX = "/moved";

class HranaServer {
    constructor(opts) {
        this.opts = opts;
        this.streams = new StreamRegistry(opts.db, opts.streamExpiryMs);
        this.controls = new Controls();
        this.baseUrl = null; // set once the port is known, with --redirect
        this.http = http.createServer((req, res) => {
            this.onRequest(req, res).catch((err) => {
                process.stderr.write(`hrana-server: ${err.stack ?? err}\n`);
                if (!res.headersSent) sendResponse(res, textResponse(500, `Internal server error: ${err.message}`));
                else res.socket?.destroy();
            });
        });
    }

    listen() {
        return new Promise((resolve, reject) => {
            this.http.once("error", reject);
            this.http.listen(this.opts.port, "127.0.0.1", () => {
                const { port } = this.http.address();
                if (this.opts.redirect) this.baseUrl = `http://127.0.0.1:${port}${REDIRECT_PREFIX}/`;
                resolve(port);
            });
        });
    }

    close() {
        this.streams.closeAll();
        this.http.close();
        this.http.closeAllConnections?.();
    }

    async onRequest(req, res) {
        const path = new URL(req.url, "http://127.0.0.1").pathname;
        const body = await readBody(req);
        if (path.startsWith("/__litehouse/")) {
            sendResponse(res, this.controls.handle(req.method, path, parseJsonOrNull(body)));
            return;
        }
        this.controls.log(req, path, parseJsonOrNull(body));
        const fault = this.controls.takeFault(path);
        if (fault?.close) {
            req.socket.destroy();
            return;
        }
        let response;
        if (fault && "status" in fault) {
            const headers = "retry_after" in fault ? { "Retry-After": String(fault.retry_after) } : {};
            response = jsonResponse(fault.status, { error: faultErrorMessage(fault.status) }, headers);
        } else if (fault?.invalid_json) {
            response = { status: 200, headers: { "Content-Type": "application/json" }, text: '{"baton": <not JSON>' };
        } else {
            response = this.route(req, path, body);
            if (fault?.big_bytes) padResponse(response, fault.big_bytes);
        }
        if (fault?.delay_ms) await sleep(fault.delay_ms);
        if (fault?.truncate) sendTruncated(res, response);
        else sendResponse(res, response);
    }

    /** Answers a protocol request (synchronously: a pipeline runs start to end without yielding). */
    route(req, fullPath, body) {
        let path = fullPath;
        const redirected = this.opts.redirect &&
            (fullPath === REDIRECT_PREFIX || fullPath.startsWith(`${REDIRECT_PREFIX}/`));
        if (redirected) path = fullPath.slice(REDIRECT_PREFIX.length) || "/";
        const method = req.method;

        if (path === "/health") return method === "GET" ? textResponse(200, "") : textResponse(405, "");
        if (path === "/v2" || path === "/v3") return method === "GET" ? textResponse(200, INDEX_TEXT) : textResponse(405, "");
        const endpoint = { "/v2/pipeline": [2, "pipeline"], "/v3/pipeline": [3, "pipeline"], "/v3/cursor": [3, "cursor"] }[path];
        if (!endpoint) return textResponse(404, "");
        if (method !== "POST") return textResponse(405, "");

        const authFailure = this.checkAuth(req.headers.authorization);
        if (authFailure) return jsonResponse(401, { error: `Unauthorized: \`${authFailure}\`` });

        const [version, kind] = endpoint;
        try {
            const json = parseJsonBody(body);
            if (kind === "pipeline") return this.handlePipeline(parsePipelineBody(json), version, redirected);
            return this.handleCursor(parseCursorBody(json), version, redirected);
        } catch (err) {
            if (err instanceof ProtocolError) return textResponse(400, err.message);
            if (err instanceof StreamExpiredError) return jsonResponse(500, { message: err.message, code: err.code });
            throw err;
        }
    }

    /** Returns sqld's AuthError text when the request is not authorised, else null. */
    checkAuth(header) {
        if (this.opts.token === null) return null;
        if (header === undefined) return "The `Authorization` HTTP header is required but was not specified";
        const match = /^(\S+) +(.*)$/.exec(header);
        if (!match) return "The `Authorization` HTTP header has invalid value";
        if (match[1].toLowerCase() !== "bearer") {
            return "The authentication scheme in the `Authorization` HTTP header is not supported";
        }
        const given = Buffer.from(match[2].trim());
        const expected = Buffer.from(this.opts.token);
        const same = given.length === expected.length && crypto.timingSafeEqual(given, expected);
        return same ? null : "The JWT is invalid";
    }

    /** Opens the request's stream (new one for a null baton), enforcing base_url with --redirect. */
    openStream(baton, redirected) {
        if (baton === null) return this.streams.create();
        if (this.opts.redirect && !redirected) {
            throw new ProtocolError(`A request with a baton must be sent to base_url ${this.baseUrl}`);
        }
        return this.streams.acquire(baton);
    }

    handlePipeline(body, version, redirected) {
        const stream = this.openStream(body.baton, redirected);
        const results = [];
        try {
            for (const request of body.requests) results.push(handleStreamRequest(stream, request, version));
        } catch (err) {
            this.streams.discard(stream); // sqld drops the stream when a request fails the pipeline
            throw err;
        }
        const baton = this.streams.release(stream);
        return jsonResponse(200, { baton, base_url: this.baseUrl, results });
    }

    handleCursor(body, version, redirected) {
        const stream = this.openStream(body.baton, redirected);
        let lines;
        try {
            const db = streamDb(stream);
            let entries;
            try {
                const outcomes = runProgram(db, batchToProgram(stream, body.batch, version));
                entries = outcomes.flatMap(cursorEntriesOfStep);
            } catch (err) {
                if (!(err instanceof StmtError)) throw err;
                entries = [{ type: "error", error: err.toProto() }];
            }
            lines = [...entries, { type: "replication_index", replication_index: null }];
        } catch (err) {
            this.streams.discard(stream);
            throw err;
        }
        const baton = this.streams.release(stream);
        return ndjsonResponse([{ baton, base_url: this.baseUrl }, ...lines]);
    }
}

function parseJsonBody(body) {
    try {
        return JSON.parse(body.toString("utf8"));
    } catch (err) {
        throw jsonError(err.message);
    }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    new Database(opts.db).close(); // create the file now, and fail early if it cannot be opened
    const server = new HranaServer(opts);
    const port = await server.listen();

    let stopping = false;
    const stop = () => {
        if (stopping) return;
        stopping = true;
        server.close();
        process.exit(0);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    process.stdin.on("end", stop);
    process.stdin.on("close", stop);
    process.stdin.on("error", stop);
    process.stdin.resume();

    process.stdout.write(`PORT ${port}\n`);
}

main().catch((err) => {
    process.stderr.write(`hrana-server: ${err.stack ?? err}\n`);
    process.exit(1);
});
