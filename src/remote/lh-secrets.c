/* lh-secrets.c — libsecret's password API with the schema org.litehouse.Litehouse.Token;
 * when the Secret Service cannot be reached (no session bus, no keyring daemon), tokens
 * go to a table in memory instead, for as long as the process runs. */
#include "config.h"

#include <libsecret/secret.h>

#include "lh-secrets.h"

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "org.litehouse.Litehouse.Token", SECRET_SCHEMA_NONE,
    {
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "location", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "database", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

typedef struct
{
  char *kind;
  char *location;
  char *database;
  char *token;
} Entry;

/* Tokens kept in memory where the Secret Service is not there (main thread only). */
static GHashTable *memory;

static char *
memory_key (const Entry *entry)
{
  return g_strjoin ("\x1f", entry->kind, entry->location, entry->database, NULL);
}

static GHashTable *
get_memory (void)
{
  if (memory == NULL)
    memory = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) lh_secrets_free);
  return memory;
}

/* Errors that mean no Secret Service is there, as opposed to one that refused. */
static gboolean
is_unavailable (const GError *error)
{
  return error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR ||
         error->domain == G_SPAWN_ERROR;
}

/* Frees a token, wiping it first. */
void
lh_secrets_free (char *token)
{
  if (token == NULL)
    return;
  memset (token, 0, strlen (token));
  g_free (token);
}

static void
entry_free (Entry *entry)
{
  g_free (entry->kind);
  g_free (entry->location);
  g_free (entry->database);
  lh_secrets_free (entry->token);
  g_free (entry);
}

static Entry *
entry_new (const char *kind,
           const char *location,
           const char *database,
           const char *token)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->kind = g_strdup (kind);
  entry->location = g_strdup (location);
  entry->database = g_strdup (database != NULL ? database : "");
  entry->token = g_strdup (token);
  return entry;
}

/* Store */

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Entry *entry = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  g_autofree char *key = memory_key (entry);

  if (secret_password_store_finish (result, &error))
    {
      g_hash_table_remove (get_memory (), key);
      g_task_return_int (task, FALSE);
      return;
    }
  if (!is_unavailable (error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("No Secret Service (%s): the token stays in memory", error->message);
  g_hash_table_replace (get_memory (), g_steal_pointer (&key), g_strdup (entry->token));
  g_task_return_int (task, TRUE);
}

/* Keeps token for (kind, location, database) under label (shown by keyring managers). */
void
lh_secrets_store_async (const char          *kind,
                        const char          *location,
                        const char          *database,
                        const char          *label,
                        const char          *token,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Entry *entry = entry_new (kind, location, database, token);

  g_task_set_source_tag (task, lh_secrets_store_async);
  g_task_set_task_data (task, entry, (GDestroyNotify) entry_free);
  secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, token, cancellable,
                         stored_cb, task,
                         "kind", entry->kind, "location", entry->location,
                         "database", entry->database, NULL);
}

/* *kept_in_memory tells that no Secret Service was there: the token lasts until exit. */
gboolean
lh_secrets_store_finish (GAsyncResult  *result,
                         gboolean      *kept_in_memory,
                         GError       **error)
{
  GError *local_error = NULL;
  gssize in_memory;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  in_memory = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (kept_in_memory != NULL)
    *kept_in_memory = in_memory != 0;
  return TRUE;
}

/* Lookup */

static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Entry *entry = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *key = memory_key (entry);
  char *token = secret_password_lookup_finish (result, &error);

  if (token != NULL)
    {
      g_task_return_pointer (task, g_strdup (token), (GDestroyNotify) lh_secrets_free);
      secret_password_free (token);
      return;
    }
  if (error != NULL && !is_unavailable (error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_strdup (g_hash_table_lookup (get_memory (), key)),
                         (GDestroyNotify) lh_secrets_free);
}

void
lh_secrets_lookup_async (const char          *kind,
                         const char          *location,
                         const char          *database,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Entry *entry = entry_new (kind, location, database, NULL);

  g_task_set_source_tag (task, lh_secrets_lookup_async);
  g_task_set_task_data (task, entry, (GDestroyNotify) entry_free);
  secret_password_lookup (token_schema (), cancellable, looked_up_cb, task,
                          "kind", entry->kind, "location", entry->location,
                          "database", entry->database, NULL);
}

/* The token (free it with lh_secrets_free()), or NULL without an error when none is kept. */
char *
lh_secrets_lookup_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Clear */

static void
cleared_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Entry *entry = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *key = memory_key (entry);

  secret_password_clear_finish (result, &error);
  g_hash_table_remove (get_memory (), key);
  if (error != NULL && !is_unavailable (error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
lh_secrets_clear_async (const char          *kind,
                        const char          *location,
                        const char          *database,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Entry *entry = entry_new (kind, location, database, NULL);

  g_task_set_source_tag (task, lh_secrets_clear_async);
  g_task_set_task_data (task, entry, (GDestroyNotify) entry_free);
  secret_password_clear (token_schema (), cancellable, cleared_cb, task,
                         "kind", entry->kind, "location", entry->location,
                         "database", entry->database, NULL);
}

gboolean
lh_secrets_clear_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
