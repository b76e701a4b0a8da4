/* lh-branch-diff-window.c — LhBranchDiffWindow compares a branch with its parent (an
 * LhBranchDiff, computed off the main thread): what the schema gained or lost, how many
 * rows each table gained, lost or changed, and the SQL that turns the parent into the
 * branch, highlighted, to copy or save. */
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "lh-branch-diff-window.h"
#include "lh-widget-util.h"

struct _LhBranchDiffWindow
{
  AdwWindow parent_instance;

  /* children */
  GtkStack      *stack;
  GtkLabel      *status_label;
  GtkListBox    *summary_list;
  GtkSourceView *sql_view;
  GtkWidget     *copy_button;
  GtkWidget     *save_button;

  /* owned */
  GCancellable *cancellable;
  LhBranchDiff *diff;
  char         *name;
  LhAtomicFile *saving;   /* the SQL being saved, until it is in place */
  GtkNativeDialog *chooser;   /* where to save it, while it is asked */
};

G_DEFINE_FINAL_TYPE (LhBranchDiffWindow, lh_branch_diff_window, ADW_TYPE_WINDOW)

/* A line of the summary; one for a table (not NULL) shows the table's statements in the
 * SQL when activated. */
static void
add_summary_line (LhBranchDiffWindow *self,
                  const char         *title,
                  const char         *subtitle,
                  const char         *table)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), table != NULL);
  if (table != NULL)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("go-jump-symbolic");

      gtk_widget_set_tooltip_text (row, _("Show its statements in the SQL"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
      g_object_set_data_full (G_OBJECT (row), "lh-table", g_strdup (table), g_free);
    }
  gtk_list_box_append (self->summary_list, row);
}

/* Whether the line at line starts a statement on the table whose quoted name is name. */
static gboolean
starts_statement_on (const char    *line,
                     const GString *name)
{
  static const char * const verbs[] = {
    "CREATE TABLE IF NOT EXISTS ", "CREATE TABLE ", "DELETE FROM ", "UPDATE ", "INSERT INTO ",
  };

  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      size_t verb = strlen (verbs[i]);

      if (strncmp (line, verbs[i], verb) == 0 && strncmp (line + verb, name->str, name->len) == 0 &&
          line[verb + name->len] != '\0' && strchr (" ;(", line[verb + name->len]) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* Where in sql the first statement on table's rows starts (a line of the script that
 * makes, deletes from, updates or inserts into it), or NULL. Lines inside a quoted value
 * or name, or a comment, are passed over. */
static const char *
find_table_statement (const char *sql,
                      const char *table)
{
  g_autoptr(GString) name = g_string_new (NULL);
  char quote = 0;        /* the closing character of the quoted text we are in, or 0 */
  gboolean line_comment = FALSE, block_comment = FALSE;

  lh_sql_append_identifier (name, table);
  for (const char *c = sql; *c != '\0'; c++)
    {
      if (quote == 0 && !line_comment && !block_comment && (c == sql || c[-1] == '\n') &&
          starts_statement_on (c, name))
        return c;
      if (line_comment)
        line_comment = *c != '\n';
      else if (block_comment)
        {
          if (c[0] == '*' && c[1] == '/')
            {
              block_comment = FALSE;
              c++;
            }
        }
      else if (quote != 0)
        {
          if (*c == quote && c[1] == quote && quote != ']')
            c++;   /* '' and "" stand for the character itself */
          else if (*c == quote)
            quote = 0;
        }
      else if (c[0] == '-' && c[1] == '-')
        line_comment = TRUE;
      else if (c[0] == '/' && c[1] == '*')
        {
          block_comment = TRUE;
          c++;
        }
      else if (*c == '\'' || *c == '"' || *c == '`')
        quote = *c;
      else if (*c == '[')
        quote = ']';
    }
  return NULL;
}

gboolean
lh_branch_diff_window_show_table (LhBranchDiffWindow *self,
                                  const char         *table)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sql_view));
  const char *sql = self->diff != NULL ? lh_branch_diff_get_sql (self->diff) : "";
  const char *statement = find_table_statement (sql, table);
  GtkTextIter start, end;

  if (statement == NULL)
    return FALSE;
  gtk_text_buffer_get_iter_at_offset (buffer, &start, (int) g_utf8_pointer_to_offset (sql, statement));
  end = start;
  if (!gtk_text_iter_ends_line (&end))
    gtk_text_iter_forward_to_line_end (&end);
  gtk_text_buffer_select_range (buffer, &start, &end);
  gtk_widget_grab_focus (GTK_WIDGET (self->sql_view));
  gtk_text_view_scroll_to_mark (GTK_TEXT_VIEW (self->sql_view), gtk_text_buffer_get_insert (buffer),
                                0.0, TRUE, 0.0, 0.1);
  return TRUE;
}

static void
summary_activated_cb (LhBranchDiffWindow *self,
                      GtkListBoxRow      *row)
{
  const char *table = g_object_get_data (G_OBJECT (row), "lh-table");

  if (table != NULL)
    lh_branch_diff_window_show_table (self, table);
}

static char *
describe_table (const LhTableDiff *table)
{
  /* TRANSLATORS: rows a branch added, removed and changed in one table */
  return g_strdup_printf (_("%u added · %u removed · %u changed"), table->added, table->removed, table->changed);
}

static void
show_diff (LhBranchDiffWindow *self)
{
  GPtrArray *changes = lh_branch_diff_get_schema_changes (self->diff);
  GPtrArray *tables = lh_branch_diff_get_tables (self->diff);
  const char *sql = lh_branch_diff_get_sql (self->diff);
  guint shown = 0;

  for (guint i = 0; i < changes->len; i++, shown++)
    {
      g_autofree char *line = lh_schema_change_describe (g_ptr_array_index (changes, i));

      add_summary_line (self, line, _("Schema"), NULL);
    }
  for (guint i = 0; i < tables->len; i++)
    {
      LhTableDiff *table = g_ptr_array_index (tables, i);
      g_autofree char *counts = NULL;

      if (table->compared && table->added == 0 && table->removed == 0 && table->changed == 0)
        continue;
      counts = table->compared ? describe_table (table) : g_strdup (table->reason);
      add_summary_line (self, table->table, counts,
                        find_table_statement (sql, table->table) != NULL ? table->table : NULL);
      shown++;
    }
  if (shown == 0)
    add_summary_line (self, _("The branch and its parent are the same"), NULL, NULL);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sql_view)),
                            *sql != '\0' ? sql : _("-- Nothing to change."), -1);
  gtk_widget_set_sensitive (self->copy_button, *sql != '\0');
  gtk_widget_set_sensitive (self->save_button, *sql != '\0');
  gtk_stack_set_visible_child_name (self->stack, "diff");
}

static void
diffed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LhBranchDiffWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->diff = lh_branch_diff_finish (result, &error);
  if (self->stack == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (self->diff == NULL)
    {
      gtk_label_set_text (self->status_label, error->message);
      return;
    }
  show_diff (self);
}

static void
copy_clicked_cb (LhBranchDiffWindow *self)
{
  if (self->diff == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), lh_branch_diff_get_sql (self->diff));
  lh_widget_show_toast (GTK_WIDGET (self->stack), _("SQL copied"));
}

/* Saving the SQL: written beside the file chosen, synced and renamed over it, so that a
 * save that fails leaves what was there. */

static void
save_ended (LhBranchDiffWindow *self,
            GError             *error)
{
  g_clear_pointer (&self->saving, lh_atomic_file_free);
  if (self->stack == NULL)
    return;
  gtk_widget_set_sensitive (self->save_button, TRUE);
  if (error == NULL)
    lh_widget_show_toast (GTK_WIDGET (self->stack), _("SQL saved"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lh_widget_show_message (GTK_WIDGET (self), _("The SQL Was Not Saved"), error->message);
}

static void
save_committed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(LhBranchDiffWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  lh_atomic_file_commit_finish (result, &error);
  save_ended (self, error);
}

static void
save_written_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LhBranchDiffWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      save_ended (self, error);
      return;
    }
  lh_atomic_file_commit_async (self->saving, self->cancellable, save_committed_cb,
                               g_object_ref (self));
}

static void
save_opened_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LhBranchDiffWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  const char *sql = lh_branch_diff_get_sql (self->diff);

  self->saving = lh_atomic_file_new_finish (result, &error);
  if (self->saving == NULL)
    {
      save_ended (self, error);
      return;
    }
  g_output_stream_write_all_async (lh_atomic_file_get_stream (self->saving), sql, strlen (sql),
                                   G_PRIORITY_DEFAULT, self->cancellable, save_written_cb,
                                   g_object_ref (self));
}

/* Saves the SQL into file, in place of what is there; a toast says when it is done. FALSE
 * while there is nothing to save or a save is under way. */
gboolean
lh_branch_diff_window_save_sql (LhBranchDiffWindow *self,
                                GFile              *file)
{
  g_return_val_if_fail (LH_IS_BRANCH_DIFF_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->diff == NULL || *lh_branch_diff_get_sql (self->diff) == '\0' ||
      !gtk_widget_get_sensitive (self->save_button))
    return FALSE;
  gtk_widget_set_sensitive (self->save_button, FALSE);
  lh_atomic_file_new_async (file, self->cancellable, save_opened_cb, g_object_ref (self));
  return TRUE;
}

static void
save_response_cb (LhBranchDiffWindow *self,
                  int                 response,
                  GtkNativeDialog    *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL)
    lh_branch_diff_window_save_sql (self, file);
}

static void
save_clicked_cb (LhBranchDiffWindow *self)
{
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  if (self->diff == NULL || self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Save the SQL"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  /* TRANSLATORS: the file name offered for the SQL of a branch; %s is the branch's name */
  name = g_strdup_printf (_("%s.sql"), self->name);
  g_strdelimit (name, "/", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (save_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (self->chooser);
}

static void
apply_style_scheme (LhBranchDiffWindow *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (manager) ? "Adwaita-dark" : "Adwaita";
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sql_view)));

  gtk_source_buffer_set_style_scheme (buffer, gtk_source_style_scheme_manager_get_scheme (schemes, id));
}

static GtkWidget *
build_diff_page (LhBranchDiffWindow *self)
{
  GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_VERTICAL);
  GtkWidget *summary_scroll = gtk_scrolled_window_new ();
  GtkWidget *sql_scroll = gtk_scrolled_window_new ();
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  GtkTextBuffer *buffer;

  self->summary_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->summary_list, GTK_SELECTION_NONE);
  g_signal_connect_object (self->summary_list, "row-activated", G_CALLBACK (summary_activated_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_css_class (GTK_WIDGET (self->summary_list), "boxed-list");
  gtk_widget_set_margin_start (GTK_WIDGET (self->summary_list), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->summary_list), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self->summary_list), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->summary_list), 12);
  gtk_widget_set_valign (GTK_WIDGET (self->summary_list), GTK_ALIGN_START);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (summary_scroll), GTK_WIDGET (self->summary_list));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (summary_scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_size_request (summary_scroll, -1, 120);

  self->sql_view = GTK_SOURCE_VIEW (gtk_source_view_new ());
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sql_view));
  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (buffer), gtk_source_language_manager_get_language (languages, "sql"));
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->sql_view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (self->sql_view), TRUE);
  gtk_source_view_set_show_line_numbers (self->sql_view, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (sql_scroll), GTK_WIDGET (self->sql_view));
  gtk_widget_set_size_request (sql_scroll, -1, 120);
  apply_style_scheme (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (apply_style_scheme), self, G_CONNECT_SWAPPED);

  gtk_paned_set_start_child (GTK_PANED (paned), summary_scroll);
  gtk_paned_set_end_child (GTK_PANED (paned), sql_scroll);
  gtk_paned_set_position (GTK_PANED (paned), 240);
  return paned;
}

static void
lh_branch_diff_window_dispose (GObject *object)
{
  LhBranchDiffWindow *self = LH_BRANCH_DIFF_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  self->stack = NULL;
  G_OBJECT_CLASS (lh_branch_diff_window_parent_class)->dispose (object);
}

static void
lh_branch_diff_window_finalize (GObject *object)
{
  LhBranchDiffWindow *self = LH_BRANCH_DIFF_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->diff);
  g_clear_pointer (&self->saving, lh_atomic_file_free);
  g_free (self->name);
  G_OBJECT_CLASS (lh_branch_diff_window_parent_class)->finalize (object);
}

static void
lh_branch_diff_window_class_init (LhBranchDiffWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lh_branch_diff_window_dispose;
  G_OBJECT_CLASS (klass)->finalize = lh_branch_diff_window_finalize;
}

static void
lh_branch_diff_window_init (LhBranchDiffWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *overlay = adw_toast_overlay_new ();
  GtkWidget *waiting = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *spinner = gtk_spinner_new ();

  self->cancellable = g_cancellable_new ();
  self->copy_button = gtk_button_new_with_mnemonic (_("_Copy SQL"));
  gtk_widget_set_sensitive (self->copy_button, FALSE);
  g_signal_connect_swapped (self->copy_button, "clicked", G_CALLBACK (copy_clicked_cb), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->copy_button);
  self->save_button = gtk_button_new_with_mnemonic (_("_Save SQL…"));
  gtk_widget_set_sensitive (self->save_button, FALSE);
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (save_clicked_cb), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->save_button);
  gtk_box_append (GTK_BOX (box), header);

  self->status_label = GTK_LABEL (gtk_label_new (_("Comparing…")));
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_set_valign (waiting, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (waiting), spinner);
  gtk_box_append (GTK_BOX (waiting), GTK_WIDGET (self->status_label));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_stack_add_named (self->stack, waiting, "waiting");
  gtk_stack_add_named (self->stack, build_diff_page (self), "diff");
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (self->stack));
  gtk_box_append (GTK_BOX (box), overlay);
  adw_window_set_content (ADW_WINDOW (self), box);
  gtk_window_set_default_size (GTK_WINDOW (self), 760, 620);
}

/* Compares the branch at branch_path (named name) with the database at parent_path. */
GtkWidget *
lh_branch_diff_window_new (GtkWindow  *parent,
                           const char *name,
                           const char *parent_path,
                           const char *branch_path)
{
  LhBranchDiffWindow *self = g_object_new (LH_TYPE_BRANCH_DIFF_WINDOW, "transient-for", parent, NULL);
  g_autofree char *title = g_strdup_printf (_("Branch “%s” against Its Parent"), name);

  gtk_window_set_title (GTK_WINDOW (self), title);
  self->name = g_strdup (name);
  lh_branch_diff_async (parent_path, branch_path, self->cancellable, diffed_cb, g_object_ref (self));
  return GTK_WIDGET (self);
}

/* The comparison once made, else NULL. */
LhBranchDiff *
lh_branch_diff_window_get_diff (LhBranchDiffWindow *self)
{
  g_return_val_if_fail (LH_IS_BRANCH_DIFF_WINDOW (self), NULL);
  return self->diff;
}
