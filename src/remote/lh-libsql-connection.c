/* lh-libsql-connection.c — LhLibsqlConnection: every operation is one or two Hrana
 * pipeline requests, queued so that each starts after the one before has answered (a
 * stream's baton is good for one request, and the next one needs the new baton). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lh-error.h"
#include "lh-hrana.h"
#include "lh-libsql-connection.h"
#include "lh-offset-cursor.h"
#include "lh-script.h"

struct _LhLibsqlConnection
{
  GObject parent_instance;

  /* owned */
  LhHttpClient *http;
  char         *url;        /* https://host[:port][/path], no trailing slash */
  char         *base_url;   /* where the stream's requests go: url or the server's base_url */
  char         *token;      /* in memory only; NULL without one */
  char         *title;
  char         *baton;      /* the open stream's, or NULL */
  GQueue        ops;        /* Op: operations waiting their turn */

  /* state */
  guint    version;         /* 2 or 3 */
  gboolean busy;
  gboolean in_transaction;
};

typedef void (*OpStart) (LhLibsqlConnection *self,
                         GTask              *task);

typedef struct
{
  char      *sql;
  char      *sent_sql;   /* sql, or wrapped to read only its first rows */
  GPtrArray *params;
  guint      max_rows;
} ExecuteData;

typedef struct
{
  GPtrArray    *statements;
  LhBatchFlags  flags;
  GPtrArray    *results;   /* filled by the first request */
  GError       *failure;   /* why the batch is rolled back */
} BatchData;

static void lh_libsql_connection_iface_init (LhConnectionInterface *iface);
static void add_request (JsonBuilder *builder,
                         const char  *type);

G_DEFINE_FINAL_TYPE_WITH_CODE (LhLibsqlConnection, lh_libsql_connection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LH_TYPE_CONNECTION,
                                                      lh_libsql_connection_iface_init))

static void
execute_data_free (ExecuteData *data)
{
  g_free (data->sql);
  g_free (data->sent_sql);
  g_clear_pointer (&data->params, g_ptr_array_unref);
  g_free (data);
}

static void
batch_data_free (BatchData *data)
{
  g_clear_pointer (&data->statements, g_ptr_array_unref);
  g_clear_pointer (&data->results, g_ptr_array_unref);
  g_clear_error (&data->failure);
  g_free (data);
}

/* Where the stream's next request goes: vN/pipeline under the database's URL, or
 * resolved against the base_url the server gave. */
static char *
pipeline_url (LhLibsqlConnection *self)
{
  g_autofree char *relative = g_strdup_printf ("v%u/pipeline", self->version);

  if (g_strcmp0 (self->base_url, self->url) == 0)
    return g_strdup_printf ("%s/%s", self->url, relative);
  return g_uri_resolve_relative (self->base_url, relative, G_URI_FLAGS_NONE, NULL);
}

/* A stream left open (a transaction the user began) is closed, which rolls it back,
 * rather than holding the database's write lock until the server gives up on it. */
static void
close_stream_and_forget (LhLibsqlConnection *self)
{
  g_autofree char *url = pipeline_url (self);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *body;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "baton");
  json_builder_add_string_value (builder, self->baton);
  json_builder_set_member_name (builder, "requests");
  json_builder_begin_array (builder);
  add_request (builder, "close");
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  bytes = g_bytes_new_take (body, strlen (body));
  lh_http_client_request_async (self->http, "POST", url, self->token, bytes, LH_HTTP_NONE,
                                NULL, NULL, NULL);
}

static void
lh_libsql_connection_finalize (GObject *object)
{
  LhLibsqlConnection *self = LH_LIBSQL_CONNECTION (object);

  if (self->baton != NULL && self->http != NULL)
    close_stream_and_forget (self);

  g_clear_object (&self->http);
  g_free (self->url);
  g_free (self->base_url);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->title);
  g_free (self->baton);
  G_OBJECT_CLASS (lh_libsql_connection_parent_class)->finalize (object);
}

static void
lh_libsql_connection_class_init (LhLibsqlConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_libsql_connection_finalize;
}

static void
lh_libsql_connection_init (LhLibsqlConnection *self)
{
  g_queue_init (&self->ops);
  self->version = 3;
}

/* The queue of operations */

typedef struct
{
  GTask   *task;
  OpStart  start;
} Op;

static void
run_next (LhLibsqlConnection *self)
{
  Op *op;

  if (self->busy || (op = g_queue_pop_head (&self->ops)) == NULL)
    return;
  self->busy = TRUE;
  op->start (self, op->task);
  g_free (op);
}

/* Queues task (taken) to start when the operations before it are done. */
static void
queue_op (LhLibsqlConnection *self,
          GTask              *task,
          OpStart             start)
{
  Op *op = g_new0 (Op, 1);

  op->task = task;
  op->start = start;
  g_queue_push_tail (&self->ops, op);
  run_next (self);
}

/* Ends the running operation (task is taken) and starts the next one. */
static void
complete_pointer (LhLibsqlConnection *self,
                  GTask              *task,
                  gpointer            result,
                  GDestroyNotify      free_func)
{
  self->busy = FALSE;
  g_task_return_pointer (task, result, free_func);
  g_object_unref (task);
  run_next (self);
}

static void
complete_error (LhLibsqlConnection *self,
                GTask              *task,
                GError             *error)
{
  self->busy = FALSE;
  g_task_return_error (task, error);
  g_object_unref (task);
  run_next (self);
}

/* Pipelines */

typedef void (*PipelineDone) (LhLibsqlConnection *self,
                              GTask              *task,
                              JsonArray          *results,
                              GError             *error);

typedef struct
{
  LhLibsqlConnection *self;
  GTask              *task;
  PipelineDone        done;
} PipelineCall;

/* What a non-2xx answer says: Hrana servers put {"error": "…"} (or a message) in it. */
static char *
dup_body_message (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data = g_bytes_get_data (body, &size);
  JsonNode *root;

  if (size == 0 || !json_parser_load_from_data (parser, data, size, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *error = json_object_get_member (object, "error");

      if (error != NULL && JSON_NODE_HOLDS_VALUE (error) && json_node_get_value_type (error) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (error));
      if (error != NULL && JSON_NODE_HOLDS_OBJECT (error))
        return g_strdup (json_object_get_string_member_with_default (json_node_get_object (error), "message", NULL));
      return g_strdup (json_object_get_string_member_with_default (object, "message", NULL));
    }
  return NULL;
}

static JsonNode *
parse_json (GBytes  *body,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data = g_bytes_get_data (body, &size);

  if (!json_parser_load_from_data (parser, data, size, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                           _("The server’s answer is not valid JSON: it may have been cut off, "
                             "or this is not a libSQL server."));
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

static void
pipeline_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  PipelineCall *call = user_data;
  LhLibsqlConnection *self = call->self;
  g_autoptr(LhHttpResponse) response = NULL;
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  JsonObject *object;
  JsonArray *results;

  response = lh_http_client_request_finish (LH_HTTP_CLIENT (source), result, &error);
  if (response != NULL && (response->status < 200 || response->status >= 300))
    {
      g_autofree char *message = dup_body_message (response->body);

      /* The stream is gone with its transaction, if it had one. */
      if (self->baton != NULL && response->status == 400 && self->in_transaction)
        error = g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                             _("The server ended the transaction (it was idle too long, or "
                               "the server restarted): its changes were rolled back. (%s)"),
                             message != NULL ? message : "400");
      else
        error = lh_http_status_error (response, message);
      g_clear_pointer (&self->baton, g_free);
      self->in_transaction = FALSE;
    }
  else if (response != NULL)
    root = parse_json (response->body, &error);
  else
    {
      /* Whether the server ran it is unknown: the stream cannot be trusted any more. */
      g_clear_pointer (&self->baton, g_free);
      self->in_transaction = FALSE;
    }

  if (error != NULL)
    {
      call->done (self, call->task, NULL, error);
      g_object_unref (self);
      g_free (call);
      return;
    }

  object = json_node_get_object (root);
  g_free (self->baton);
  self->baton = g_strdup (json_object_get_string_member_with_default (object, "baton", NULL));
  if (json_object_get_string_member_with_default (object, "base_url", NULL) != NULL)
    {
      /* Resolved as a web page resolves a link: v3/pipeline against it, as the official
       * client does (a base without a trailing slash loses its last segment). */
      g_autofree char *base = g_uri_resolve_relative (self->url, json_object_get_string_member (object, "base_url"),
                                                      G_URI_FLAGS_NONE, NULL);

      if (base != NULL && lh_http_check_url (base, NULL))
        {
          g_free (self->base_url);
          self->base_url = g_steal_pointer (&base);
        }
    }
  if (self->baton == NULL)
    {
      /* A closed stream: the next one starts where the database lives. */
      g_free (self->base_url);
      self->base_url = g_strdup (self->url);
    }
  results = json_object_has_member (object, "results") ? json_object_get_array_member (object, "results") : NULL;
  if (results == NULL)
    error = g_error_new_literal (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                                 _("The server’s answer has no results: this may not be a libSQL server."));
  call->done (self, call->task, results, error);
  g_object_unref (self);
  g_free (call);
}

/* Sends requests (a JSON array, taken) on the current stream (a new one without a baton)
 * and calls done with the results array, or an error. */
static void
send_pipeline (LhLibsqlConnection *self,
               JsonNode           *requests,
               LhHttpFlags         flags,
               GTask              *task,
               PipelineDone        done)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;
  g_autofree char *url = pipeline_url (self);
  PipelineCall *call = g_new0 (PipelineCall, 1);
  g_autoptr(GBytes) bytes = NULL;
  gsize length;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "baton");
  if (self->baton != NULL)
    json_builder_add_string_value (builder, self->baton);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "requests");
  json_builder_add_value (builder, requests);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  length = strlen (body);

  call->self = g_object_ref (self);
  call->task = task;
  call->done = done;
  /* A request on an open stream is never sent twice: the server may have run it. */
  if (self->baton != NULL)
    flags &= ~LH_HTTP_READ;
  bytes = g_bytes_new_take (g_steal_pointer (&body), length);
  lh_http_client_request_async (self->http, "POST", url, self->token, bytes, flags,
                                g_task_get_cancellable (task), pipeline_cb, call);
}

/* The result of request index of results: its response object, or the error it gives. */
static JsonObject *
request_response (JsonArray   *results,
                  guint        index,
                  const char  *sql,
                  GError     **error)
{
  JsonObject *result = index < json_array_get_length (results)
    ? json_array_get_object_element (results, index) : NULL;
  const char *type = result != NULL ? json_object_get_string_member_with_default (result, "type", "") : "";

  if (g_str_equal (type, "ok") && json_object_has_member (result, "response"))
    return json_object_get_object_member (result, "response");
  if (g_str_equal (type, "error") && json_object_has_member (result, "error"))
    g_propagate_error (error, lh_hrana_read_error (json_object_get_object_member (result, "error"), sql));
  else
    g_set_error_literal (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                         _("The server’s answer is missing a result."));
  return NULL;
}

static void
add_request (JsonBuilder *builder,
             const char  *type)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_end_object (builder);
}

/* Ends a pipeline whose stream stays open (a transaction goes on): Hrana 3 asks whether
 * one is open (get_autocommit); Hrana 2 has no such request, and needs none to keep it. */
static void
add_keep_stream (LhLibsqlConnection *self,
                 JsonBuilder        *builder)
{
  if (self->version >= 3)
    add_request (builder, "get_autocommit");
}

/* Hrana 2 cannot say whether a transaction is open: what the statement that ran says. */
static void
follow_transaction (LhLibsqlConnection *self,
                    const char         *sql)
{
  g_autofree char *keyword = lh_sql_dup_first_keyword (sql);

  if (g_str_equal (keyword, "BEGIN") || g_str_equal (keyword, "SAVEPOINT"))
    self->in_transaction = TRUE;
  else if (g_str_equal (keyword, "COMMIT") || g_str_equal (keyword, "END"))
    self->in_transaction = FALSE;
  else if (g_str_equal (keyword, "ROLLBACK") &&
           !g_regex_match_simple ("^\\s*ROLLBACK(\\s+TRANSACTION)?\\s+TO\\b", sql, G_REGEX_CASELESS, 0))
    self->in_transaction = FALSE;
}

static void
add_execute (JsonBuilder *builder,
             const char  *sql,
             GPtrArray   *params)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "execute");
  json_builder_set_member_name (builder, "stmt");
  lh_hrana_add_stmt (builder, sql, params, TRUE);
  json_builder_end_object (builder);
}

/* Execute */

static void
execute_done (LhLibsqlConnection *self,
              GTask              *task,
              JsonArray          *results,
              GError             *error)
{
  ExecuteData *data = g_task_get_task_data (task);
  JsonObject *response;
  LhResultSet *set;

  if (error != NULL)
    {
      complete_error (self, task, error);
      return;
    }
  if (json_array_get_length (results) > 1)
    {
      JsonObject *autocommit = request_response (results, 1, NULL, NULL);

      if (autocommit != NULL && json_object_has_member (autocommit, "is_autocommit"))
        self->in_transaction = !json_object_get_boolean_member (autocommit, "is_autocommit");
    }
  if (self->baton == NULL)
    self->in_transaction = FALSE;

  response = request_response (results, 0, data->sql, &error);
  if (response == NULL)
    {
      complete_error (self, task, error);
      return;
    }
  if (self->version < 3 && self->baton != NULL)
    follow_transaction (self, data->sql);
  set = json_object_has_member (response, "result")
    ? lh_hrana_read_result (json_object_get_object_member (response, "result"), data->max_rows, &error)
    : NULL;
  if (set == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                                     _("The server’s answer is missing a result."));
      complete_error (self, task, error);
      return;
    }
  lh_result_set_set_elapsed (set, g_get_monotonic_time () -
                             GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "lh-start")));
  lh_offset_cursor_finish_first (set, LH_CONNECTION (self), data->sql, data->params, data->sent_sql);
  complete_pointer (self, task, set, g_object_unref);
}

static void
start_execute (LhLibsqlConnection *self,
               GTask              *task)
{
  ExecuteData *data = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *keyword = lh_sql_dup_first_keyword (data->sql);
  gboolean keep = self->in_transaction || g_str_equal (keyword, "BEGIN") ||
                  g_str_equal (keyword, "SAVEPOINT");
  gboolean read = lh_sql_is_plain_read (data->sql);

  if (g_task_return_error_if_cancelled (task))
    {
      self->busy = FALSE;
      g_object_unref (task);
      run_next (self);
      return;
    }
  g_object_set_data (G_OBJECT (task), "lh-start", GSIZE_TO_POINTER ((gsize) g_get_monotonic_time ()));
  json_builder_begin_array (builder);
  add_execute (builder, data->sent_sql, data->params);
  /* A transaction keeps its stream; anything else closes it in the same request. */
  if (keep)
    add_keep_stream (self, builder);
  else
    add_request (builder, "close");
  json_builder_end_array (builder);
  send_pipeline (self, json_builder_get_root (builder), read ? LH_HTTP_READ : LH_HTTP_NONE, task,
                 execute_done);
}

/* Batch: the statements after BEGIN, each on the condition that the one before went
 * well; then, once their changes are checked, COMMIT or ROLLBACK and the stream closed. */

static void
add_condition_ok (JsonBuilder *builder,
                  guint        step)
{
  json_builder_set_member_name (builder, "condition");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "step");
  json_builder_add_int_value (builder, step);
  json_builder_end_object (builder);
}

static void
add_step (JsonBuilder *builder,
          const char  *sql,
          GPtrArray   *params,
          gint         after)
{
  json_builder_begin_object (builder);
  if (after >= 0)
    add_condition_ok (builder, after);
  json_builder_set_member_name (builder, "stmt");
  lh_hrana_add_stmt (builder, sql, params, TRUE);
  json_builder_end_object (builder);
}

static void
batch_end_done (LhLibsqlConnection *self,
                GTask              *task,
                JsonArray          *results,
                GError             *error)
{
  BatchData *data = g_task_get_task_data (task);

  self->in_transaction = FALSE;
  if (data->failure != NULL)
    {
      g_clear_error (&error);
      complete_error (self, task, g_steal_pointer (&data->failure));
      return;
    }
  if (error == NULL && request_response (results, 0, "COMMIT", &error) == NULL)
    g_prefix_error (&error, _("The changes could not be committed: "));
  if (error != NULL)
    {
      complete_error (self, task, error);
      return;
    }
  complete_pointer (self, task, g_steal_pointer (&data->results), (GDestroyNotify) g_ptr_array_unref);
}

static void
batch_end (LhLibsqlConnection *self,
           GTask              *task)
{
  BatchData *data = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "execute");
  json_builder_set_member_name (builder, "stmt");
  lh_hrana_add_stmt (builder, data->failure != NULL ? "ROLLBACK" : "COMMIT", NULL, FALSE);
  json_builder_end_object (builder);
  add_request (builder, "close");
  json_builder_end_array (builder);
  send_pipeline (self, json_builder_get_root (builder), LH_HTTP_NONE, task, batch_end_done);
}

/* Reads the batch's step results into data->results, or the first failure. */
static GError *
read_batch_results (BatchData  *data,
                    JsonObject *batch_result,
                    guint       offset)
{
  JsonArray *steps = json_object_get_array_member (batch_result, "step_results");
  JsonArray *errors = json_object_get_array_member (batch_result, "step_errors");

  if (steps == NULL || errors == NULL)
    return g_error_new_literal (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                                _("The server’s answer to a batch has no step results."));
  data->results = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < data->statements->len; i++)
    {
      LhBatchStatement *statement = g_ptr_array_index (data->statements, i);
      JsonNode *step_error = i + offset < json_array_get_length (errors)
        ? json_array_get_element (errors, i + offset) : NULL;
      JsonNode *step = i + offset < json_array_get_length (steps)
        ? json_array_get_element (steps, i + offset) : NULL;
      GError *error = NULL;
      LhResultSet *set;

      if (step_error != NULL && JSON_NODE_HOLDS_OBJECT (step_error))
        error = lh_hrana_read_error (json_node_get_object (step_error), statement->sql);
      else if (step == NULL || !JSON_NODE_HOLDS_OBJECT (step))
        error = g_error_new_literal (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                                     _("The server did not run a statement of the batch."));
      else if ((set = lh_hrana_read_result (json_node_get_object (step), 0, &error)) != NULL)
        {
          if (statement->expected_changes >= 0 &&
              lh_result_set_get_changes (set) != statement->expected_changes)
            error = g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CONFLICT,
                                 _("The statement changed %lld rows instead of %lld: "
                                   "another program may have changed the data."),
                                 (long long) lh_result_set_get_changes (set),
                                 (long long) statement->expected_changes);
          g_ptr_array_add (data->results, set);
        }
      if (error != NULL)
        {
          lh_connection_error_set_statement_index (error, i);
          g_clear_pointer (&data->results, g_ptr_array_unref);
          return error;
        }
    }
  return NULL;
}

static void
batch_steps_done (LhLibsqlConnection *self,
                  GTask              *task,
                  JsonArray          *results,
                  GError             *error)
{
  BatchData *data = g_task_get_task_data (task);
  gboolean transaction = (data->flags & LH_BATCH_TRANSACTION) != 0;
  JsonObject *response;

  if (error == NULL && (response = request_response (results, 0, NULL, &error)) != NULL)
    {
      if (json_object_has_member (response, "result"))
        error = read_batch_results (data, json_object_get_object_member (response, "result"),
                                    transaction ? 1 : 0);
      else
        error = g_error_new_literal (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                                     _("The server’s answer to a batch has no result."));
    }
  if (!transaction || self->baton == NULL)
    {
      /* Without a transaction there is nothing to end (and the stream was closed). */
      if (error != NULL)
        complete_error (self, task, error);
      else
        complete_pointer (self, task, g_steal_pointer (&data->results), (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  self->in_transaction = TRUE;
  data->failure = error;
  batch_end (self, task);
}

static void
start_batch (LhLibsqlConnection *self,
             GTask              *task)
{
  BatchData *data = g_task_get_task_data (task);
  gboolean transaction = (data->flags & LH_BATCH_TRANSACTION) != 0;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint first = transaction ? 1 : 0;

  if (g_task_return_error_if_cancelled (task))
    {
      self->busy = FALSE;
      g_object_unref (task);
      run_next (self);
      return;
    }
  if (transaction && self->in_transaction)
    {
      complete_error (self, task,
                      g_error_new_literal (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_TRANSACTION_OPEN,
                                           _("A transaction begun in the SQL editor is still open: "
                                             "commit it or roll it back there first.")));
      return;
    }
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "batch");
  json_builder_set_member_name (builder, "batch");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "steps");
  json_builder_begin_array (builder);
  if (transaction)
    add_step (builder, "BEGIN IMMEDIATE", NULL, -1);
  for (guint i = 0; i < data->statements->len; i++)
    {
      LhBatchStatement *statement = g_ptr_array_index (data->statements, i);

      add_step (builder, statement->sql, statement->params, first + i > 0 ? (gint) (first + i - 1) : -1);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  /* The transaction's stream stays open until its changes are checked, and a transaction
   * begun before the batch (BEGIN run through execute) stays open after it. */
  if (transaction || self->in_transaction)
    add_keep_stream (self, builder);
  else
    add_request (builder, "close");
  json_builder_end_array (builder);
  send_pipeline (self, json_builder_get_root (builder), LH_HTTP_NONE, task, batch_steps_done);
}

/* Close */

static void
close_done (LhLibsqlConnection *self,
            GTask              *task,
            JsonArray          *results,
            GError             *error)
{
  g_clear_pointer (&self->baton, g_free);
  self->in_transaction = FALSE;
  self->busy = FALSE;
  /* A stream the server already forgot is closed all the same. */
  g_clear_error (&error);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
  run_next (self);
}

static void
start_close (LhLibsqlConnection *self,
             GTask              *task)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (self->baton == NULL)
    {
      self->busy = FALSE;
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      run_next (self);
      return;
    }
  json_builder_begin_array (builder);
  add_request (builder, "close");
  json_builder_end_array (builder);
  send_pipeline (self, json_builder_get_root (builder), LH_HTTP_NONE, task, close_done);
}

/* Open: which Hrana version the server speaks, then a statement, so that a wrong token
 * or a server that is not libSQL shows at once. */

static void
open_checked (LhLibsqlConnection *self,
              GTask              *task,
              JsonArray          *results,
              GError             *error)
{
  if (error == NULL)
    request_response (results, 0, "SELECT 1", &error);
  if (error != NULL)
    complete_error (self, task, error);
  else
    complete_pointer (self, task, g_object_ref (self), g_object_unref);
}

static void probe_version (LhLibsqlConnection *self,
                           GTask              *task);

static void
probe_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  LhLibsqlConnection *self = g_task_get_source_object (task);
  g_autoptr(LhHttpResponse) response = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  GError *error = NULL;

  response = lh_http_client_request_finish (LH_HTTP_CLIENT (source), result, &error);
  if (response == NULL)
    {
      complete_error (self, task, error);
      return;
    }
  if (response->status == 401 || response->status == 403)
    {
      g_autofree char *message = dup_body_message (response->body);

      complete_error (self, task, lh_http_status_error (response, message));
      return;
    }
  if (response->status < 200 || response->status >= 300)
    {
      if (self->version == 3)
        {
          self->version = 2;
          probe_version (self, task);
          return;
        }
      complete_error (self, task,
                      g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                                   _("“%s” does not speak Hrana over HTTP (it answered %u to "
                                     "/v3 and /v2): is this a libSQL server?"),
                                   self->title, response->status));
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_array (builder);
  add_execute (builder, "SELECT 1", NULL);
  add_request (builder, "close");
  json_builder_end_array (builder);
  send_pipeline (self, json_builder_get_root (builder), LH_HTTP_READ, task, open_checked);
}

static void
probe_version (LhLibsqlConnection *self,
               GTask              *task)
{
  g_autofree char *url = g_strdup_printf ("%s/v%u", self->url, self->version);

  lh_http_client_request_async (self->http, "GET", url, self->token, NULL, LH_HTTP_READ,
                                g_task_get_cancellable (task), probe_cb, task);
}

/* libsql://host means https://host; a trailing slash goes. NULL for an address that is
 * not http(s) or libsql, or plain http to anywhere but this computer. */
char *
lh_libsql_normalize_url (const char  *url,
                         GError     **error)
{
  g_autofree char *normal = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  if (g_ascii_strncasecmp (url, "libsql://", 9) == 0)
    normal = g_strconcat ("https://", url + 9, NULL);
  else if (strstr (url, "://") == NULL)
    normal = g_strconcat ("https://", url, NULL);
  else
    normal = g_strdup (url);
  /* What follows the path (?authToken=…, as Turso writes its URLs) or comes before the
   * host (user:password@) is no part of where the database is: it would carry a secret
   * into the catalog, the recent list and the keyring's labels. */
  {
    g_autoptr(GUri) uri = g_uri_parse (normal, G_URI_FLAGS_ENCODED, NULL);

    if (uri != NULL && (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL ||
                        g_uri_get_userinfo (uri) != NULL))
      {
        g_autoptr(GUri) bare = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), NULL,
                                            g_uri_get_host (uri), g_uri_get_port (uri),
                                            g_uri_get_path (uri), NULL, NULL);

        g_free (normal);
        normal = g_uri_to_string (bare);
      }
  }
  while (g_str_has_suffix (normal, "/"))
    normal[strlen (normal) - 1] = '\0';
  if (!lh_http_check_url (normal, error))
    return NULL;
  return g_steal_pointer (&normal);
}

/* The token a URL carries in its query, as Turso writes them (libsql://HOST?authToken=…),
 * or NULL. */
char *
lh_libsql_url_dup_token (const char *url)
{
  const char *query = strchr (url, '?');
  const char *fragment;
  g_autoptr(GHashTable) params = NULL;
  const char *token;

  if (query == NULL)
    return NULL;
  fragment = strchr (query, '#');
  params = g_uri_parse_params (query + 1, fragment != NULL ? fragment - query - 1 : -1, "&",
                               G_URI_PARAMS_NONE, NULL);
  token = params != NULL ? g_hash_table_lookup (params, "authToken") : NULL;
  return token != NULL && *token != '\0' ? g_strdup (token) : NULL;
}

/* Connects to the libSQL server at url (libsql://, https://, or http:// to this
 * computer) with token (a JWT, or NULL); http is the client to send with (NULL: a new
 * one). The token stays in memory. */
void
lh_libsql_connection_open_async (const char          *url,
                                 const char          *token,
                                 LhHttpClient        *http,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(LhLibsqlConnection) self = g_object_new (LH_TYPE_LIBSQL_CONNECTION, NULL);
  g_autoptr(GUri) uri = NULL;
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (url != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_libsql_connection_open_async);
  self->url = lh_libsql_normalize_url (url, &error);
  if (self->url == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  self->base_url = g_strdup (self->url);
  self->token = token != NULL && *token != '\0' ? g_strdup (token) : lh_libsql_url_dup_token (url);
  self->http = http != NULL ? g_object_ref (http) : lh_http_client_new ();
  uri = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);
  self->title = g_strdup (uri != NULL ? g_uri_get_host (uri) : self->url);
  self->busy = TRUE;
  probe_version (self, task);
}

/* Opens another connection to self's database, with its token and a client of its own:
 * for work (a dump, a load) whose transaction must not be the user's. */
void
lh_libsql_connection_open_another_async (LhLibsqlConnection  *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (LH_IS_LIBSQL_CONNECTION (self));
  lh_libsql_connection_open_async (self->url, self->token, NULL, cancellable, callback, user_data);
}

LhLibsqlConnection *
lh_libsql_connection_open_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The Hrana version in use: 3, or 2 on an older server. */
guint
lh_libsql_connection_get_version (LhLibsqlConnection *self)
{
  g_return_val_if_fail (LH_IS_LIBSQL_CONNECTION (self), 0);
  return self->version;
}

/* LhConnection */

static LhConnectionKind
get_kind (LhConnection *connection)
{
  return LH_CONNECTION_KIND_LIBSQL;
}

static LhCapabilities
get_capabilities (LhConnection *connection)
{
  return LH_CAPABILITY_TRANSACTIONS;
}

static const char *
get_title (LhConnection *connection)
{
  return LH_LIBSQL_CONNECTION (connection)->title;
}

static const char *
get_location (LhConnection *connection)
{
  return LH_LIBSQL_CONNECTION (connection)->url;
}

static gboolean
get_read_only (LhConnection *connection)
{
  return FALSE;
}

static gboolean
get_in_transaction (LhConnection *connection)
{
  return LH_LIBSQL_CONNECTION (connection)->in_transaction;
}

static GTask *
new_task (LhLibsqlConnection  *self,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data,
          gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_check_cancellable (task, FALSE);
  return task;
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
  LhLibsqlConnection *self = LH_LIBSQL_CONNECTION (connection);
  GTask *task = new_task (self, cancellable, callback, user_data, execute_async);
  ExecuteData *data = g_new0 (ExecuteData, 1);

  data->sql = g_strdup (sql);
  data->sent_sql = lh_offset_cursor_first_sql (sql, max_rows);
  data->params = params != NULL ? g_ptr_array_ref (params) : NULL;
  data->max_rows = max_rows;
  g_task_set_task_data (task, data, (GDestroyNotify) execute_data_free);
  queue_op (self, task, start_execute);
}

static LhResultSet *
execute_finish (LhConnection  *connection,
                GAsyncResult  *result,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
batch_async (LhConnection        *connection,
             GPtrArray           *statements,
             LhBatchFlags         flags,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  LhLibsqlConnection *self = LH_LIBSQL_CONNECTION (connection);
  GTask *task = new_task (self, cancellable, callback, user_data, batch_async);
  BatchData *data = g_new0 (BatchData, 1);

  data->statements = g_ptr_array_ref (statements);
  data->flags = flags;
  g_task_set_task_data (task, data, (GDestroyNotify) batch_data_free);
  queue_op (self, task, start_batch);
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
  LhLibsqlConnection *self = LH_LIBSQL_CONNECTION (connection);

  queue_op (self, new_task (self, cancellable, callback, user_data, close_async), start_close);
}

static gboolean
close_finish (LhConnection  *connection,
              GAsyncResult  *result,
              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lh_libsql_connection_iface_init (LhConnectionInterface *iface)
{
  iface->get_kind = get_kind;
  iface->get_capabilities = get_capabilities;
  iface->get_title = get_title;
  iface->get_location = get_location;
  iface->get_read_only = get_read_only;
  iface->get_in_transaction = get_in_transaction;
  iface->execute_async = execute_async;
  iface->execute_finish = execute_finish;
  iface->batch_async = batch_async;
  iface->batch_finish = batch_finish;
  iface->close_async = close_async;
  iface->close_finish = close_finish;
}
