/* test-secrets.c — tokens in a real Secret Service (gnome-keyring under its own D-Bus
 * session, started by tests/with-keyring.sh): stored, found by their attributes, replaced,
 * cleared, seen by secret-tool too, and found by litehouse-cli when its variable is unset;
 * with no Secret Service at all (a bus that does not exist), kept in memory only, and said
 * so. */
#include "config.h"

#include "lh-test-server.h"
#include "lh-test-util.h"

static char *
lookup (const char *kind,
        const char *location,
        const char *database)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  lh_secrets_lookup_async (kind, location, database, NULL, lh_test_store_result_cb, &result);
  token = lh_secrets_lookup_finish (lh_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return token;
}

static gboolean
store (const char *kind,
       const char *location,
       const char *database,
       const char *token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean in_memory = FALSE;

  lh_secrets_store_async (kind, location, database, "Litehouse test token", token, NULL,
                          lh_test_store_result_cb, &result);
  g_assert_true (lh_secrets_store_finish (lh_test_wait_for_result (&result), &in_memory, &error));
  g_assert_no_error (error);
  return in_memory;
}

static void
clear (const char *kind,
       const char *location,
       const char *database)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  lh_secrets_clear_async (kind, location, database, NULL, lh_test_store_result_cb, &result);
  g_assert_true (lh_secrets_clear_finish (lh_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
}

/* The round trip, whatever keeps the tokens. */
static void
check_round_trip (gboolean expect_in_memory)
{
  g_autofree char *found = NULL;
  g_autofree char *other = NULL;
  g_autofree char *replaced = NULL;
  g_autofree char *gone = NULL;

  g_assert_cmpint (store ("d1", "acc-1", "db-1", "token-one"), ==, expect_in_memory);
  g_assert_cmpint (store ("libsql", "https://db.example.com", "", "jwt-two"), ==, expect_in_memory);
  found = lookup ("d1", "acc-1", "db-1");
  g_assert_cmpstr (found, ==, "token-one");
  other = lookup ("d1", "acc-1", "db-2");
  g_assert_null (other);
  store ("d1", "acc-1", "db-1", "token-three");
  replaced = lookup ("d1", "acc-1", "db-1");
  g_assert_cmpstr (replaced, ==, "token-three");
  clear ("d1", "acc-1", "db-1");
  gone = lookup ("d1", "acc-1", "db-1");
  g_assert_null (gone);
  g_free (found);
  found = lookup ("libsql", "https://db.example.com", NULL);
  g_assert_cmpstr (found, ==, "jwt-two");
}

static void
test_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;

  if (g_getenv ("LH_IN_KEYRING_SESSION") == NULL)
    {
      g_test_skip ("needs tests/with-keyring.sh");
      return;
    }
  check_round_trip (FALSE);

  /* In the Secret Service for real: another program finds it by the same attributes. */
  g_spawn_command_line_sync ("secret-tool lookup kind libsql location https://db.example.com database ''",
                             &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "jwt-two");
}

/* litehouse-cli finds the token the app kept in the keyring when its variable is not set,
 * and never prints it. */
static void
test_cli_token (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  LhTestServer *server;
  int status = 0;
  const char *argv[] = { g_getenv ("LITEHOUSE_CLI"), "query", "d1://acc-cli/db-cli",
                         "SELECT 40 + 2 AS answer", NULL };

  if (g_getenv ("LH_IN_KEYRING_SESSION") == NULL)
    {
      g_test_skip ("needs tests/with-keyring.sh");
      return;
    }
  dir = lh_test_make_dir ();
  server = lh_test_server_start ("d1-server.mjs", "--state", dir, "--token", "kept-token-77",
                                 "--account", "acc-cli", "--database", "notes=db-cli", NULL);
  base = lh_test_server_url (server, "/client/v4");
  g_setenv ("CLOUDFLARE_API_BASE_URL", base, TRUE);
  g_unsetenv ("CLOUDFLARE_API_TOKEN");
  g_assert_false (store ("d1", "acc-cli", "db-cli", "kept-token-77"));

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "42"));
  g_assert_null (strstr (out, "kept-token-77"));

  clear ("d1", "acc-cli", "db-cli");
  lh_test_server_stop (server);
  lh_test_remove_dir (dir);
  g_unsetenv ("CLOUDFLARE_API_BASE_URL");
}

static void
test_no_service (void)
{
  if (g_getenv ("LH_IN_KEYRING_SESSION") != NULL)
    {
      g_test_skip ("runs without a Secret Service");
      return;
    }
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/litehouse-bus", TRUE);
  check_round_trip (TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/secrets/keyring/round-trip", test_keyring);
  g_test_add_func ("/secrets/keyring/cli-token", test_cli_token);
  g_test_add_func ("/secrets/no-service", test_no_service);
  return g_test_run ();
}
