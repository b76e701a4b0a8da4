/* lh-make-bench-db.c — makes the benchmark database: an issue tracker with a `tasks` table
 * of five million rows (titles and descriptions of realistic length, integers, NULLs in
 * assignee_id, description and completed_at, timestamps, an index on updated_at for
 * sorting) and the small `users`, `projects` and `labels` tables it refers to, about 1 GB
 * in all. The values come from a fixed-seed generator, so every run makes the same file;
 * it is written in one transaction with the journal and syncs off and the index built at
 * the end, which takes a minute or two rather than hours. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_TASKS 5000000
#define N_USERS       2000
#define N_PROJECTS    150
#define N_LABELS      24
#define SEED          0x6c69746568ULL

/* 2016-01-01 00:00:00 UTC, and ten years of tasks after it. */
#define EPOCH_START   1451606400LL
#define SPAN_SECONDS  (10LL * 365 * 24 * 3600)

#define N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))

static const char *const verbs[] = {
  "Fix", "Add", "Remove", "Refactor", "Document", "Investigate", "Speed up", "Test",
  "Migrate", "Rename", "Clean up", "Review", "Update", "Support", "Replace", "Split",
};

static const char *const adjectives[] = {
  "flaky", "slow", "missing", "broken", "duplicate", "stale", "legacy", "optional",
  "nested", "empty", "localized", "cached", "async", "default", "unused", "invalid",
};

static const char *const nouns[] = {
  "login form", "export button", "search index", "billing report", "password reset",
  "upload dialog", "settings page", "email template", "API token", "date picker",
  "dark theme", "invoice PDF", "audit log", "user avatar", "sidebar menu", "error toast",
  "rate limiter", "webhook retry", "CSV import", "session timeout",
};

static const char *const components[] = {
  "the web app", "the mobile client", "the admin console", "the billing service",
  "the sync daemon", "the public API", "the onboarding flow", "the reports module",
};

static const char *const sentences[] = {
  "Steps to reproduce are in the linked thread.",
  "Happens only on the first load after a restart.",
  "Customers on the enterprise plan reported it twice this week.",
  "The fix should keep the old behaviour behind a setting.",
  "See the stack trace attached to the support ticket.",
  "We need a test that fails without the change.",
  "Blocked until the design review is done.",
  "The logs show a timeout after thirty seconds.",
  "Check the translations before merging.",
  "Low risk, but it touches the payment path.",
  "Works in Firefox, fails in Safari.",
  "Agreed in the planning meeting to ship it with the next release.",
};

/* A task's status by a draw from 0 to 9: four in ten are done. */
static const char *const statuses[] = {
  "open", "open", "in progress", "in progress", "review", "blocked",
  "done", "done", "done", "done",
};

#define FIRST_DONE 6

static const char *const first_names[] = {
  "Ada", "Ben", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
  "Kofi", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tariq",
};

static const char *const last_names[] = {
  "Lovelace", "Okafor", "Martin", "Ivanov", "Garcia", "Haddad", "Hopper", "Tanaka",
  "Silva", "Berg", "Mensah", "Novak", "Rossi", "Khan", "Dubois", "Larsen", "Sato",
};

static uint64_t rng_state = SEED;

/* splitmix64: small, fast and the same on every platform. */
static uint64_t
next_random (void)
{
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static unsigned
below (unsigned n)
{
  return (unsigned) (next_random () % n);
}

static void
format_time (char      *buffer,
             size_t     size,
             long long  seconds)
{
  time_t t = (time_t) seconds;

  strftime (buffer, size, "%Y-%m-%d %H:%M:%S", gmtime (&t));
}

static void
die (sqlite3    *db,
     const char *what)
{
  fprintf (stderr, "lh-make-bench-db: %s: %s\n", what, sqlite3_errmsg (db));
  exit (1);
}

static void
exec (sqlite3    *db,
      const char *sql)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    die (db, sql);
}

static sqlite3_stmt *
prepare (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    die (db, sql);
  return stmt;
}

static void
step_and_reset (sqlite3      *db,
                sqlite3_stmt *stmt)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    die (db, "insert");
  sqlite3_reset (stmt);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static void
create_schema (sqlite3 *db)
{
  exec (db,
        "CREATE TABLE users ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL,"
        "  email TEXT NOT NULL UNIQUE,"
        "  created_at TEXT NOT NULL);"
        "CREATE TABLE projects ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL,"
        "  owner_id INTEGER REFERENCES users (id),"
        "  created_at TEXT NOT NULL);"
        "CREATE TABLE labels ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  color TEXT NOT NULL);"
        "CREATE TABLE tasks ("
        "  id INTEGER PRIMARY KEY,"
        "  project_id INTEGER NOT NULL REFERENCES projects (id),"
        "  assignee_id INTEGER REFERENCES users (id),"
        "  label_id INTEGER REFERENCES labels (id),"
        "  title TEXT NOT NULL,"
        "  description TEXT,"
        "  status TEXT NOT NULL,"
        "  priority INTEGER NOT NULL,"
        "  estimate_minutes INTEGER,"
        "  created_at TEXT NOT NULL,"
        "  updated_at TEXT NOT NULL,"
        "  completed_at TEXT);");
}

static void
fill_small_tables (sqlite3 *db)
{
  sqlite3_stmt *user = prepare (db, "INSERT INTO users VALUES (?, ?, ?, ?)");
  sqlite3_stmt *project = prepare (db, "INSERT INTO projects VALUES (?, ?, ?, ?)");
  sqlite3_stmt *label = prepare (db, "INSERT INTO labels VALUES (?, ?, ?)");
  char text[128];
  char when[32];

  for (int i = 1; i <= N_USERS; i++)
    {
      const char *first = first_names[below (N_ELEMENTS (first_names))];
      const char *last = last_names[below (N_ELEMENTS (last_names))];

      sqlite3_bind_int (user, 1, i);
      snprintf (text, sizeof text, "%s %s", first, last);
      bind_text (user, 2, text);
      snprintf (text, sizeof text, "%s.%s.%d@example.org", first, last, i);
      bind_text (user, 3, text);
      format_time (when, sizeof when, EPOCH_START - (long long) below (1000) * 86400);
      bind_text (user, 4, when);
      step_and_reset (db, user);
    }
  for (int i = 1; i <= N_PROJECTS; i++)
    {
      sqlite3_bind_int (project, 1, i);
      snprintf (text, sizeof text, "%s %s %d", adjectives[below (N_ELEMENTS (adjectives))],
                nouns[below (N_ELEMENTS (nouns))], i);
      bind_text (project, 2, text);
      sqlite3_bind_int (project, 3, 1 + (int) below (N_USERS));
      format_time (when, sizeof when, EPOCH_START + (long long) below (300) * 86400);
      bind_text (project, 4, when);
      step_and_reset (db, project);
    }
  for (int i = 1; i <= N_LABELS; i++)
    {
      sqlite3_bind_int (label, 1, i);
      snprintf (text, sizeof text, "%s-%d", adjectives[(i - 1) % N_ELEMENTS (adjectives)], i);
      bind_text (label, 2, text);
      snprintf (text, sizeof text, "#%06x", (unsigned) (next_random () & 0xffffff));
      bind_text (label, 3, text);
      step_and_reset (db, label);
    }
  sqlite3_finalize (user);
  sqlite3_finalize (project);
  sqlite3_finalize (label);
}

/* One to three sentences; some tasks have none (NULL). */
static void
bind_description (sqlite3_stmt *stmt,
                  int           index)
{
  char text[512];
  size_t length = 0;
  unsigned n = below (4);

  if (n == 0)
    {
      sqlite3_bind_null (stmt, index);
      return;
    }
  text[0] = '\0';
  for (unsigned i = 0; i < n; i++)
    {
      const char *sentence = sentences[below (N_ELEMENTS (sentences))];

      length += (size_t) snprintf (text + length, sizeof text - length, "%s%s",
                                   i > 0 ? " " : "", sentence);
    }
  bind_text (stmt, index, text);
}

/* Tasks are created in id order over ten years; they are updated up to a year later,
 * so updated_at order is not id order. Two in five are done and have completed_at. */
static void
fill_tasks (sqlite3 *db,
            long     n_tasks)
{
  sqlite3_stmt *task = prepare (db, "INSERT INTO tasks VALUES "
                                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  char title[160];
  char when[32];

  for (long i = 1; i <= n_tasks; i++)
    {
      long long created = EPOCH_START + SPAN_SECONDS * (i - 1) / n_tasks + below (3600);
      long long updated = created + below (365 * 86400);
      unsigned status = below (N_ELEMENTS (statuses));

      sqlite3_bind_int64 (task, 1, i);
      sqlite3_bind_int (task, 2, 1 + (int) below (N_PROJECTS));
      if (below (6) == 0)
        sqlite3_bind_null (task, 3);
      else
        sqlite3_bind_int (task, 3, 1 + (int) below (N_USERS));
      if (below (3) == 0)
        sqlite3_bind_null (task, 4);
      else
        sqlite3_bind_int (task, 4, 1 + (int) below (N_LABELS));
      snprintf (title, sizeof title, "%s %s %s in %s", verbs[below (N_ELEMENTS (verbs))],
                adjectives[below (N_ELEMENTS (adjectives))], nouns[below (N_ELEMENTS (nouns))],
                components[below (N_ELEMENTS (components))]);
      bind_text (task, 5, title);
      bind_description (task, 6);
      bind_text (task, 7, statuses[status]);
      sqlite3_bind_int (task, 8, 1 + (int) below (4));
      if (below (5) == 0)
        sqlite3_bind_null (task, 9);
      else
        sqlite3_bind_int (task, 9, 15 * (1 + (int) below (64)));
      format_time (when, sizeof when, created);
      bind_text (task, 10, when);
      format_time (when, sizeof when, updated);
      bind_text (task, 11, when);
      if (status >= FIRST_DONE)
        {
          format_time (when, sizeof when, updated);
          bind_text (task, 12, when);
        }
      else
        sqlite3_bind_null (task, 12);
      step_and_reset (db, task);
      if (i % 1000000 == 0)
        fprintf (stderr, "lh-make-bench-db: %ld tasks\n", i);
    }
  sqlite3_finalize (task);
}

int
main (int    argc,
      char **argv)
{
  sqlite3 *db = NULL;
  long n_tasks = argc == 3 ? strtol (argv[2], NULL, 10) : DEFAULT_TASKS;
  FILE *existing;

  if (argc < 2 || argc > 3 || n_tasks <= 0)
    {
      fprintf (stderr, "usage: lh-make-bench-db NEW-DB [N-TASKS]\n");
      return 2;
    }
  /* Appending to an old file would make a different database. */
  if ((existing = fopen (argv[1], "rb")) != NULL)
    {
      fclose (existing);
      fprintf (stderr, "lh-make-bench-db: %s exists already\n", argv[1]);
      return 1;
    }
  if (sqlite3_open (argv[1], &db) != SQLITE_OK)
    die (db, argv[1]);

  exec (db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
            "PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -262144;");
  exec (db, "BEGIN");
  create_schema (db);
  fill_small_tables (db);
  fill_tasks (db, n_tasks);
  exec (db, "CREATE INDEX tasks_updated_at ON tasks (updated_at)");
  exec (db, "COMMIT");

  if (sqlite3_close (db) != SQLITE_OK)
    die (db, "close");
  return 0;
}
