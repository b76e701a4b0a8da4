/* lh-query-page.c — LhQueryPage runs the editor's text as an LhScript off the main thread
 * and shows the last statement's rows; a failing statement's position is underlined and
 * the cursor put there. */
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "lh-completion-provider.h"
#include "lh-query-page.h"
#include "lh-widget-util.h"
#include "lh-row-format.h"
#include "lh-result-view.h"

struct _LhQueryPage
{
  GtkWidget parent_instance;

  /* template children */
  GtkSourceView *editor;
  GtkButton     *run_button;
  GtkButton     *cancel_button;
  GtkSpinner    *spinner;
  GtkLabel      *status_label;
  GtkStack      *results_stack;
  LhResultView  *result_view;
  AdwStatusPage *done_page;
  AdwStatusPage *error_page;
  GtkListBox    *plan_list;
  GtkMenuButton *history_button;
  GtkMenuButton *results_button;
  GtkSearchEntry *history_search;
  GtkListBox    *history_list;
  GtkMenuButton *statements_button;
  GtkMenuButton *snippets_button;
  GtkListBox    *snippets_list;
  guint          n_edits;        /* changes of the text so far */
  guint          reload_edits;   /* n_edits when a restored tab's file reload began */
  GtkListBox    *statements_list;

  /* owned */
  LhConnection *connection;
  GCancellable *cancellable;
  GCancellable *functions_cancellable;
  GCancellable *history_cancellable;
  GtkNativeDialog *export_chooser;
  GHashTable   *parameter_texts;  /* key → last text given, or NULL for NULL */
  GFile        *file;             /* the .sql file the text is from, or NULL */
  GtkNativeDialog *file_chooser;
  char         *results_sql;     /* the statement whose rows are shown */
  char         *results_duration; /* how long it took, formatted */
  LhCompletionProvider *completion;
  GtkTextTag   *error_tag;
  char         *error_text;
};

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_TITLE,
  PROP_MODIFIED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SCHEMA_CHANGED,
  TEXT_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LhQueryPage, lh_query_page, GTK_TYPE_WIDGET)

static GtkTextBuffer *
get_buffer (LhQueryPage *self)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->editor));
}

static gboolean
has_rows (LhQueryPage *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->results_stack), "rows") == 0 &&
         lh_result_view_get_result (self->result_view) != NULL;
}

static void
update_results_actions (LhQueryPage *self)
{
  gboolean rows = has_rows (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "query.copy-results", rows);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "query.export-results", rows);
  gtk_widget_set_sensitive (GTK_WIDGET (self->results_button), rows);
}

static void
update_actions (LhQueryPage *self)
{
  gboolean running = self->cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "query.run",
                                 !running && self->connection != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "query.run-all",
                                 !running && self->connection != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "query.explain",
                                 !running && self->connection != NULL);
  update_results_actions (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "query.cancel", running);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), running);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running);
  gtk_spinner_set_spinning (self->spinner, running);
}

static char *
format_duration (gint64 usec)
{
  if (usec < 1000)
    return g_strdup_printf (_("%.2f ms"), usec / 1000.0);
  if (usec < 1000000)
    return g_strdup_printf (_("%.0f ms"), usec / 1000.0);
  return g_strdup_printf (_("%.2f s"), usec / 1000000.0);
}

/* GTK 4.8 has no gtk_list_box_remove_all (). */
/* The rows of list as shown, "title: subtitle" a line, for tests. */
static void
append_rows_text (GString    *text,
                  GtkListBox *list)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

      g_string_append_printf (text, "%s: %s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                              subtitle != NULL ? subtitle : "");
    }
}

static gint64
total_elapsed (GPtrArray *statements)
{
  gint64 total = 0;

  for (guint i = 0; i < statements->len; i++)
    {
      LhStatementResult *statement = g_ptr_array_index (statements, i);

      if (statement->result != NULL)
        total += lh_result_set_get_elapsed (statement->result);
    }
  return total;
}

static void
set_status (LhQueryPage *self,
            const char  *text)
{
  gtk_label_set_text (self->status_label, text);
}

static void
clear_error (LhQueryPage *self)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->error_tag, &start, &end);
  g_clear_pointer (&self->error_text, g_free);
}

/* Underlines from the error's offset to the end of the token there, and puts the cursor
 * at its start. base is where the run text began in the buffer; line and column are the
 * buffer's, so that running a selection points at the line the editor shows. */
static void
mark_error (LhQueryPage       *self,
            const char        *text,
            int                base,
            const GError      *error)
{
  GtkTextBuffer *buffer = get_buffer (self);
  int offset = lh_connection_error_get_offset (error);
  GtkTextIter start, end;

  if (offset < 0)
    {
      self->error_text = g_strdup (error->message);
      return;
    }

  gtk_text_buffer_get_iter_at_offset (buffer, &start,
                                      base + g_utf8_pointer_to_offset (text, text + offset));
  self->error_text = g_strdup_printf (_("Line %d, column %d: %s"),
                                      gtk_text_iter_get_line (&start) + 1,
                                      gtk_text_iter_get_line_offset (&start) + 1,
                                      error->message);
  end = start;
  if (!gtk_text_iter_ends_word (&end) || gtk_text_iter_starts_word (&end))
    gtk_text_iter_forward_word_end (&end);
  if (gtk_text_iter_equal (&start, &end))
    gtk_text_iter_forward_char (&end);
  gtk_text_buffer_apply_tag (buffer, self->error_tag, &start, &end);
  gtk_text_buffer_place_cursor (buffer, &start);
  gtk_text_view_scroll_mark_onscreen (GTK_TEXT_VIEW (self->editor),
                                      gtk_text_buffer_get_insert (buffer));
}

static void
show_failure (LhQueryPage       *self,
              LhStatementResult *failed,
              const char        *text,
              int                base,
              guint              n_ran)
{
  g_autofree char *status = NULL;

  if (g_error_matches (failed->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_status (self, _("Cancelled"));
      adw_status_page_set_icon_name (self->error_page, "process-stop-symbolic");
      adw_status_page_set_title (self->error_page, _("Cancelled"));
      adw_status_page_set_description (self->error_page,
                                       _("The statement was stopped before it finished."));
      gtk_stack_set_visible_child_name (self->results_stack, "error");
      return;
    }

  mark_error (self, text, base, failed->error);
  adw_status_page_set_icon_name (self->error_page, "dialog-error-symbolic");
  adw_status_page_set_title (self->error_page,
                             n_ran > 1 ? _("Statement Failed") : _("Query Failed"));
  adw_status_page_set_description (self->error_page, self->error_text);
  gtk_stack_set_visible_child_name (self->results_stack, "error");

  status = n_ran > 1
    ? g_strdup_printf (_("Statement %u of the script failed"), failed->index + 1)
    : g_strdup (_("Failed"));
  set_status (self, status);
}

/* The status of the rows shown: how many, as the pager counts them, or why reading them
 * stopped. */
static void
update_rows_status (LhQueryPage *self)
{
  LhQueryPager *pager = lh_result_view_get_pager (self->result_view);
  LhResultSet *first;
  gint64 count;
  g_autofree char *status = NULL;

  if (pager == NULL || !has_rows (self))
    return;
  first = lh_query_pager_get_first (pager);
  count = lh_query_pager_get_row_count (pager);
  if (lh_query_pager_get_error (pager) != NULL)
    status = g_strdup_printf (_("Reading the rows failed: %s"),
                              lh_query_pager_get_error (pager)->message);
  else if (lh_result_set_get_truncated (first) && !lh_query_pager_get_paged (pager))
    status = g_strdup_printf (_("First %u rows shown · %s"), lh_result_set_get_n_rows (first),
                              self->results_duration);
  else if (count < 0)
    {
      guint so_far = g_list_model_get_n_items (G_LIST_MODEL (pager));

      /* TRANSLATORS: rows found so far while the rest are being counted, then the time the
       * statement took */
      status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u row so far, counting… · %s",
                                             "%u rows so far, counting… · %s", so_far),
                                so_far, self->results_duration);
    }
  else
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lld row · %s", "%lld rows · %s",
                                           (gulong) MIN (count, G_MAXLONG)),
                              (long long) count, self->results_duration);
  set_status (self, status);
}

static void
show_success (LhQueryPage *self,
              GPtrArray   *statements)
{
  LhStatementResult *last = g_ptr_array_index (statements, statements->len - 1);
  LhResultSet *result = last->result;
  g_autofree char *duration = format_duration (total_elapsed (statements));
  g_autofree char *status = NULL;

  if (lh_result_set_get_n_columns (result) > 0)
    {
      LhQueryPager *pager;

      lh_result_view_set_result (self->result_view, result);
      pager = lh_result_view_get_pager (self->result_view);
      g_signal_connect_object (pager, "notify::row-count", G_CALLBACK (update_rows_status),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (pager, "notify::counting", G_CALLBACK (update_rows_status),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (pager, "notify::error", G_CALLBACK (update_rows_status),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (pager, "items-changed", G_CALLBACK (update_rows_status),
                               self, G_CONNECT_SWAPPED);
      gtk_stack_set_visible_child_name (self->results_stack, "rows");
      g_free (self->results_sql);
      self->results_sql = g_strdup (last->sql);
      g_free (self->results_duration);
      self->results_duration = g_steal_pointer (&duration);
      update_rows_status (self);
      return;
    }
  else
    {
      gint64 changes = lh_result_set_get_changes (result);
      g_autofree char *title = NULL;

      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lld Row Changed",
                                            "%lld Rows Changed", changes),
                               (long long) changes);
      adw_status_page_set_title (self->done_page, title);
      adw_status_page_set_description (self->done_page,
                                       statements->len > 1
                                         ? _("Every statement of the script ran.")
                                         : _("The statement ran."));
      gtk_stack_set_visible_child_name (self->results_stack, "done");
      status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lld row changed · %s",
                                             "%lld rows changed · %s", changes),
                                (long long) changes, duration);
    }
  set_status (self, status);
}

typedef struct
{
  LhQueryPage *self;
  int          base;
  char        *sql;          /* the statement explained, for explain_cb */
  gint64       started_at;   /* wall clock, for the history */
} RunData;

/* Every statement that ran, as it ended, in the history of this user. */
static void
record_history (LhQueryPage *self,
                GPtrArray   *statements,
                gint64       started_at)
{
  LhHistory *history = lh_history_get_default ();

  if (self->connection == NULL)
    return;
  for (guint i = 0; i < statements->len; i++)
    {
      LhStatementResult *statement = g_ptr_array_index (statements, i);
      LhHistoryOutcome outcome = LH_HISTORY_OK;

      if (g_error_matches (statement->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        outcome = LH_HISTORY_CANCELLED;
      else if (statement->error != NULL)
        outcome = LH_HISTORY_FAILED;
      lh_history_add (history, lh_connection_get_location (self->connection), statement->sql,
                      started_at,
                      statement->result != NULL ? lh_result_set_get_elapsed (statement->result) : 0,
                      outcome, statement->error != NULL ? statement->error->message : NULL);
    }
}

static char *first_line (const char *sql);

static void
delete_mark (GtkTextMark *mark)
{
  GtkTextBuffer *buffer = gtk_text_mark_get_buffer (mark);

  if (buffer != NULL)
    gtk_text_buffer_delete_mark (buffer, mark);
  g_object_unref (mark);
}

/* One line of the summary: what statement i did, or that it did not run (because of a
 * failure, or a cancel when cancelled is TRUE). */
static GtkWidget *
new_statement_row (LhQueryPage       *self,
                   LhScript          *script,
                   guint              i,
                   LhStatementResult *statement,
                   gboolean           cancelled,
                   int                base)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GtkTextIter iter;
  const char *text = lh_script_get_text (script);
  const LhStatementSpan *span = lh_script_get_statement (script, i);
  g_autofree char *sql = lh_script_dup_statement_sql (script, i);
  g_autofree char *title = first_line (sql);
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *image;
  const char *icon;

  if (statement == NULL)
    {
      icon = "action-unavailable-symbolic";
      subtitle = g_strdup (cancelled ? _("Not run: the run was cancelled")
                                     : _("Not run: an earlier statement failed"));
    }
  else if (g_error_matches (statement->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      icon = "process-stop-symbolic";
      subtitle = g_strdup (_("Cancelled"));
    }
  else if (statement->error != NULL)
    {
      icon = "dialog-error-symbolic";
      subtitle = g_strdup (statement->error->message);
    }
  else
    {
      LhResultSet *result = statement->result;
      g_autofree char *duration = format_duration (lh_result_set_get_elapsed (result));
      guint n_rows = lh_result_set_get_n_rows (result);
      gint64 changes = lh_result_set_get_changes (result);

      icon = "object-select-symbolic";
      if (lh_result_set_get_n_columns (result) > 0 && lh_result_set_get_truncated (result))
        /* TRANSLATORS: the statement returned more rows than were read when it ran */
        subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "over %u row returned · %s",
                                                 "over %u rows returned · %s", n_rows),
                                    n_rows, duration);
      else if (lh_result_set_get_n_columns (result) > 0)
        subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u row returned · %s",
                                                 "%u rows returned · %s", n_rows), n_rows, duration);
      else
        subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lld row changed · %s",
                                                 "%lld rows changed · %s", changes),
                                    (long long) changes, duration);
    }
  /* Without markup, title and subtitle are shown as they are. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  image = gtk_image_new_from_icon_name (icon);
  if (statement != NULL && statement->error != NULL)
    gtk_widget_add_css_class (image, "error");
  else if (statement != NULL)
    gtk_widget_add_css_class (image, "success");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, sql);
  if (statement == NULL)
    gtk_widget_add_css_class (row, "dim-label");
  /* Where the statement is in the buffer, kept by marks through later edits, to select
   * it when the row is activated. */
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, base + g_utf8_pointer_to_offset (text, text + span->offset));
  g_object_set_data_full (G_OBJECT (row), "lh-start",
                          g_object_ref (gtk_text_buffer_create_mark (buffer, NULL, &iter, TRUE)),
                          (GDestroyNotify) delete_mark);
  gtk_text_buffer_get_iter_at_offset (buffer, &iter,
                                      base + g_utf8_pointer_to_offset (text, text + span->offset + span->length));
  g_object_set_data_full (G_OBJECT (row), "lh-end",
                          g_object_ref (gtk_text_buffer_create_mark (buffer, NULL, &iter, FALSE)),
                          (GDestroyNotify) delete_mark);
  return row;
}

/* After a run of several statements, a button tells how many ran and opens what each did. */
static void
show_statements (LhQueryPage *self,
                 LhScript    *script,
                 GPtrArray   *statements,
                 int          base)
{
  guint n = lh_script_get_n_statements (script);
  g_autofree char *label = NULL;
  LhStatementResult *last;
  gboolean cancelled;

  lh_list_box_clear (self->statements_list);
  gtk_widget_set_visible (GTK_WIDGET (self->statements_button), n > 1);
  if (n <= 1)
    return;
  last = g_ptr_array_index (statements, statements->len - 1);
  cancelled = g_error_matches (last->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  for (guint i = 0; i < n; i++)
    gtk_list_box_append (self->statements_list,
                         new_statement_row (self, script, i,
                                            i < statements->len ? g_ptr_array_index (statements, i) : NULL,
                                            cancelled, base));
  if (statements->len == n)
    label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Statement", "%u Statements", n), n);
  else
    /* TRANSLATORS: statements of a script that ran, of all it has: "2 of 5 Statements" */
    label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u Statement", "%u of %u Statements", n),
                             statements->len, n);
  gtk_menu_button_set_label (self->statements_button, label);
}

static void
statements_row_activated_cb (LhQueryPage   *self,
                             GtkListBoxRow *row)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GtkTextIter start, end;

  gtk_text_buffer_get_iter_at_mark (buffer, &start, g_object_get_data (G_OBJECT (row), "lh-start"));
  gtk_text_buffer_get_iter_at_mark (buffer, &end, g_object_get_data (G_OBJECT (row), "lh-end"));
  gtk_text_buffer_select_range (buffer, &start, &end);
  gtk_popover_popdown (gtk_menu_button_get_popover (self->statements_button));
  gtk_text_view_scroll_mark_onscreen (GTK_TEXT_VIEW (self->editor), gtk_text_buffer_get_insert (buffer));
  gtk_widget_grab_focus (GTK_WIDGET (self->editor));
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  RunData *data = user_data;
  g_autoptr(LhQueryPage) self = data->self;
  LhScript *script = LH_SCRIPT (object);
  g_autoptr(GPtrArray) statements = NULL;
  LhStatementResult *last;

  statements = lh_script_run_finish (script, result, NULL);
  record_history (self, statements, data->started_at);
  g_clear_object (&self->cancellable);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  for (guint i = 0; i < statements->len; i++)
    {
      LhStatementResult *statement = g_ptr_array_index (statements, i);

      if (statement->error == NULL && lh_sql_changes_schema (statement->sql))
        {
          g_signal_emit (self, signals[SCHEMA_CHANGED], 0);
          break;
        }
    }

  show_statements (self, script, statements, data->base);
  last = g_ptr_array_index (statements, statements->len - 1);
  if (last->error != NULL)
    show_failure (self, last, lh_script_get_text (script), data->base, statements->len);
  else
    show_success (self, statements);
  g_free (data);
}

/* Runs text, which starts at character base of the buffer, as a script, with values for
 * its parameters if given. */
static void
start_script (LhQueryPage *self,
              const char  *text,
              int          base,
              GHashTable  *values)
{
  g_autoptr(LhScript) script = lh_script_new (text);
  RunData *data;

  lh_script_set_values (script, values);
  self->cancellable = g_cancellable_new ();
  update_actions (self);
  set_status (self, _("Running…"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  data = g_new0 (RunData, 1);
  data->self = g_object_ref (self);
  data->base = base;
  data->started_at = g_get_real_time ();
  lh_script_run_async (script, self->connection, LH_QUERY_PAGE_MAX_ROWS, self->cancellable,
                       run_cb, data);
}

/* The parameter keys of every statement of script, each once, in order. */
static GPtrArray *
script_parameters (LhScript *script)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < lh_script_get_n_statements (script); i++)
    {
      g_autofree char *sql = lh_script_dup_statement_sql (script, i);
      g_autoptr(GPtrArray) statement_keys = lh_sql_parameters (sql);

      for (guint k = 0; k < statement_keys->len; k++)
        if (!g_ptr_array_find_with_equal_func (keys, g_ptr_array_index (statement_keys, k),
                                               g_str_equal, NULL))
          g_ptr_array_add (keys, g_strdup (g_ptr_array_index (statement_keys, k)));
    }
  return keys;
}

typedef struct
{
  LhQueryPage *self;
  char        *text;
  int          base;
  GPtrArray   *rows;   /* AdwEntryRow per parameter, its key in "lh-key" */
} ParametersData;

static void
parameters_data_free (ParametersData *data,
                      GClosure       *closure)
{
  g_object_unref (data->self);
  g_free (data->text);
  g_ptr_array_unref (data->rows);
  g_free (data);
}

static void
parameters_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        ParametersData   *data)
{
  LhQueryPage *self = data->self;
  g_autoptr(GHashTable) values = NULL;

  if (!g_str_equal (response, "run") || self->connection == NULL || self->cancellable != NULL)
    return;
  values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) lh_value_free);
  for (guint i = 0; i < data->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (data->rows, i);
      GtkToggleButton *null = g_object_get_data (G_OBJECT (row), "lh-null");
      const char *key = g_object_get_data (G_OBJECT (row), "lh-key");
      const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

      if (gtk_toggle_button_get_active (null))
        {
          g_hash_table_insert (values, g_strdup (key), lh_value_new_null ());
          g_hash_table_insert (self->parameter_texts, g_strdup (key), NULL);
        }
      else
        {
          /* No column to take an affinity from: a number when it is one, text else. */
          g_hash_table_insert (values, g_strdup (key), lh_value_new_from_input (text, NULL));
          g_hash_table_insert (self->parameter_texts, g_strdup (key), g_strdup (text));
        }
    }
  start_script (self, data->text, data->base, values);
}

static void
null_toggled_cb (GtkToggleButton *button,
                 GtkWidget       *row)
{
  gtk_editable_set_editable (GTK_EDITABLE (row), !gtk_toggle_button_get_active (button));
  gtk_widget_set_opacity (gtk_widget_get_first_child (row), gtk_toggle_button_get_active (button) ? 0.5 : 1.0);
}

static GtkWidget *
new_parameter_row (LhQueryPage *self,
                   const char  *key)
{
  GtkWidget *row = adw_entry_row_new ();
  GtkWidget *null = gtk_toggle_button_new_with_label ("NULL");
  const char *last = NULL;
  gboolean known = g_hash_table_lookup_extended (self->parameter_texts, key, NULL, (gpointer *) &last);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), key);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_widget_set_valign (null, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (null, "flat");
  gtk_widget_set_tooltip_text (null, _("Bind NULL"));
  g_signal_connect (null, "toggled", G_CALLBACK (null_toggled_cb), row);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), null);
  if (known && last != NULL)
    gtk_editable_set_text (GTK_EDITABLE (row), last);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (null), known && last == NULL);
  g_object_set_data_full (G_OBJECT (row), "lh-key", g_strdup (key), g_free);
  g_object_set_data (G_OBJECT (row), "lh-null", null);
  return row;
}

/* Parameters in the SQL: a dialog asks for their values, then the script runs. */
static void
ask_parameters (LhQueryPage *self,
                const char  *text,
                int          base,
                GPtrArray   *keys)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *list = gtk_list_box_new ();
  AdwMessageDialog *dialog;
  ParametersData *data;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Parameter Values"),
                                                       _("The SQL has parameters: give each a value. "
                                                         "A number is bound as a number, anything "
                                                         "else as text.")));
  data = g_new0 (ParametersData, 1);
  data->self = g_object_ref (self);
  data->text = g_strdup (text);
  data->base = base;
  data->rows = g_ptr_array_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < keys->len; i++)
    {
      GtkWidget *row = new_parameter_row (self, g_ptr_array_index (keys, i));

      g_ptr_array_add (data->rows, row);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  adw_message_dialog_set_extra_child (dialog, list);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "run", _("_Run"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "run", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "run");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (parameters_response_cb), data,
                         (GClosureNotify) parameters_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
run_text (LhQueryPage *self,
          const char  *text,
          int          base)
{
  g_autoptr(LhScript) script = NULL;
  g_autoptr(GPtrArray) keys = NULL;

  clear_error (self);
  script = lh_script_new (text);
  if (lh_script_get_n_statements (script) == 0)
    {
      set_status (self, _("There is no SQL to run"));
      return;
    }
  keys = script_parameters (script);
  if (keys->len > 0)
    ask_parameters (self, text, base, keys);
  else
    start_script (self, text, base, NULL);
}

/* The selection, or else all the text; start is where it begins. */
static char *
dup_selection_or_all (LhQueryPage *self,
                      GtkTextIter *start)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GtkTextIter end;

  if (!gtk_text_buffer_get_selection_bounds (buffer, start, &end))
    gtk_text_buffer_get_bounds (buffer, start, &end);
  return gtk_text_buffer_get_text (buffer, start, &end, FALSE);
}

/* The selection, or else the one statement the cursor is in (or just after); *base is
 * the character offset it starts at. NULL when there is no SQL. */
static char *
dup_current_sql (LhQueryPage *self,
                 int         *base)
{
  GtkTextBuffer *buffer = get_buffer (self);
  g_autofree char *text = NULL;
  g_autoptr(GArray) spans = NULL;
  GtkTextIter start, end, cursor;
  const LhStatementSpan *span;
  int index;

  if (gtk_text_buffer_get_selection_bounds (buffer, &start, &end))
    {
      *base = gtk_text_iter_get_offset (&start);
      return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    }
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  spans = lh_sql_split (text, -1);
  index = lh_sql_statement_at (spans, g_utf8_offset_to_pointer (text, gtk_text_iter_get_offset (&cursor)) - text);
  if (index < 0)
    return NULL;
  span = &g_array_index (spans, LhStatementSpan, index);
  *base = g_utf8_pointer_to_offset (text, text + span->offset);
  return g_strndup (text + span->offset, span->length);
}

/* Ctrl+Enter: the selection, or else the one statement the cursor is in (or just after). */
static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  LhQueryPage *self = LH_QUERY_PAGE (widget);
  g_autofree char *sql = NULL;
  int base = 0;

  if (self->connection == NULL || self->cancellable != NULL)
    return;
  sql = dup_current_sql (self, &base);
  if (sql == NULL)
    {
      set_status (self, _("There is no SQL to run"));
      return;
    }
  run_text (self, sql, base);
}

/* The plan as a list, a step's children indented under it, full scans flagged. */
static void
show_plan (LhQueryPage *self,
           GPtrArray   *steps)
{
  guint n_full = 0;

  lh_list_box_clear (self->plan_list);
  for (guint i = 0; i < steps->len; i++)
    {
      LhPlanStep *step = g_ptr_array_index (steps, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (step->full_scan ? "dialog-warning-symbolic"
                                                                      : "go-next-symbolic");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), step->detail);
      gtk_widget_set_margin_start (icon, 24 * step->depth);
      gtk_widget_add_css_class (icon, step->full_scan ? "warning" : "dim-label");
      if (step->full_scan)
        {
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                       _("Reads every row of the table: an index could help"));
          n_full++;
        }
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_append (self->plan_list, row);
    }
  gtk_stack_set_visible_child_name (self->results_stack, "plan");
  if (n_full > 0)
    {
      g_autofree char *status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                              "Query plan · %u full scan",
                                                              "Query plan · %u full scans", n_full),
                                                 n_full);

      set_status (self, status);
    }
  else
    set_status (self, _("Query plan"));
}

static void
explain_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  RunData *data = user_data;
  g_autoptr(LhQueryPage) self = data->self;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  g_autoptr(GError) error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  g_clear_object (&self->cancellable);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  if (rows != NULL)
    steps = lh_query_plan_from_rows (rows);
  if (steps != NULL)
    show_plan (self, steps);
  else
    {
      LhStatementResult failed = { 0 };

      if (error == NULL)
        error = g_error_new_literal (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                                     _("The database gave no query plan for this statement."));
      failed.error = error;
      /* The error's position is in "EXPLAIN QUERY PLAN …": move it to the statement. */
      lh_connection_error_set_offset (error, MAX (-1, lh_connection_error_get_offset (error) -
                                                      (int) strlen ("EXPLAIN QUERY PLAN ")));
      show_failure (self, &failed, data->sql, data->base, 1);
    }
  g_free (data->sql);
  g_free (data);
}

/* How SQLite will run the statement at the cursor. */
static void
explain_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LhQueryPage *self = LH_QUERY_PAGE (widget);
  g_autofree char *plan_sql = NULL;
  RunData *data;
  int base = 0;
  char *sql;

  if (self->connection == NULL || self->cancellable != NULL)
    return;
  sql = dup_current_sql (self, &base);
  if (sql == NULL)
    {
      set_status (self, _("There is no SQL to explain"));
      return;
    }
  clear_error (self);
  plan_sql = lh_query_plan_dup_sql (sql);
  self->cancellable = g_cancellable_new ();
  update_actions (self);
  set_status (self, _("Running…"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  data = g_new0 (RunData, 1);
  data->self = g_object_ref (self);
  data->base = base;
  data->sql = sql;
  lh_connection_execute_async (self->connection, plan_sql, NULL, 0, self->cancellable,
                               explain_cb, data);
}

/* Ctrl+Shift+Enter: every statement, of the selection or of all the text. */
static void
run_all_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LhQueryPage *self = LH_QUERY_PAGE (widget);
  g_autofree char *text = NULL;
  GtkTextIter start;

  if (self->connection == NULL || self->cancellable != NULL)
    return;
  text = dup_selection_or_all (self, &start);
  run_text (self, text, gtk_text_iter_get_offset (&start));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LhQueryPage *self = LH_QUERY_PAGE (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* History */

static char *
first_line (const char *sql)
{
  g_autofree char *flat = g_strdup (sql);

  g_strdelimit (flat, "\n\r\t", ' ');
  return g_strstrip (g_steal_pointer (&flat));
}

/* "2026-11-25 14:03" in local time, from the stored ISO 8601 UTC time. */
static char *
local_time (const LhValue *when)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (when->kind != LH_VALUE_TEXT)
    return g_strdup ("");
  utc = g_date_time_new_from_iso8601 (when->v.text.data, NULL);
  if (utc == NULL)
    return g_strdup (when->v.text.data);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static void
history_run_clicked_cb (GtkButton   *button,
                        LhQueryPage *self)
{
  const char *sql = g_object_get_data (G_OBJECT (gtk_widget_get_ancestor (GTK_WIDGET (button),
                                                                        GTK_TYPE_LIST_BOX_ROW)),
                                       "lh-sql");

  lh_query_page_set_text (self, sql);
  gtk_popover_popdown (gtk_menu_button_get_popover (self->history_button));
  gtk_widget_activate_action (GTK_WIDGET (self), "query.run-all", NULL);
}

static GtkWidget *
new_history_row (LhQueryPage *self,
                 LhResultSet *rows,
                 guint        i)
{
  const LhValue *sql = lh_result_set_get_value (rows, i, 2);
  const LhValue *when = lh_result_set_get_value (rows, i, 3);
  const LhValue *outcome = lh_result_set_get_value (rows, i, 5);
  const LhValue *message = lh_result_set_get_value (rows, i, 6);
  g_autofree char *title = first_line (sql->kind == LH_VALUE_TEXT ? sql->v.text.data : "");
  g_autofree char *duration = format_duration (lh_result_set_get_value (rows, i, 4)->v.real * 1000);
  g_autofree char *subtitle = NULL;
  g_autofree char *local = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *run = gtk_button_new_from_icon_name ("media-playback-start-symbolic");
  gboolean failed = outcome->kind == LH_VALUE_TEXT && !g_str_equal (outcome->v.text.data, "ok");

  local = local_time (when);
  subtitle = g_strdup_printf ("%s · %s%s%s", local, duration,
                              failed ? " · " : "",
                              failed && message->kind == LH_VALUE_TEXT ? message->v.text.data
                              : failed ? _("cancelled") : "");
  /* Without markup, title and subtitle are shown as they are. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 2);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, sql->kind == LH_VALUE_TEXT ? sql->v.text.data : NULL);
  if (failed)
    adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("dialog-error-symbolic"));
  gtk_widget_set_valign (run, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (run, "flat");
  gtk_widget_set_tooltip_text (run, _("Run it again"));
  g_signal_connect (run, "clicked", G_CALLBACK (history_run_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), run);
  g_object_set_data_full (G_OBJECT (row), "lh-sql",
                          g_strdup (sql->kind == LH_VALUE_TEXT ? sql->v.text.data : ""), g_free);
  return row;
}

static void
history_loaded_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(LhQueryPage) self = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = lh_history_search_finish (LH_HISTORY (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->history_list == NULL)
    return;
  lh_list_box_clear (self->history_list);
  if (rows == NULL || lh_result_set_get_n_rows (rows) == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     rows == NULL ? error->message : _("Nothing run here yet"));
      gtk_list_box_append (self->history_list, row);
      return;
    }
  for (guint i = 0; i < lh_result_set_get_n_rows (rows); i++)
    gtk_list_box_append (self->history_list, new_history_row (self, rows, i));
}

static void
history_search_cb (LhQueryPage *self)
{
  if (self->connection == NULL)
    return;
  g_cancellable_cancel (self->history_cancellable);
  g_clear_object (&self->history_cancellable);
  self->history_cancellable = g_cancellable_new ();
  lh_history_search_async (lh_history_get_default (),
                           gtk_editable_get_text (GTK_EDITABLE (self->history_search)),
                           lh_connection_get_location (self->connection), 200,
                           self->history_cancellable, history_loaded_cb, g_object_ref (self));
}

static void
history_shown_cb (LhQueryPage *self)
{
  history_search_cb (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->history_search));
}

static void
history_row_activated_cb (LhQueryPage   *self,
                          GtkListBoxRow *row)
{
  const char *sql = g_object_get_data (G_OBJECT (row), "lh-sql");

  if (sql == NULL)
    return;
  lh_query_page_set_text (self, sql);
  gtk_popover_popdown (gtk_menu_button_get_popover (self->history_button));
  lh_query_page_focus_editor (self);
}

static void
show_history_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  gtk_menu_button_popup (LH_QUERY_PAGE (widget)->history_button);
}

/* The history list as shown, one entry a line, for tests. */
char *
lh_query_page_dup_history_text (LhQueryPage *self)
{
  GString *text = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->history_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_PREFERENCES_ROW (row))
      g_string_append_printf (text, "%s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  return g_string_free (text, FALSE);
}

void
lh_query_page_activate_history_row (LhQueryPage *self,
                                    guint        index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->history_list, index);

  g_return_if_fail (row != NULL);
  history_row_activated_cb (self, row);
}

/* The summary of the last run of several statements: its button's label, then a line per
 * statement, "SQL: what it did". NULL when the button is hidden. */
char *
lh_query_page_dup_statements_text (LhQueryPage *self)
{
  GString *text;

  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->statements_button)))
    return NULL;
  text = g_string_new (gtk_menu_button_get_label (self->statements_button));
  g_string_append_c (text, '\n');
  append_rows_text (text, self->statements_list);
  return g_string_free (text, FALSE);
}

void
lh_query_page_activate_statement_row (LhQueryPage *self,
                                      guint        index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->statements_list, index);

  g_return_if_fail (row != NULL);
  statements_row_activated_cb (self, row);
}

/* Snippets */

static void snippets_shown_cb (LhQueryPage *self);

static void
snippet_deleted_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LhQueryPage) self = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = lh_history_snippets_finish (LH_HISTORY (source), result, &error);
  if (rows == NULL)
    set_status (self, error->message);
  snippets_shown_cb (self);
}

static void
snippet_delete_clicked_cb (GtkButton   *button,
                           LhQueryPage *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);

  lh_history_delete_snippet_async (lh_history_get_default (),
                                   g_object_get_data (G_OBJECT (row), "lh-name"), NULL,
                                   snippet_deleted_cb, g_object_ref (self));
}

static GtkWidget *
new_snippet_row (LhQueryPage *self,
                 LhResultSet *rows,
                 guint        i)
{
  const LhValue *name = lh_result_set_get_value (rows, i, 0);
  const LhValue *sql = lh_result_set_get_value (rows, i, 1);
  const char *sql_text = sql->kind == LH_VALUE_TEXT ? sql->v.text.data : "";
  g_autofree char *subtitle = first_line (sql_text);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  /* Without markup, title and subtitle are shown as they are. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 name->kind == LH_VALUE_TEXT ? name->v.text.data : "");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, sql_text);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Delete the snippet"));
  g_signal_connect (remove, "clicked", G_CALLBACK (snippet_delete_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  g_object_set_data (G_OBJECT (row), "lh-delete", remove);
  g_object_set_data_full (G_OBJECT (row), "lh-name",
                          g_strdup (name->kind == LH_VALUE_TEXT ? name->v.text.data : ""), g_free);
  g_object_set_data_full (G_OBJECT (row), "lh-sql", g_strdup (sql_text), g_free);
  return row;
}

static void
snippets_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LhQueryPage) self = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = lh_history_snippets_finish (LH_HISTORY (source), result, &error);
  if (self->snippets_list == NULL)
    return;
  lh_list_box_clear (self->snippets_list);
  if (rows == NULL || lh_result_set_get_n_rows (rows) == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     rows == NULL ? error->message : _("No snippets saved yet"));
      gtk_list_box_append (self->snippets_list, row);
      return;
    }
  for (guint i = 0; i < lh_result_set_get_n_rows (rows); i++)
    gtk_list_box_append (self->snippets_list, new_snippet_row (self, rows, i));
}

static void
snippets_shown_cb (LhQueryPage *self)
{
  lh_history_list_snippets_async (lh_history_get_default (), NULL, snippets_loaded_cb,
                                  g_object_ref (self));
}

/* A snippet goes in at the cursor, in place of the selection: it is a piece of SQL to
 * build with, not a query to replace the text. */
static void
snippet_row_activated_cb (LhQueryPage   *self,
                          GtkListBoxRow *row)
{
  const char *sql = g_object_get_data (G_OBJECT (row), "lh-sql");
  GtkTextBuffer *buffer = get_buffer (self);

  if (sql == NULL)
    return;
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete_selection (buffer, TRUE, TRUE);
  gtk_text_buffer_insert_at_cursor (buffer, sql, -1);
  gtk_text_buffer_end_user_action (buffer);
  gtk_popover_popdown (gtk_menu_button_get_popover (self->snippets_button));
  gtk_widget_grab_focus (GTK_WIDGET (self->editor));
}

static void
snippet_saved_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LhQueryPage) self = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  rows = lh_history_snippets_finish (LH_HISTORY (source), result, &error);
  if (rows == NULL)
    status = g_strdup_printf (_("The snippet could not be saved: %s"), error->message);
  else
    status = g_strdup (_("Snippet saved"));
  set_status (self, status);
}

static void
save_snippet_response_cb (AdwMessageDialog *dialog,
                          const char       *response,
                          LhQueryPage      *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  const char *sql = g_object_get_data (G_OBJECT (dialog), "lh-sql");

  if (!g_str_equal (response, "save") || *name == '\0')
    return;
  lh_history_save_snippet_async (lh_history_get_default (), name, sql, NULL, snippet_saved_cb,
                                 g_object_ref (self));
}

static void
snippet_name_changed_cb (GtkEditable      *entry,
                         AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "save", *name != '\0');
}

/* Asks a name for the selection, or all the text, and keeps it as a snippet. */
static void
save_snippet_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  LhQueryPage *self = LH_QUERY_PAGE (widget);
  GtkTextBuffer *buffer = get_buffer (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkTextIter start, end;
  g_autofree char *sql = NULL;
  g_autofree char *name = NULL;
  GtkWidget *entry = gtk_entry_new ();
  AdwMessageDialog *dialog;

  if (!gtk_text_buffer_get_selection_bounds (buffer, &start, &end))
    gtk_text_buffer_get_bounds (buffer, &start, &end);
  sql = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  if (*sql == '\0')
    {
      set_status (self, _("There is no SQL to save as a snippet"));
      return;
    }
  gtk_popover_popdown (gtk_menu_button_get_popover (self->snippets_button));
  name = first_line (sql);
  if (g_utf8_strlen (name, -1) > 40)
    {
      char *cut = g_utf8_offset_to_pointer (name, 40);

      *cut = '\0';
    }
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Save as Snippet"),
                                                       _("Snippets are kept for every database. "
                                                         "A snippet of the same name is replaced.")));
  gtk_editable_set_text (GTK_EDITABLE (entry), name);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Snippet name"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "lh-sql", g_steal_pointer (&sql), g_free);
  g_signal_connect (entry, "changed", G_CALLBACK (snippet_name_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (save_snippet_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* The snippets listed, "name: first line" a line, for tests. */
char *
lh_query_page_dup_snippets_text (LhQueryPage *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), NULL);
  append_rows_text (text, self->snippets_list);
  return g_string_free (text, FALSE);
}

void
lh_query_page_activate_snippet_row (LhQueryPage *self,
                                    guint        index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->snippets_list, index);

  g_return_if_fail (row != NULL);
  snippet_row_activated_cb (self, row);
}

/* The delete button of snippet index, for tests. */
GtkWidget *
lh_query_page_get_snippet_delete_button (LhQueryPage *self,
                                         guint        index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->snippets_list, index);

  g_return_val_if_fail (row != NULL, NULL);
  return g_object_get_data (G_OBJECT (row), "lh-delete");
}

GtkMenuButton *
lh_query_page_get_snippets_button (LhQueryPage *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), NULL);
  return self->snippets_button;
}

/* Export */

static LhRowFormat
format_from_name (const char *name)
{
  static const char * const names[] = { "tsv", "csv", "json", "sql" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      return i;
  return LH_ROW_FORMAT_TSV;
}

/* The table the statement shown read from, for SQL INSERTs ("results" when none). */
static char *
dup_results_table (LhQueryPage *self)
{
  g_autoptr(GPtrArray) refs = lh_sql_table_refs (self->results_sql != NULL ? self->results_sql : "");

  return refs->len > 0 ? g_strdup (((LhTableRef *) g_ptr_array_index (refs, 0))->table) : NULL;
}

static LhRowWriter *
new_results_writer (LhQueryPage *self,
                    LhResultSet *result,
                    const char  *format)
{
  guint n_columns = lh_result_set_get_n_columns (result);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *table = dup_results_table (self);

  for (guint c = 0; c < n_columns; c++)
    g_ptr_array_add (names, (gpointer) lh_result_set_get_column_name (result, c));
  g_ptr_array_add (names, NULL);
  return lh_row_writer_new (format_from_name (format), table,
                            (const char * const *) names->pdata, n_columns, TRUE);
}

/* Pointers to the rows of result, each row being its first value (a result keeps its
 * rows' values one after the other). */
static GPtrArray *
result_rows (LhResultSet *result)
{
  GPtrArray *rows = g_ptr_array_sized_new (lh_result_set_get_n_rows (result));

  for (guint r = 0; r < lh_result_set_get_n_rows (result); r++)
    g_ptr_array_add (rows, (gpointer) lh_result_set_get_value (result, r, 0));
  return rows;
}

/* The rows shown, in a format ("tsv", "csv", "json", "sql"); NULL when none are shown or
 * when there are more than one run read at once (they are copied and saved through
 * the pager then). SQL inserts into the table the statement read from, "results" when it
 * read none. */
char *
lh_query_page_dup_results_text (LhQueryPage *self,
                                const char  *format)
{
  LhResultSet *result;
  g_autoptr(LhRowWriter) writer = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GString *out;

  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), NULL);

  result = lh_result_view_get_result (self->result_view);
  if (!has_rows (self) || lh_result_set_get_n_columns (result) == 0 ||
      lh_query_pager_get_paged (lh_result_view_get_pager (self->result_view)))
    return NULL;
  writer = new_results_writer (self, result, format);
  rows = result_rows (result);
  out = g_string_new (NULL);
  lh_row_writer_add (writer, out, rows);
  lh_row_writer_finish (writer, out);
  return g_string_free (out, FALSE);
}

/* Copying or saving every row of a result, read a batch at a time through its pager: the
 * text of one batch is written (or, for the clipboard, kept) before the next is read. */

/* Rows read per batch. */
#define WALK_ROWS 4096

/* More rows than this are not put on the clipboard. */
#define COPY_MAX_ROWS 100000

typedef struct
{
  LhQueryPage   *self;
  LhQueryPager  *pager;
  LhRowWriter   *writer;
  GString       *out;
  guint64        next;
  gboolean       last;
  GCancellable  *cancellable;
  GFile         *file;       /* saving: the target; NULL: copying */
  LhAtomicFile  *atomic;
  GOutputStream *stream;     /* the atomic file's */
} Walk;

static void
walk_free (Walk *walk)
{
  g_clear_object (&walk->self);
  g_clear_object (&walk->pager);
  g_clear_pointer (&walk->writer, lh_row_writer_free);
  if (walk->out != NULL)
    g_string_free (walk->out, TRUE);
  g_clear_object (&walk->cancellable);
  g_clear_object (&walk->file);
  walk->stream = NULL;
  g_clear_pointer (&walk->atomic, lh_atomic_file_free);
  g_free (walk);
}

static void walk_read_next (Walk *walk);

/* Ends the walk with status; a file being saved that was not committed is left as it
 * was (freeing the atomic file removes its temporary file). */
static void
walk_end (Walk       *walk,
          const char *status)
{
  LhQueryPage *self = walk->self;

  if (self->cancellable == walk->cancellable)
    {
      g_clear_object (&self->cancellable);
      update_actions (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
    }
  if (self->status_label != NULL)
    set_status (self, status);
  walk_free (walk);
}

static void
walk_fail (Walk         *walk,
           const GError *error)
{
  g_autofree char *name = walk->file != NULL ? g_file_get_basename (walk->file) : NULL;
  g_autofree char *status = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    status = name != NULL ? g_strdup_printf (_("Saving cancelled; “%s” was not changed"), name)
                          : g_strdup (_("Copying cancelled"));
  else if (name != NULL)
    status = g_strdup_printf (_("Could not save “%s”: %s"), name, error->message);
  else
    status = g_strdup_printf (_("Could not copy the rows: %s"), error->message);
  walk_end (walk, status);
}

static void
walk_closed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Walk *walk = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (walk->file);
  g_autofree char *status = NULL;

  if (!lh_atomic_file_commit_finish (result, &error))
    {
      walk_fail (walk, error);
      return;
    }
  status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Saved “%s” (%llu row)",
                                         "Saved “%s” (%llu rows)", (gulong) MIN (walk->next, G_MAXLONG)),
                            name, (unsigned long long) walk->next);
  walk_end (walk, status);
}

static void
walk_written_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Walk *walk = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      walk_fail (walk, error);
      return;
    }
  g_string_truncate (walk->out, 0);
  if (!walk->last)
    walk_read_next (walk);
  else
    lh_atomic_file_commit_async (walk->atomic, walk->cancellable, walk_closed_cb, walk);
}

static void
walk_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Walk *walk = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GPtrArray) pointers = NULL;
  g_autofree char *progress = NULL;

  rows = lh_query_pager_read_finish (walk->pager, result, &error);
  if (rows == NULL)
    {
      walk_fail (walk, error);
      return;
    }
  pointers = result_rows (rows);
  lh_row_writer_add (walk->writer, walk->out, pointers);
  walk->next += pointers->len;
  walk->last = pointers->len < WALK_ROWS;
  if (walk->last)
    lh_row_writer_finish (walk->writer, walk->out);

  if (walk->stream == NULL)
    {
      if (walk->next > COPY_MAX_ROWS)
        {
          g_autofree char *status = g_strdup_printf (_("There are more than %u rows to copy: "
                                                       "save them to a file instead"),
                                                     COPY_MAX_ROWS);

          walk_end (walk, status);
        }
      else if (walk->last)
        {
          g_autofree char *status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                  "Copied %llu row",
                                                                  "Copied %llu rows",
                                                                  (gulong) walk->next),
                                                     (unsigned long long) walk->next);

          gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (walk->self)),
                                  walk->out->str);
          walk_end (walk, status);
        }
      else
        walk_read_next (walk);
      return;
    }

  progress = g_strdup_printf (_("Saving… %llu rows"), (unsigned long long) walk->next);
  set_status (walk->self, progress);
  g_output_stream_write_all_async (walk->stream, walk->out->str, walk->out->len,
                                   G_PRIORITY_DEFAULT, walk->cancellable, walk_written_cb, walk);
}

static void
walk_read_next (Walk *walk)
{
  lh_query_pager_read_async (walk->pager, walk->next, WALK_ROWS, walk->cancellable,
                             walk_read_cb, walk);
}

static void
walk_opened_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Walk *walk = user_data;
  g_autoptr(GError) error = NULL;

  walk->atomic = lh_atomic_file_new_finish (result, &error);
  if (walk->atomic == NULL)
    {
      walk_fail (walk, error);
      return;
    }
  walk->stream = lh_atomic_file_get_stream (walk->atomic);
  walk_read_next (walk);
}

/* Starts copying (file NULL) or saving every row shown; Cancel stops it. */
static gboolean
start_walk (LhQueryPage *self,
            GFile       *file,
            const char  *format)
{
  LhQueryPager *pager = lh_result_view_get_pager (self->result_view);
  Walk *walk;

  if (!has_rows (self) || lh_query_pager_get_n_columns (pager) == 0 || self->cancellable != NULL)
    return FALSE;

  walk = g_new0 (Walk, 1);
  walk->self = g_object_ref (self);
  walk->pager = g_object_ref (pager);
  walk->writer = new_results_writer (self, lh_query_pager_get_first (pager), format);
  walk->out = g_string_new (NULL);
  walk->cancellable = g_cancellable_new ();
  self->cancellable = g_object_ref (walk->cancellable);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  if (file == NULL)
    {
      set_status (self, _("Copying…"));
      walk_read_next (walk);
      return TRUE;
    }
  walk->file = g_object_ref (file);
  set_status (self, _("Saving…"));
  /* Written beside the target and renamed over it at the end, so that a failed or
   * cancelled save leaves the old file as it was. */
  lh_atomic_file_new_async (file, walk->cancellable, walk_opened_cb, walk);
  return TRUE;
}

static void
copy_results_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  LhQueryPage *self = LH_QUERY_PAGE (widget);
  const char *format = g_variant_get_string (parameter, NULL);
  g_autofree char *text = lh_query_page_dup_results_text (self, format);

  if (text != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  else
    start_walk (self, NULL, format);
}

/* Writes every row of the result shown to file in format, a batch at a time; the status
 * says when it is saved. FALSE when there is nothing to save or something runs. */
gboolean
lh_query_page_export_to_file (LhQueryPage *self,
                              GFile       *file,
                              const char  *format)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  return start_walk (self, file, format);
}

static void
export_response_cb (LhQueryPage          *self,
                    int                   response,
                    GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      lh_query_page_export_to_file (self, file, g_object_get_data (G_OBJECT (chooser), "lh-format"));
    }
  g_clear_object (&self->export_chooser);
}

static void
export_results_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LhQueryPage *self = LH_QUERY_PAGE (widget);
  const char *format = g_variant_get_string (parameter, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;

  if (self->export_chooser != NULL || !has_rows (self))
    return;
  chooser = gtk_file_chooser_native_new (_("Save the Rows"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  name = g_strdup_printf ("results.%s", lh_row_format_get_extension (format_from_name (format)));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data_full (G_OBJECT (chooser), "lh-format", g_strdup (format), g_free);
  self->export_chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_swapped (chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (self->export_chooser);
}

/* Files */

char *
lh_query_page_dup_title (LhQueryPage *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), NULL);
  return self->file != NULL ? g_file_get_basename (self->file) : NULL;
}

/* TRUE when the text of a file was changed since it was opened or saved. */
gboolean
lh_query_page_get_modified (LhQueryPage *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), FALSE);
  return self->file != NULL && gtk_text_buffer_get_modified (get_buffer (self));
}

GFile *
lh_query_page_get_file (LhQueryPage *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), NULL);
  return self->file;
}

static void
set_file (LhQueryPage *self,
          GFile       *file)
{
  g_set_object (&self->file, file);
  gtk_text_buffer_set_modified (get_buffer (self), FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

static void
text_changed_cb (LhQueryPage *self)
{
  self->n_edits++;
  g_signal_emit (self, signals[TEXT_CHANGED], 0);
}

char *
lh_query_page_dup_text (LhQueryPage *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), NULL);
  gtk_text_buffer_get_bounds (get_buffer (self), &start, &end);
  return gtk_text_buffer_get_text (get_buffer (self), &start, &end, FALSE);
}

static void file_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* Puts back a tab as it was left: its text, the file it belongs to (or NULL) and
 * whether the text had changes not saved to that file. */
void
lh_query_page_restore (LhQueryPage *self,
                       GFile       *file,
                       const char  *text,
                       gboolean     modified)
{
  g_return_if_fail (LH_IS_QUERY_PAGE (self));

  gtk_text_buffer_set_text (get_buffer (self), text, -1);
  set_file (self, file);
  gtk_text_buffer_set_modified (get_buffer (self), modified);
  /* Without changes of its own, the tab shows its file as it is now, edits made
   * elsewhere included; the text kept stays if the file cannot be read. */
  if (file != NULL && !modified)
    {
      g_autoptr(GFile) reload = g_file_dup (file);

      g_object_set_data (G_OBJECT (reload), "lh-reload", GINT_TO_POINTER (TRUE));
      self->reload_edits = self->n_edits;
      g_file_load_contents_async (reload, NULL, file_loaded_cb, g_object_ref (self));
    }
}

static void
modified_changed_cb (LhQueryPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

static void
file_loaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LhQueryPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (self->status_label == NULL)
    return;
  /* A restored tab's reload yields to what was typed in it meanwhile. */
  if (g_object_get_data (G_OBJECT (source), "lh-reload") != NULL && self->n_edits != self->reload_edits)
    return;
  g_object_set_data (G_OBJECT (source), "lh-reload", NULL);
  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      g_autofree char *status = g_strdup_printf (_("Could not open the file: %s"), error->message);

      set_status (self, status);
      return;
    }
  if (!g_utf8_validate (contents, length, NULL))
    {
      set_status (self, _("Could not open the file: it is not UTF-8 text."));
      return;
    }
  gtk_text_buffer_set_text (get_buffer (self), contents, length);
  set_file (self, G_FILE (source));
  set_status (self, "");
}

/* Reads file into the editor, replacing its text. */
void
lh_query_page_open_file (LhQueryPage *self,
                         GFile       *file)
{
  g_return_if_fail (LH_IS_QUERY_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));
  g_file_load_contents_async (file, NULL, file_loaded_cb, g_object_ref (self));
}

static void
file_saved_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LhQueryPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (source));
  g_autofree char *status = NULL;

  if (self->status_label == NULL)
    return;
  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      status = g_strdup_printf (_("Could not save “%s”: %s"), name, error->message);
      set_status (self, status);
      return;
    }
  set_file (self, G_FILE (source));
  status = g_strdup_printf (_("Saved “%s”"), name);
  set_status (self, status);
}

/* Writes the editor's text to file (beside it, then renamed over it). */
void
lh_query_page_save_to_file (LhQueryPage *self,
                            GFile       *file)
{
  GtkTextIter start, end;
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  g_return_if_fail (LH_IS_QUERY_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  gtk_text_buffer_get_bounds (get_buffer (self), &start, &end);
  text = gtk_text_buffer_get_text (get_buffer (self), &start, &end, FALSE);
  bytes = g_bytes_new_take (text, strlen (text));
  g_file_replace_contents_bytes_async (file, bytes, NULL, TRUE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, file_saved_cb, g_object_ref (self));
}

static void
file_chooser_response_cb (LhQueryPage          *self,
                          int                   response,
                          GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)) == GTK_FILE_CHOOSER_ACTION_SAVE)
        lh_query_page_save_to_file (self, file);
      else
        lh_query_page_open_file (self, file);
    }
  g_clear_object (&self->file_chooser);
}

static void
run_file_chooser (LhQueryPage          *self,
                  GtkFileChooserAction  action)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) sql = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;
  gboolean saving = action == GTK_FILE_CHOOSER_ACTION_SAVE;

  if (self->file_chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (saving ? _("Save the SQL") : _("Open an SQL File"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, action,
                                         saving ? _("_Save") : _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (sql, _("SQL files"));
  gtk_file_filter_add_suffix (sql, "sql");
  gtk_file_filter_add_mime_type (sql, "application/sql");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), sql);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  if (saving && self->file == NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "query.sql");
  self->file_chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_swapped (chooser, "response", G_CALLBACK (file_chooser_response_cb), self);
  gtk_native_dialog_show (self->file_chooser);
}

static void
open_file_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  run_file_chooser (LH_QUERY_PAGE (widget), GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LhQueryPage *self = LH_QUERY_PAGE (widget);

  if (self->file != NULL)
    lh_query_page_save_to_file (self, self->file);
  else
    run_file_chooser (self, GTK_FILE_CHOOSER_ACTION_SAVE);
}

static void
save_as_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  run_file_chooser (LH_QUERY_PAGE (widget), GTK_FILE_CHOOSER_ACTION_SAVE);
}

static void
apply_style_scheme (LhQueryPage *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (manager) ? "Adwaita-dark" : "Adwaita";
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (get_buffer (self));

  gtk_source_buffer_set_style_scheme (buffer,
                                      gtk_source_style_scheme_manager_get_scheme (schemes, id));
}

static void
functions_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LhQueryPage) self = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) functions = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, NULL);
  if (rows == NULL || self->completion == NULL)
    return;
  for (guint i = 0; i < lh_result_set_get_n_rows (rows); i++)
    {
      const LhValue *name = lh_result_set_get_value (rows, i, 0);

      if (name->kind == LH_VALUE_TEXT)
        g_strv_builder_add (names, name->v.text.data);
    }
  functions = g_strv_builder_end (names);
  lh_completion_provider_set_functions (self->completion, (const char * const *) functions);
}

void
lh_query_page_set_connection (LhQueryPage  *self,
                              LhConnection *connection)
{
  g_return_if_fail (LH_IS_QUERY_PAGE (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->functions_cancellable);
  g_clear_object (&self->functions_cancellable);
  g_set_object (&self->connection, connection);
  update_actions (self);
  if (connection == NULL)
    return;
  /* Completion knows the functions this SQLite has, extensions included. */
  self->functions_cancellable = g_cancellable_new ();
  lh_connection_execute_background_async (connection,
                                          "SELECT DISTINCT name FROM pragma_function_list "
                                          "WHERE name GLOB '[a-z]*' ORDER BY name",
                                          NULL, self->functions_cancellable, functions_cb,
                                          g_object_ref (self));
}

/* The schema the editor completes names from. */
void
lh_query_page_set_schema (LhQueryPage *self,
                          LhSchema    *schema)
{
  g_return_if_fail (LH_IS_QUERY_PAGE (self));
  lh_completion_provider_set_schema (self->completion, schema);
}

LhCompletionProvider *
lh_query_page_get_completion (LhQueryPage *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), NULL);
  return self->completion;
}

void
lh_query_page_set_text (LhQueryPage *self,
                        const char  *text)
{
  g_return_if_fail (LH_IS_QUERY_PAGE (self));
  gtk_text_buffer_set_text (get_buffer (self), text, -1);
  /* GTK counts a replaced text as no edit; for a file's text it is one. */
  if (self->file != NULL)
    gtk_text_buffer_set_modified (get_buffer (self), TRUE);
}

gboolean
lh_query_page_get_running (LhQueryPage *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), FALSE);
  return self->cancellable != NULL;
}

LhResultView *
lh_query_page_get_result_view (LhQueryPage *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), NULL);
  return self->result_view;
}

const char *
lh_query_page_get_status (LhQueryPage *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), NULL);
  return gtk_label_get_text (self->status_label);
}

/* The error of the last run as shown, position included; NULL when it succeeded. */
const char *
lh_query_page_get_error_text (LhQueryPage *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGE (self), NULL);
  return self->error_text;
}

void
lh_query_page_focus_editor (LhQueryPage *self)
{
  g_return_if_fail (LH_IS_QUERY_PAGE (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->editor));
}

static void
lh_query_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LhQueryPage *self = LH_QUERY_PAGE (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, lh_query_page_get_running (self));
      break;
    case PROP_TITLE:
      g_value_take_string (value, lh_query_page_dup_title (self));
      break;
    case PROP_MODIFIED:
      g_value_set_boolean (value, lh_query_page_get_modified (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lh_query_page_dispose (GObject *object)
{
  LhQueryPage *self = LH_QUERY_PAGE (object);
  GtkWidget *child;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), LH_TYPE_QUERY_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_cancellable_cancel (self->functions_cancellable);
  g_clear_object (&self->functions_cancellable);
  g_cancellable_cancel (self->history_cancellable);
  g_clear_object (&self->history_cancellable);
  if (self->export_chooser != NULL)
    gtk_native_dialog_destroy (self->export_chooser);
  g_clear_object (&self->export_chooser);
  if (self->file_chooser != NULL)
    gtk_native_dialog_destroy (self->file_chooser);
  g_clear_object (&self->file_chooser);
  g_clear_object (&self->file);
  g_clear_pointer (&self->results_sql, g_free);
  g_clear_pointer (&self->results_duration, g_free);
  g_clear_pointer (&self->parameter_texts, g_hash_table_unref);
  g_clear_object (&self->completion);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->error_text, g_free);
  G_OBJECT_CLASS (lh_query_page_parent_class)->dispose (object);
}

static void
lh_query_page_class_init (LhQueryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lh_query_page_dispose;
  object_class->get_property = lh_query_page_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* The file's name, or NULL for text not from a file. */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The text of a file was changed and not saved. */
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A run created, dropped or altered something: schema views should read it again. */
  signals[SCHEMA_CHANGED] =
    g_signal_new ("schema-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The editor's text changed: worth keeping for the next time. */
  signals[TEXT_CHANGED] =
    g_signal_new ("text-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (LH_TYPE_RESULT_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/litehouse/Litehouse/lh-query-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, editor);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, run_button);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, results_stack);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, result_view);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, done_page);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, plan_list);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, history_button);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, results_button);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, history_search);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, history_list);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, statements_button);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, snippets_button);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, snippets_list);
  gtk_widget_class_bind_template_callback (widget_class, snippets_shown_cb);
  gtk_widget_class_bind_template_callback (widget_class, snippet_row_activated_cb);
  gtk_widget_class_bind_template_child (widget_class, LhQueryPage, statements_list);
  gtk_widget_class_bind_template_callback (widget_class, statements_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_shown_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "query.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "query.run-all", NULL, run_all_action);
  gtk_widget_class_install_action (widget_class, "query.explain", NULL, explain_action);
  gtk_widget_class_install_action (widget_class, "query.show-history", NULL, show_history_action);
  gtk_widget_class_install_action (widget_class, "query.save-snippet", NULL, save_snippet_action);
  gtk_widget_class_install_action (widget_class, "query.copy-results", "s", copy_results_action);
  gtk_widget_class_install_action (widget_class, "query.open-file", NULL, open_file_action);
  gtk_widget_class_install_action (widget_class, "query.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "query.save-as", NULL, save_as_action);
  gtk_widget_class_install_action (widget_class, "query.export-results", "s", export_results_action);
  gtk_widget_class_install_action (widget_class, "query.cancel", NULL, cancel_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "querypage");
}

/* In the capture phase, so that the editor, which has the focus, does not take
 * Ctrl+Enter as a new line first. */
static void
add_shortcuts (LhQueryPage *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  const struct {
    guint           key;
    GdkModifierType modifiers;
    const char     *action;
  } shortcuts[] = {
    { GDK_KEY_Return, GDK_CONTROL_MASK, "query.run" },
    { GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "query.run" },
    { GDK_KEY_Return, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "query.run-all" },
    { GDK_KEY_KP_Enter, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "query.run-all" },
    { GDK_KEY_e, GDK_CONTROL_MASK, "query.explain" },
    { GDK_KEY_h, GDK_CONTROL_MASK, "query.show-history" },
    { GDK_KEY_s, GDK_CONTROL_MASK, "query.save" },
    { GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "query.save-as" },
    { GDK_KEY_Escape, 0, "query.cancel" },
  };

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (shortcuts[i].key,
                                                                                    shortcuts[i].modifiers),
                                                            gtk_named_action_new (shortcuts[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
lh_query_page_init (LhQueryPage *self)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  GtkSourceBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));
  add_shortcuts (self);

  buffer = GTK_SOURCE_BUFFER (get_buffer (self));
  gtk_source_buffer_set_language (buffer,
                                  gtk_source_language_manager_get_language (languages, "sql"));
  gtk_source_buffer_set_highlight_matching_brackets (buffer, TRUE);
  g_signal_connect_object (buffer, "modified-changed", G_CALLBACK (modified_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (buffer, "changed", G_CALLBACK (text_changed_cb), self, G_CONNECT_SWAPPED);
  self->error_tag = gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (buffer), "sql-error",
                                                "underline", PANGO_UNDERLINE_ERROR,
                                                NULL);

  self->parameter_texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->completion = lh_completion_provider_new ();
  gtk_source_completion_add_provider (gtk_source_view_get_completion (self->editor),
                                      GTK_SOURCE_COMPLETION_PROVIDER (self->completion));

  apply_style_scheme (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (apply_style_scheme), self, G_CONNECT_SWAPPED);
  update_actions (self);
}
