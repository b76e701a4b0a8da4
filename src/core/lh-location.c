/* lh-location.c — a location's kind from its scheme (none: a file), and the open of its
 * backend: LhLocalConnection, LhD1Connection or LhLibsqlConnection. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lh-d1-connection.h"
#include "lh-error.h"
#include "lh-libsql-connection.h"
#include "lh-location.h"
#include "lh-secrets.h"

void
lh_location_free (LhLocation *location)
{
  if (location == NULL)
    return;
  g_free (location->path);
  g_free (location->account_id);
  g_free (location->database_id);
  g_free (location->url);
  g_free (location);
}

static gboolean
has_scheme (const char *text,
            const char *scheme)
{
  return g_ascii_strncasecmp (text, scheme, strlen (scheme)) == 0;
}

/* NULL, with a reason, for a d1:// without both parts or an address of another kind. */
LhLocation *
lh_location_parse (const char  *text,
                   GError     **error)
{
  g_autoptr(LhLocation) location = g_new0 (LhLocation, 1);

  g_return_val_if_fail (text != NULL, NULL);

  if (has_scheme (text, "d1://"))
    {
      g_auto(GStrv) parts = g_strsplit (text + 5, "/", -1);

      if (g_strv_length (parts) != 2 || *parts[0] == '\0' || *parts[1] == '\0')
        {
          g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                       _("“%s” is not a D1 database: write d1://ACCOUNT_ID/DATABASE_ID."), text);
          return NULL;
        }
      location->kind = LH_LOCATION_D1;
      location->account_id = g_strdup (parts[0]);
      location->database_id = g_strdup (parts[1]);
    }
  else if (has_scheme (text, "libsql://") || has_scheme (text, "https://") ||
           has_scheme (text, "http://"))
    {
      location->kind = LH_LOCATION_LIBSQL;
      location->url = lh_libsql_normalize_url (text, error);
      if (location->url == NULL)
        return NULL;
    }
  else if (strstr (text, "://") != NULL && !has_scheme (text, "file://"))
    {
      g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                   _("“%s” is neither a file, a d1:// database nor a libsql:// one."), text);
      return NULL;
    }
  else
    {
      location->kind = LH_LOCATION_FILE;
      location->path = g_strdup (text);
    }
  return g_steal_pointer (&location);
}

/* The environment variable the CLI takes the token from (NULL for a file). */
const char *
lh_location_get_token_variable (LhLocation *location)
{
  switch (location->kind)
    {
    case LH_LOCATION_D1:
      return "CLOUDFLARE_API_TOKEN";
    case LH_LOCATION_LIBSQL:
      return "LIBSQL_AUTH_TOKEN";
    case LH_LOCATION_FILE:
    default:
      return NULL;
    }
}

static void
token_found_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *token = lh_secrets_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, (GDestroyNotify) lh_secrets_free);
}

/* The token of a remote location, as a script finds it: in its environment variable
 * (lh_location_get_token_variable()), else in the Secret Service, where the app keeps the
 * tokens of the databases it connected to. NULL (and no error) when there is none, and
 * always for a file. */
void
lh_location_find_token_async (LhLocation          *location,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  const char *variable = lh_location_get_token_variable (location);
  const char *token = variable != NULL ? g_getenv (variable) : NULL;

  g_task_set_source_tag (task, lh_location_find_token_async);
  if (variable == NULL)
    g_task_return_pointer (task, NULL, NULL);
  else if (token != NULL && *token != '\0')
    g_task_return_pointer (task, g_strdup (token), (GDestroyNotify) lh_secrets_free);
  else if (location->kind == LH_LOCATION_D1)
    lh_secrets_lookup_async ("d1", location->account_id, location->database_id, cancellable,
                             token_found_cb, task);
  else
    lh_secrets_lookup_async ("libsql", location->url, "", cancellable, token_found_cb, task);
}

char *
lh_location_find_token_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LhLocation *location = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer connection = NULL;

  switch (location->kind)
    {
    case LH_LOCATION_D1:
      connection = lh_d1_connection_open_finish (result, &error);
      break;
    case LH_LOCATION_LIBSQL:
      connection = lh_libsql_connection_open_finish (result, &error);
      break;
    case LH_LOCATION_FILE:
    default:
      connection = lh_local_connection_open_finish (result, &error);
      break;
    }
  if (connection == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, connection, g_object_unref);
}

static LhLocation *
location_copy (LhLocation *location)
{
  LhLocation *copy = g_new0 (LhLocation, 1);

  copy->kind = location->kind;
  copy->path = g_strdup (location->path);
  copy->account_id = g_strdup (location->account_id);
  copy->database_id = g_strdup (location->database_id);
  copy->url = g_strdup (location->url);
  return copy;
}

/* Opens the database at location; token (or NULL) for a remote one, flags and the busy
 * timeout's default for a file. D1 answers at lh_d1_default_base_url(). */
void
lh_location_open_async (LhLocation          *location,
                        const char          *token,
                        LhLocalOpenFlags     flags,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lh_location_open_async);
  g_task_set_task_data (task, location_copy (location), (GDestroyNotify) lh_location_free);
  switch (location->kind)
    {
    case LH_LOCATION_D1:
      lh_d1_connection_open_async (NULL, location->account_id, location->database_id, token, NULL,
                                   cancellable, opened_cb, task);
      break;
    case LH_LOCATION_LIBSQL:
      lh_libsql_connection_open_async (location->url, token, NULL, cancellable, opened_cb, task);
      break;
    case LH_LOCATION_FILE:
    default:
      lh_local_connection_open_async (location->path, flags, LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS,
                                      cancellable, opened_cb, task);
      break;
    }
}

LhConnection *
lh_location_open_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
