/* lh-test-locker.c — a second process for the tests: opens DB, starts a write transaction
 * (BEGIN IMMEDIATE or EXCLUSIVE), writes, prints "locked" and holds the lock until its
 * standard input closes, then rolls back. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

int
main (int    argc,
      char **argv)
{
  sqlite3 *db = NULL;
  char begin[64];
  char *message = NULL;

  if (argc != 3 || (strcmp (argv[2], "immediate") != 0 && strcmp (argv[2], "exclusive") != 0))
    {
      fprintf (stderr, "usage: lh-test-locker DB immediate|exclusive\n");
      return 2;
    }
  snprintf (begin, sizeof begin, "BEGIN %s; CREATE TABLE lh_locker_probe (x);", argv[2]);
  if (sqlite3_open (argv[1], &db) != SQLITE_OK ||
      sqlite3_exec (db, begin, NULL, NULL, &message) != SQLITE_OK)
    {
      fprintf (stderr, "lh-test-locker: %s\n", message != NULL ? message : sqlite3_errmsg (db));
      return 1;
    }
  printf ("locked\n");
  fflush (stdout);

  while (getchar () != EOF)
    ;

  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (db);
  return 0;
}
