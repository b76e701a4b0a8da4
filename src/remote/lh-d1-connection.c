/* lh-d1-connection.c — LhD1Connection: JSON bodies {"sql", "params"} or {"batch": […]}
 * to /raw, answers in Cloudflare's envelope {success, errors[], result[]} whose results
 * are {columns, rows}. D1 takes no BEGIN from this API: an edit set is one batch, which
 * D1 runs as a unit; each statement that must change a number of rows is followed by a
 * guard statement that fails (and so undoes the whole batch) when it did not. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lh-d1-connection-private.h"
#include "lh-error.h"
#include "lh-hrana.h"
#include "lh-offset-cursor.h"
#include "lh-script.h"

/* D1's code for an error of the SQL itself. */
#define D1_SQL_ERROR_CODE 7500

/* The guard's failure, recognised in D1's message. */
#define GUARD_MARK "litehouse-changes-check"

struct _LhD1Connection
{
  GObject parent_instance;

  /* owned */
  LhHttpClient *http;
  char         *base_url;
  char         *account_id;
  char         *database_id;
  char         *token;
  char         *title;
  char         *location;
};

static void lh_d1_connection_iface_init (LhConnectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LhD1Connection, lh_d1_connection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LH_TYPE_CONNECTION,
                                                      lh_d1_connection_iface_init))

static void
lh_d1_connection_finalize (GObject *object)
{
  LhD1Connection *self = LH_D1_CONNECTION (object);

  g_clear_object (&self->http);
  g_free (self->base_url);
  g_free (self->account_id);
  g_free (self->database_id);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->title);
  g_free (self->location);
  G_OBJECT_CLASS (lh_d1_connection_parent_class)->finalize (object);
}

static void
lh_d1_connection_class_init (LhD1ConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_d1_connection_finalize;
}

static void
lh_d1_connection_init (LhD1Connection *self)
{
}

void
lh_d1_database_free (LhD1Database *database)
{
  if (database == NULL)
    return;
  g_free (database->uuid);
  g_free (database->name);
  g_free (database);
}

/* Cloudflare's API, or where CLOUDFLARE_API_BASE_URL points (as wrangler reads it). */
const char *
lh_d1_default_base_url (void)
{
  const char *base = g_getenv ("CLOUDFLARE_API_BASE_URL");

  return base != NULL && *base != '\0' ? base : LH_D1_DEFAULT_BASE_URL;
}

static char *
trimmed_base (const char *base_url)
{
  char *base = g_strdup (base_url != NULL ? base_url : lh_d1_default_base_url ());

  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  return base;
}

/* Envelopes */

/* The envelope's first error, "message (code N)", or NULL. */
static char *
dup_envelope_error (JsonObject *envelope,
                    gint64     *code)
{
  JsonArray *errors = envelope != NULL && json_object_has_member (envelope, "errors") &&
                      JSON_NODE_HOLDS_ARRAY (json_object_get_member (envelope, "errors"))
    ? json_object_get_array_member (envelope, "errors") : NULL;
  JsonObject *first = errors != NULL && json_array_get_length (errors) > 0
    ? json_array_get_object_element (errors, 0) : NULL;

  if (first == NULL)
    return NULL;
  if (code != NULL)
    *code = json_object_get_int_member_with_default (first, "code", 0);
  return g_strdup (json_object_get_string_member_with_default (first, "message", NULL));
}

/* The parsed envelope of response, or the error it stands for. sql (or NULL) is what an
 * SQL error points into. */
static JsonNode *
read_envelope (LhHttpResponse  *response,
               const char      *sql,
               GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data = g_bytes_get_data (response->body, &size);
  JsonObject *envelope = NULL;
  g_autofree char *message = NULL;
  gint64 code = 0;

  if (json_parser_load_from_data (parser, data, size, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    envelope = json_node_get_object (json_parser_get_root (parser));
  else if (response->status >= 200 && response->status < 300)
    {
      g_set_error_literal (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                           _("The server’s answer is not valid JSON: it may have been cut off, "
                             "or this is not Cloudflare’s API."));
      return NULL;
    }

  message = dup_envelope_error (envelope, &code);
  if (response->status == 400 && (code == D1_SQL_ERROR_CODE || (message != NULL && g_str_has_prefix (message, "D1_"))))
    {
      g_propagate_error (error, lh_connection_error_new_sql (
                                  message != NULL && strstr (message, "constraint failed") != NULL
                                    ? LH_CONNECTION_ERROR_CONSTRAINT : LH_CONNECTION_ERROR_SQL,
                                  lh_sql_error_offset (sql, message), "%s", message));
      return NULL;
    }
  if (response->status < 200 || response->status >= 300)
    {
      g_propagate_error (error, lh_http_status_error (response, message));
      return NULL;
    }
  if (!json_object_get_boolean_member_with_default (envelope, "success", FALSE))
    {
      g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                   _("D1 refused the request: %s"), message != NULL ? message : _("no reason given"));
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

/* Values */

static void
add_param (JsonBuilder   *builder,
           const LhValue *value)
{
  switch (value->kind)
    {
    case LH_VALUE_INTEGER:
      json_builder_add_int_value (builder, value->v.integer);
      break;
    case LH_VALUE_REAL:
      json_builder_add_double_value (builder, value->v.real);
      break;
    case LH_VALUE_TEXT:
      {
        g_autofree char *text = g_utf8_make_valid (value->v.text.data, value->v.text.length);

        json_builder_add_string_value (builder, text);
      }
      break;
    case LH_VALUE_BLOB:
      {
        gsize size;
        const guint8 *data = g_bytes_get_data (value->v.blob, &size);

        json_builder_begin_array (builder);
        for (gsize i = 0; i < size; i++)
          json_builder_add_int_value (builder, data[i]);
        json_builder_end_array (builder);
      }
      break;
    case LH_VALUE_NULL:
    default:
      json_builder_add_null_value (builder);
      break;
    }
}

static void
add_query (JsonBuilder *builder,
           const char  *sql,
           GPtrArray   *params)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sql");
  json_builder_add_string_value (builder, sql);
  json_builder_set_member_name (builder, "params");
  json_builder_begin_array (builder);
  for (guint i = 0; params != NULL && i < params->len; i++)
    add_param (builder, g_ptr_array_index (params, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* A value of a row as D1 gives it: JSON's own types, blobs as arrays of bytes. D1 cannot
 * tell 2.0 from 2: a real with no fraction comes back as an integer. */
static void
read_value (JsonNode *node,
            LhValue  *value)
{
  memset (value, 0, sizeof *value);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    value->kind = LH_VALUE_NULL;
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *bytes = json_node_get_array (node);
      guint n = json_array_get_length (bytes);
      guint8 *data = g_malloc (MAX (n, 1));

      for (guint i = 0; i < n; i++)
        data[i] = (guint8) json_array_get_int_element (bytes, i);
      value->kind = LH_VALUE_BLOB;
      value->v.blob = g_bytes_new_take (data, n);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      value->kind = LH_VALUE_INTEGER;
      value->v.integer = json_node_get_int (node);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      value->kind = LH_VALUE_REAL;
      value->v.real = json_node_get_double (node);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      value->kind = LH_VALUE_INTEGER;
      value->v.integer = json_node_get_boolean (node);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);

      value->kind = LH_VALUE_TEXT;
      value->v.text.length = strlen (text);
      value->v.text.data = g_strndup (text, value->v.text.length);
    }
  else
    {
      /* An object: D1 has none; shown as its JSON text rather than lost. */
      g_autofree char *text = json_to_string (node, FALSE);

      value->kind = LH_VALUE_TEXT;
      value->v.text.length = strlen (text);
      value->v.text.data = g_steal_pointer (&text);
    }
}

/* One statement's entry of a /raw answer as a result set. */
static LhResultSet *
read_raw_result (JsonObject  *entry,
                 guint        max_rows,
                 GError     **error)
{
  JsonObject *results = json_object_has_member (entry, "results") &&
                        JSON_NODE_HOLDS_OBJECT (json_object_get_member (entry, "results"))
    ? json_object_get_object_member (entry, "results") : NULL;
  JsonObject *meta = json_object_has_member (entry, "meta") &&
                     JSON_NODE_HOLDS_OBJECT (json_object_get_member (entry, "meta"))
    ? json_object_get_object_member (entry, "meta") : NULL;
  JsonArray *columns = results != NULL && json_object_has_member (results, "columns")
    ? json_object_get_array_member (results, "columns") : NULL;
  JsonArray *rows = results != NULL && json_object_has_member (results, "rows")
    ? json_object_get_array_member (results, "rows") : NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(LhResultSet) set = NULL;
  g_autofree LhValue *row = NULL;
  guint n_columns = columns != NULL ? json_array_get_length (columns) : 0;

  for (guint c = 0; c < n_columns; c++)
    {
      const char *name = json_array_get_string_element (columns, c);

      g_ptr_array_add (names, (gpointer) (name != NULL ? name : ""));
    }
  g_ptr_array_add (names, NULL);
  set = lh_result_set_new ((const char * const *) names->pdata, NULL);
  row = g_new0 (LhValue, MAX (n_columns, 1));
  for (guint r = 0; rows != NULL && r < json_array_get_length (rows); r++)
    {
      JsonArray *values = json_array_get_array_element (rows, r);

      if (max_rows > 0 && r == max_rows)
        {
          lh_result_set_set_truncated (set, TRUE);
          break;
        }
      if (values == NULL || json_array_get_length (values) != n_columns)
        {
          g_set_error_literal (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                               _("The server’s answer has a row with the wrong number of values."));
          return NULL;
        }
      for (guint c = 0; c < n_columns; c++)
        read_value (json_array_get_element (values, c), &row[c]);
      lh_result_set_append_row (set, row);
    }
  if (meta != NULL)
    {
      lh_result_set_set_changes (set, json_object_get_int_member_with_default (meta, "changes", 0),
                                 json_object_get_int_member_with_default (meta, "last_row_id", 0));
      lh_result_set_set_elapsed (set, (gint64) (json_object_get_double_member_with_default (meta, "duration", 0) * 1000));
    }
  return g_steal_pointer (&set);
}

/* The envelope of the answer to a request made with callback's result, or the error. */
static JsonNode *
finish_envelope (GObject       *source,
                 GAsyncResult  *result,
                 const char    *sql,
                 GError       **error)
{
  g_autoptr(LhHttpResponse) response = lh_http_client_request_finish (LH_HTTP_CLIENT (source),
                                                                      result, error);

  return response != NULL ? read_envelope (response, sql, error) : NULL;
}

static JsonArray *
envelope_results (JsonNode  *root,
                  guint      expected,
                  GError   **error)
{
  JsonObject *envelope = json_node_get_object (root);
  JsonArray *results = json_object_has_member (envelope, "result") &&
                       JSON_NODE_HOLDS_ARRAY (json_object_get_member (envelope, "result"))
    ? json_object_get_array_member (envelope, "result") : NULL;

  if (results == NULL || json_array_get_length (results) < expected)
    {
      g_set_error_literal (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                           _("The server’s answer is missing results."));
      return NULL;
    }
  return results;
}

/* Requests */

typedef struct
{
  char      *sql;         /* for an error's position; NULL for a batch */
  char      *sent_sql;    /* sql, or wrapped to read only its first rows */
  GPtrArray *params;
  GPtrArray *statements;  /* a batch's LhBatchStatement */
  GArray    *guarded;     /* per batch statement: index of its entry in the request */
  guint      max_rows;
} Call;

static void
call_free (Call *call)
{
  g_free (call->sql);
  g_free (call->sent_sql);
  g_clear_pointer (&call->params, g_ptr_array_unref);
  g_clear_pointer (&call->statements, g_ptr_array_unref);
  g_clear_pointer (&call->guarded, g_array_unref);
  g_free (call);
}

static char *
database_url (LhD1Connection *self,
              const char     *suffix)
{
  g_autofree char *account = g_uri_escape_string (self->account_id, NULL, FALSE);
  g_autofree char *database = g_uri_escape_string (self->database_id, NULL, FALSE);

  return g_strdup_printf ("%s/accounts/%s/d1/database/%s%s", self->base_url, account, database, suffix);
}

LhHttpClient *
lh_d1_connection_get_http (LhD1Connection *self)
{
  return self->http;
}

const char *
lh_d1_connection_get_token (LhD1Connection *self)
{
  return self->token;
}

char *
lh_d1_connection_dup_url (LhD1Connection *self,
                          const char     *suffix)
{
  return database_url (self, suffix);
}

JsonNode *
lh_d1_read_envelope (LhHttpResponse  *response,
                     const char      *sql,
                     GError         **error)
{
  return read_envelope (response, sql, error);
}

static void
post_raw (LhD1Connection      *self,
          JsonBuilder         *builder,
          LhHttpFlags          flags,
          GTask               *task,
          GAsyncReadyCallback  callback)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *url = database_url (self, "/raw");
  char *body = json_to_string (root, FALSE);
  gsize length = strlen (body);
  g_autoptr(GBytes) bytes = g_bytes_new_take (body, length);

  lh_http_client_request_async (self->http, "POST", url, self->token, bytes, flags,
                                g_task_get_cancellable (task), callback, task);
}

static void
execute_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  JsonArray *results;
  LhResultSet *set;

  root = finish_envelope (source, result, call->sql, &error);
  if (root == NULL || (results = envelope_results (root, 1, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Several statements in one text: the last one's result, as a script's last. */
  set = read_raw_result (json_array_get_object_element (results, json_array_get_length (results) - 1),
                         call->max_rows, &error);
  if (set == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  lh_offset_cursor_finish_first (set, LH_CONNECTION (g_task_get_source_object (task)), call->sql,
                                 call->params, call->sent_sql);
  g_task_return_pointer (task, set, g_object_unref);
}

static void
execute_async (LhConnection        *connection,
               const char          *sql,
               GPtrArray           *params,
               guint                max_rows,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  LhD1Connection *self = LH_D1_CONNECTION (connection);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  g_task_set_source_tag (task, execute_async);
  g_task_set_check_cancellable (task, FALSE);
  call->sql = g_strdup (sql);
  call->sent_sql = lh_offset_cursor_first_sql (sql, max_rows);
  call->params = params != NULL ? g_ptr_array_ref (params) : NULL;
  call->max_rows = max_rows;
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  add_query (builder, call->sent_sql, params);
  post_raw (self, builder, lh_sql_is_plain_read (sql) ? LH_HTTP_READ : LH_HTTP_NONE, task, execute_cb);
}

static LhResultSet *
execute_finish (LhConnection  *connection,
                GAsyncResult  *result,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Which batch statement a failing entry of the request stands for, and whether it was
 * the statement's guard. D1 names no entry in its error: the guard's mark does, and an
 * error of the SQL itself is searched for in each statement. */
static GError *
batch_error (Call   *call,
             GError *error)
{
  const char *mark = strstr (error->message, GUARD_MARK);

  if (mark != NULL)
    {
      guint index = (guint) g_ascii_strtoull (mark + strlen (GUARD_MARK) + 1, NULL, 10);
      GError *conflict;

      if (index < call->statements->len)
        {
          conflict = g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CONFLICT,
                                  _("A statement did not change the rows it should have: "
                                    "another program may have changed the data. Nothing was written."));
          lh_connection_error_set_statement_index (conflict, (int) index);
          g_error_free (error);
          return conflict;
        }
    }
  for (guint i = 0; i < call->statements->len; i++)
    {
      LhBatchStatement *statement = g_ptr_array_index (call->statements, i);

      if (lh_sql_error_offset (statement->sql, error->message) >= 0)
        {
          lh_connection_error_set_statement_index (error, (int) i);
          break;
        }
    }
  return error;
}

static void
batch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) sets = NULL;
  GError *error = NULL;
  JsonArray *results;

  root = finish_envelope (source, result, NULL, &error);
  if (root == NULL)
    {
      g_task_return_error (task, batch_error (call, error));
      return;
    }
  results = envelope_results (root, g_array_index (call->guarded, guint, call->guarded->len - 1) + 1, &error);
  if (results == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  sets = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < call->statements->len; i++)
    {
      guint entry = g_array_index (call->guarded, guint, i);
      LhResultSet *set = read_raw_result (json_array_get_object_element (results, entry), 0, &error);

      if (set == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (sets, set);
    }
  g_task_return_pointer (task, g_steal_pointer (&sets), (GDestroyNotify) g_ptr_array_unref);
}

/* D1 runs a batch as one unit (all or nothing), with or without LH_BATCH_TRANSACTION. */
static void
batch_async (LhConnection        *connection,
             GPtrArray           *statements,
             LhBatchFlags         flags,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  LhD1Connection *self = LH_D1_CONNECTION (connection);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);
  guint entry = 0;

  g_task_set_source_tag (task, batch_async);
  g_task_set_check_cancellable (task, FALSE);
  call->statements = g_ptr_array_ref (statements);
  call->guarded = g_array_new (FALSE, FALSE, sizeof (guint));
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "batch");
  json_builder_begin_array (builder);
  for (guint i = 0; i < statements->len; i++)
    {
      LhBatchStatement *statement = g_ptr_array_index (statements, i);

      add_query (builder, statement->sql, statement->params);
      g_array_append_val (call->guarded, entry);
      entry++;
      if (statement->expected_changes >= 0)
        {
          /* A JSON path that is no path fails the statement, naming the path (and so
           * which statement it guards), and D1 undoes the batch. */
          g_autofree char *guard = g_strdup_printf (
            "SELECT CASE WHEN changes() = %" G_GINT64_FORMAT " THEN 1 "
            "ELSE json_extract('{}', '" GUARD_MARK " %u') END", statement->expected_changes, i);

          add_query (builder, guard, NULL);
          entry++;
        }
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  if (statements->len == 0)
    {
      g_task_return_pointer (task, g_ptr_array_new_with_free_func (g_object_unref),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }
  post_raw (self, builder, LH_HTTP_NONE, task, batch_cb);
}

static GPtrArray *
batch_finish (LhConnection  *connection,
              GAsyncResult  *result,
              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
close_async (LhConnection        *connection,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (connection, cancellable, callback, user_data);

  /* Nothing stays open between requests. */
  g_task_return_boolean (task, TRUE);
}

static gboolean
close_finish (LhConnection  *connection,
              GAsyncResult  *result,
              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static LhConnectionKind
get_kind (LhConnection *connection)
{
  return LH_CONNECTION_KIND_D1;
}

static LhCapabilities
get_capabilities (LhConnection *connection)
{
  return LH_CAPABILITY_NONE;
}

static const char *
get_title (LhConnection *connection)
{
  return LH_D1_CONNECTION (connection)->title;
}

static const char *
get_location (LhConnection *connection)
{
  return LH_D1_CONNECTION (connection)->location;
}

static gboolean
get_read_only (LhConnection *connection)
{
  return FALSE;
}

static void
lh_d1_connection_iface_init (LhConnectionInterface *iface)
{
  iface->get_kind = get_kind;
  iface->get_capabilities = get_capabilities;
  iface->get_title = get_title;
  iface->get_location = get_location;
  iface->get_read_only = get_read_only;
  iface->execute_async = execute_async;
  iface->execute_finish = execute_finish;
  iface->batch_async = batch_async;
  iface->batch_finish = batch_finish;
  iface->close_async = close_async;
  iface->close_finish = close_finish;
}

/* Opening: the database's description, which checks the token, the account and the id
 * and gives the database's name. */

static void
describe_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LhD1Connection *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  JsonObject *envelope;
  JsonObject *database;

  root = finish_envelope (source, result, NULL, &error);
  if (root == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  envelope = json_node_get_object (root);
  database = json_object_has_member (envelope, "result") &&
             JSON_NODE_HOLDS_OBJECT (json_object_get_member (envelope, "result"))
    ? json_object_get_object_member (envelope, "result") : NULL;
  if (database != NULL && json_object_get_string_member_with_default (database, "name", NULL) != NULL)
    {
      g_free (self->title);
      self->title = g_strdup (json_object_get_string_member (database, "name"));
    }
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

/* Opens database_id of account_id at base_url (NULL: lh_d1_default_base_url()) with
 * token; http is the client to send with (NULL: a new one). */
void
lh_d1_connection_open_async (const char          *base_url,
                             const char          *account_id,
                             const char          *database_id,
                             const char          *token,
                             LhHttpClient        *http,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(LhD1Connection) self = g_object_new (LH_TYPE_D1_CONNECTION, NULL);
  g_autofree char *url = NULL;
  GTask *task;

  g_return_if_fail (account_id != NULL && database_id != NULL);

  self->base_url = trimmed_base (base_url);
  self->account_id = g_strdup (account_id);
  self->database_id = g_strdup (database_id);
  self->token = token != NULL && *token != '\0' ? g_strdup (token) : NULL;
  self->http = http != NULL ? g_object_ref (http) : lh_http_client_new ();
  self->title = g_strdup (database_id);
  self->location = g_strdup_printf ("d1://%s/%s", account_id, database_id);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_d1_connection_open_async);
  g_task_set_check_cancellable (task, FALSE);
  url = database_url (self, "");
  lh_http_client_request_async (self->http, "GET", url, self->token, NULL, LH_HTTP_READ,
                                cancellable, describe_cb, task);
}

LhD1Connection *
lh_d1_connection_open_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
lh_d1_connection_get_account_id (LhD1Connection *self)
{
  g_return_val_if_fail (LH_IS_D1_CONNECTION (self), NULL);
  return self->account_id;
}

const char *
lh_d1_connection_get_database_id (LhD1Connection *self)
{
  g_return_val_if_fail (LH_IS_D1_CONNECTION (self), NULL);
  return self->database_id;
}

/* Listing the databases of an account, every page of them. */

typedef struct
{
  LhHttpClient *http;
  char         *base_url;
  char         *account_id;
  char         *token;
  GPtrArray    *databases;
  guint         page;
} ListData;

static void
list_data_free (ListData *data)
{
  g_clear_object (&data->http);
  g_free (data->base_url);
  g_free (data->account_id);
  if (data->token != NULL)
    memset (data->token, 0, strlen (data->token));
  g_free (data->token);
  g_clear_pointer (&data->databases, g_ptr_array_unref);
  g_free (data);
}

static void list_next_page (GTask *task);

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  JsonObject *envelope;
  JsonArray *entries;
  JsonObject *info;
  gint64 total;

  root = finish_envelope (source, result, NULL, &error);
  if (root == NULL || (entries = envelope_results (root, 0, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      LhD1Database *database;

      if (entry == NULL || json_object_get_string_member_with_default (entry, "uuid", NULL) == NULL)
        continue;
      database = g_new0 (LhD1Database, 1);
      database->uuid = g_strdup (json_object_get_string_member (entry, "uuid"));
      database->name = g_strdup (json_object_get_string_member_with_default (entry, "name", database->uuid));
      database->file_size = json_object_get_int_member_with_default (entry, "file_size", -1);
      database->num_tables = json_object_get_int_member_with_default (entry, "num_tables", -1);
      g_ptr_array_add (data->databases, database);
    }
  envelope = json_node_get_object (root);
  info = json_object_has_member (envelope, "result_info") &&
         JSON_NODE_HOLDS_OBJECT (json_object_get_member (envelope, "result_info"))
    ? json_object_get_object_member (envelope, "result_info") : NULL;
  total = info != NULL ? json_object_get_int_member_with_default (info, "total_count", -1) : -1;
  if (json_array_get_length (entries) > 0 && total > (gint64) data->databases->len && data->page < 100)
    {
      data->page++;
      list_next_page (g_steal_pointer (&task));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&data->databases), (GDestroyNotify) g_ptr_array_unref);
}

static void
list_next_page (GTask *task)
{
  ListData *data = g_task_get_task_data (task);
  g_autofree char *account = g_uri_escape_string (data->account_id, NULL, FALSE);
  g_autofree char *url = g_strdup_printf ("%s/accounts/%s/d1/database?page=%u&per_page=100",
                                          data->base_url, account, data->page);

  lh_http_client_request_async (data->http, "GET", url, data->token, NULL, LH_HTTP_READ,
                                g_task_get_cancellable (task), list_cb, task);
}

/* The databases of account_id (LhD1Database), for picking one by name. */
void
lh_d1_list_databases_async (const char          *base_url,
                            const char          *account_id,
                            const char          *token,
                            LhHttpClient        *http,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  ListData *data = g_new0 (ListData, 1);

  g_return_if_fail (account_id != NULL);

  g_task_set_source_tag (task, lh_d1_list_databases_async);
  g_task_set_check_cancellable (task, FALSE);
  data->http = http != NULL ? g_object_ref (http) : lh_http_client_new ();
  data->base_url = trimmed_base (base_url);
  data->account_id = g_strdup (account_id);
  data->token = g_strdup (token);
  data->databases = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_d1_database_free);
  data->page = 1;
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);
  list_next_page (task);
}

GPtrArray *
lh_d1_list_databases_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
