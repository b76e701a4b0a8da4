/* lh-window.c — LhWindow moves between its pages: welcome (recent databases), opening
 * (a spinner and Cancel), failed (the reason, in words), and the database itself (the
 * schema sidebar beside an SQL tab). Opening runs on the connection's worker thread. */
#include "config.h"

#include <glib/gi18n.h>

#include "lh-application.h"
#include "lh-backup-scheduler.h"
#include "lh-backups-page.h"
#include "lh-connect-dialog.h"
#include "lh-migrations-page.h"
#include "lh-schema-sidebar.h"
#include "lh-window.h"

#define MAX_RECENT_FILES 10

struct _LhWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkLabel        *read_only_label;
  GtkLabel        *transaction_label;
  GtkStack        *stack;
  AdwStatusPage   *opening_page;
  GtkSpinner      *opening_spinner;
  AdwStatusPage   *failed_page;
  AdwPreferencesGroup *recent_group;
  GtkListBox      *recent_list;
  LhSchemaSidebar *sidebar;
  AdwTabView      *tab_view;
  LhQueryPage     *query_page;

  /* owned */
  GSettings    *settings;
  GFile        *file;
  LhConnection *connection;
  GCancellable *cancellable;
  GtkNativeDialog *chooser;
  char         *error_text;
  LhBackupScheduler *backup_scheduler;   /* the database's scheduled backups */

  /* state */
  gboolean closed;
  gboolean discard_confirmed;
  gboolean transaction_confirmed;
  gboolean tabs_restored;
  guint    n_query_tabs;
  guint    save_tabs_id;
  GtkWindow *close_prompt;   /* weak: the question asked before closing, while it is up */
};

G_DEFINE_FINAL_TYPE (LhWindow, lh_window, ADW_TYPE_APPLICATION_WINDOW)

static void new_query_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter);

/* The SQL tabs, the pinned first one first. */
static GPtrArray *
dup_query_pages (LhWindow *self)
{
  GPtrArray *pages = g_ptr_array_new ();
  int n = adw_tab_view_get_n_pages (self->tab_view);

  for (int i = 0; i < n; i++)
    {
      GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));

      if (LH_IS_QUERY_PAGE (child))
        g_ptr_array_add (pages, child);
    }
  return pages;
}

static void
set_query_connections (LhWindow     *self,
                       LhConnection *connection)
{
  g_autoptr(GPtrArray) pages = dup_query_pages (self);

  for (guint i = 0; i < pages->len; i++)
    lh_query_page_set_connection (g_ptr_array_index (pages, i), connection);
}

static void
show_page (LhWindow   *self,
           const char *name)
{
  gboolean opening = g_str_equal (name, "opening");

  gtk_stack_set_visible_child_name (self->stack, name);
  gtk_spinner_set_spinning (self->opening_spinner, opening);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-open", opening);
}

static void
add_recent_file (LhWindow   *self,
                 const char *path)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "recent-files");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) recent = NULL;
  guint n = 1;

  g_strv_builder_add (builder, path);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT_FILES; i++)
    if (!g_str_equal (old[i], path))
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-files", (const char * const *) recent);
}

/* Keeps location (d1://… or a libSQL URL) and its name first among the recent remote
 * databases; never a token. */
static void
add_recent_remote (LhWindow   *self,
                   const char *location,
                   const char *title)
{
  g_autoptr(GVariant) old = g_settings_get_value (self->settings, "recent-remote");
  GVariantBuilder builder;
  GVariantIter iter;
  const char *old_location, *old_title;
  guint n = 1;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ss)"));
  g_variant_builder_add (&builder, "(ss)", location, title);
  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "(&s&s)", &old_location, &old_title) && n < MAX_RECENT_FILES)
    if (!g_str_equal (old_location, location))
      {
        g_variant_builder_add (&builder, "(ss)", old_location, old_title);
        n++;
      }
  g_settings_set_value (self->settings, "recent-remote", g_variant_builder_end (&builder));
}

static void connect_to (LhWindow   *self,
                        const char *location);

static void
recent_row_activated_cb (LhWindow      *self,
                         GtkListBoxRow *row)
{
  const char *path = g_object_get_data (G_OBJECT (row), "lh-path");
  const char *remote = g_object_get_data (G_OBJECT (row), "lh-remote");

  if (remote != NULL)
    {
      connect_to (self, remote);
      return;
    }
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app != NULL)
    lh_application_open_file (LH_APPLICATION (app), file, GTK_WINDOW (self));
  else if (lh_window_is_empty (self))
    lh_window_open_file (self, file);
}

/* The kind of a remote location and where it is, for a recent row's subtitle. */
static char *
describe_remote (const char *location)
{
  g_autoptr(LhLocation) parsed = lh_location_parse (location, NULL);

  if (parsed != NULL && parsed->kind == LH_LOCATION_D1)
    /* TRANSLATORS: a D1 database's account and ID */
    return g_strdup_printf (_("Cloudflare D1 · %s/%s"), parsed->account_id, parsed->database_id);
  /* TRANSLATORS: a libSQL database's URL */
  return g_strdup_printf (_("libSQL · %s"), location);
}

static guint
add_remote_rows (LhWindow *self)
{
  g_autoptr(GVariant) recent = g_settings_get_value (self->settings, "recent-remote");
  const char *location, *title;
  GVariantIter iter;
  guint shown = 0;

  g_variant_iter_init (&iter, recent);
  while (g_variant_iter_next (&iter, "(&s&s)", &location, &title))
    {
      g_autofree char *subtitle = describe_remote (location);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("network-server-symbolic"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "lh-remote", g_strdup (location), g_free);
      gtk_list_box_append (self->recent_list, row);
      shown++;
    }
  return shown;
}

static void
update_recent_list (LhWindow *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-files");
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);

  for (guint i = 0; recent[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *dir = NULL;
      GtkWidget *row;

      if (!g_file_test (recent[i], G_FILE_TEST_IS_REGULAR))
        continue;
      name = g_path_get_basename (recent[i]);
      dir = g_path_get_dirname (recent[i]);
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), dir);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "lh-path", g_strdup (recent[i]), g_free);
      gtk_list_box_append (self->recent_list, row);
      shown++;
    }
  shown += add_remote_rows (self);
  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), shown > 0);
}

/* Keeps the SQL tabs of this database for the next time it opens. */
static void
save_tabs (LhWindow *self)
{
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GPtrArray) tabs = NULL;

  g_clear_handle_id (&self->save_tabs_id, g_source_remove);
  if (self->connection == NULL || !self->tabs_restored)
    return;
  pages = dup_query_pages (self);
  tabs = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_editor_tab_free);
  for (guint i = 0; i < pages->len; i++)
    {
      LhQueryPage *page = g_ptr_array_index (pages, i);
      LhEditorTab *tab = g_new0 (LhEditorTab, 1);
      GFile *file = lh_query_page_get_file (page);

      tab->file = file != NULL ? g_file_get_path (file) : NULL;
      tab->text = lh_query_page_dup_text (page);
      /* Changes the user chose to discard on closing come back as the file has it. */
      tab->modified = lh_query_page_get_modified (page) && !self->discard_confirmed;
      g_ptr_array_add (tabs, tab);
    }
  lh_history_save_tabs (lh_history_get_default (), lh_connection_get_location (self->connection), tabs);
}

static gboolean
save_tabs_cb (gpointer data)
{
  LhWindow *self = data;

  self->save_tabs_id = 0;
  save_tabs (self);
  return G_SOURCE_REMOVE;
}

/* Soon after the typing stops, not at every key. */
static void
schedule_save_tabs (LhWindow *self)
{
  if (self->save_tabs_id == 0 && self->tabs_restored)
    self->save_tabs_id = g_timeout_add_seconds (1, save_tabs_cb, self);
}

static LhQueryPage *add_query_tab (LhWindow *self);

static void
tabs_loaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LhWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LhResultSet) rows = lh_history_load_tabs_finish (LH_HISTORY (source), result, &error);
  g_autofree char *first_text = NULL;
  gboolean first_free;

  if (self->closed || self->connection == NULL || self->query_page == NULL)
    return;
  if (rows == NULL)
    {
      /* Saving now would replace the tabs that could not be read: this time, none are kept. */
      g_warning ("The SQL tabs of this database could not be read: %s", error->message);
      return;
    }
  /* Text typed before the tabs came back stays where it is; they come after it. */
  first_text = lh_query_page_dup_text (self->query_page);
  first_free = lh_sql_is_blank (first_text, -1);
  for (guint i = 0; i < lh_result_set_get_n_rows (rows); i++)
    {
      const LhValue *file = lh_result_set_get_value (rows, i, 1);
      const LhValue *text = lh_result_set_get_value (rows, i, 2);
      const LhValue *modified = lh_result_set_get_value (rows, i, 3);
      g_autoptr(GFile) gfile = file->kind == LH_VALUE_TEXT ? g_file_new_for_path (file->v.text.data) : NULL;
      LhQueryPage *page = i == 0 && first_free ? self->query_page : add_query_tab (self);

      lh_query_page_restore (page, gfile, text->kind == LH_VALUE_TEXT ? text->v.text.data : "",
                             modified->kind == LH_VALUE_INTEGER && modified->v.integer != 0);
    }
  self->tabs_restored = TRUE;
}

/* A scheduled backup was taken: the Backups tab, if open, shows it. */
static void
scheduled_backup_cb (LhWindow *self)
{
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));

      if (LH_IS_BACKUPS_PAGE (child))
        lh_backups_page_refresh (LH_BACKUPS_PAGE (child));
    }
}

static void
show_database (LhWindow *self)
{
  const char *location = lh_connection_get_location (self->connection);
  g_autofree char *subtitle = NULL;
  const char *home = g_get_home_dir ();

  if (lh_connection_get_kind (self->connection) != LH_CONNECTION_KIND_LOCAL)
    subtitle = describe_remote (location);
  else if (g_str_has_prefix (location, home) && location[strlen (home)] == '/')
    subtitle = g_strconcat ("~", location + strlen (home), NULL);
  else
    subtitle = g_strdup (location);

  adw_window_title_set_title (self->window_title, lh_connection_get_title (self->connection));
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), lh_connection_get_title (self->connection));
  gtk_widget_set_visible (GTK_WIDGET (self->read_only_label),
                          lh_connection_get_read_only (self->connection));

  lh_schema_sidebar_load (self->sidebar, self->connection);
  set_query_connections (self, self->connection);
  /* D1 has none: it serves no queries while it exports, and keeps its own Time Travel. */
  g_clear_object (&self->backup_scheduler);
  if (LH_IS_LOCAL_CONNECTION (self->connection))
    self->backup_scheduler = lh_backup_scheduler_new (lh_local_connection_get_path (LH_LOCAL_CONNECTION (self->connection)));
  else if (LH_IS_LIBSQL_CONNECTION (self->connection))
    self->backup_scheduler = lh_backup_scheduler_new_for_libsql (self->connection);
  if (self->backup_scheduler != NULL)
    g_signal_connect_object (self->backup_scheduler, "backed-up", G_CALLBACK (scheduled_backup_cb), self,
                             G_CONNECT_SWAPPED);
  lh_history_load_tabs_async (lh_history_get_default (), location, NULL, tabs_loaded_cb,
                              g_object_ref (self));
  show_page (self, "database");
  lh_query_page_focus_editor (self->query_page);
}

static void
show_failure (LhWindow     *self,
              const GError *error)
{
  g_autofree char *name = self->file != NULL ? g_file_get_basename (self->file) : NULL;
  g_autofree char *title = name != NULL ? g_strdup_printf (_("Could Not Open “%s”"), name)
                                        : g_strdup (_("Could Not Open the Demo Database"));

  g_free (self->error_text);
  self->error_text = g_strdup (error->message);
  adw_status_page_set_title (self->failed_page, title);
  adw_status_page_set_description (self->failed_page, error->message);
  g_clear_object (&self->file);
  show_page (self, "failed");
}

/* TRUE when the job just finished was cancelled, even if it finished first: then the
 * window shows the welcome page again, unless it is closing. */
static gboolean
finish_cancelled (LhWindow *self)
{
  gboolean cancelled = g_cancellable_is_cancelled (self->cancellable);

  g_clear_object (&self->cancellable);
  if (!cancelled)
    return FALSE;
  g_clear_object (&self->file);
  if (!self->closed)
    show_page (self, "welcome");
  return TRUE;
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LhWindow) self = user_data;
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = lh_local_connection_open_finish (result, &error);
  if (finish_cancelled (self))
    {
      if (connection != NULL)
        lh_connection_close_async (LH_CONNECTION (connection), NULL, NULL, NULL);
      return;
    }
  if (connection == NULL)
    {
      show_failure (self, error);
      return;
    }

  self->connection = LH_CONNECTION (g_steal_pointer (&connection));
  add_recent_file (self, lh_connection_get_location (self->connection));
  show_database (self);
}

static void
show_opening (LhWindow   *self,
              const char *title)
{
  adw_status_page_set_title (self->opening_page, title);
  g_clear_pointer (&self->error_text, g_free);
  show_page (self, "opening");
}

void
lh_window_open_file (LhWindow *self,
                     GFile    *file)
{
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (LH_IS_WINDOW (self));
  g_return_if_fail (lh_window_is_empty (self));

  g_set_object (&self->file, file);
  name = g_file_get_basename (file);
  title = g_strdup_printf (_("Opening “%s”…"), name);
  show_opening (self, title);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *uri = g_file_get_uri (file);

      error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("“%s” is not a local file; Litehouse opens local files only."), uri);
      show_failure (self, error);
      return;
    }

  self->cancellable = g_cancellable_new ();
  lh_local_connection_open_async (path, LH_LOCAL_OPEN_NONE,
                                  LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS,
                                  self->cancellable, open_cb, g_object_ref (self));
}

static void
demo_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LhWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;

  path = lh_demo_install_finish (result, &error);
  if (finish_cancelled (self))
    return;
  if (path == NULL)
    {
      show_failure (self, error);
      return;
    }

  g_clear_object (&self->file);
  file = g_file_new_for_path (path);
  lh_window_open_file (self, file);
}

/* Copies the bundled demo into the user's data folder (once) and opens the copy. */
void
lh_window_open_demo (LhWindow *self)
{
  g_return_if_fail (LH_IS_WINDOW (self));
  g_return_if_fail (lh_window_is_empty (self));

  show_opening (self, _("Preparing the Demo Database…"));
  self->cancellable = g_cancellable_new ();
  lh_demo_install_async (NULL, NULL, self->cancellable, demo_cb, g_object_ref (self));
}

static void
open_response_cb (LhWindow             *self,
                  int                   response,
                  GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

      if (app != NULL)
        lh_application_open_file (LH_APPLICATION (app), file, GTK_WINDOW (self));
      else if (lh_window_is_empty (self))
        lh_window_open_file (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LhWindow *self = LH_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) databases = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Open a Database"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (databases, _("SQLite databases"));
  gtk_file_filter_add_mime_type (databases, "application/vnd.sqlite3");
  gtk_file_filter_add_mime_type (databases, "application/x-sqlite3");
  gtk_file_filter_add_suffix (databases, "db");
  gtk_file_filter_add_suffix (databases, "sqlite");
  gtk_file_filter_add_suffix (databases, "sqlite3");
  gtk_file_filter_add_suffix (databases, "db3");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), databases);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (chooser), databases);

  self->chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_swapped (chooser, "response", G_CALLBACK (open_response_cb), self);
  gtk_native_dialog_show (self->chooser);
}

/* Shows connection, opened elsewhere (the Connect dialog), in this window. */
static void
take_connection (LhWindow     *self,
                 LhConnection *connection)
{
  self->connection = g_object_ref (connection);
  show_database (self);
}

static void
token_kept_cb (LhConnectDialog *dialog,
               gboolean         in_memory,
               LhWindow        *self)
{
  if (in_memory)
    adw_toast_overlay_add_toast (self->toast_overlay,
                                 adw_toast_new (_("No keyring answered: the token is kept only "
                                                  "until Litehouse quits.")));
}

static void
connected_cb (LhConnectDialog *dialog,
              LhConnection    *connection,
              const char      *location,
              const char      *title,
              LhWindow        *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  LhWindow *target = self;

  add_recent_remote (self, location, title);
  if (!lh_window_is_empty (self))
    {
      target = lh_window_new (app);
      gtk_window_present (GTK_WINDOW (target));
    }
  take_connection (target, connection);
  g_signal_connect_object (dialog, "token-kept", G_CALLBACK (token_kept_cb), target, 0);
}

static void
choose_file_cb (LhConnectDialog *dialog,
                LhWindow        *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.open", NULL);
}

/* Opens the Connect dialog, filled in for location when it is not NULL. */
static void
connect_to (LhWindow   *self,
            const char *location)
{
  LhConnectDialog *dialog = lh_connect_dialog_new (GTK_WINDOW (self));

  g_signal_connect_object (dialog, "connected", G_CALLBACK (connected_cb), self, 0);
  g_signal_connect_object (dialog, "choose-file", G_CALLBACK (choose_file_cb), self, 0);
  if (location != NULL)
    lh_connect_dialog_set_location (dialog, location);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  connect_to (LH_WINDOW (widget), NULL);
}

static void
open_demo_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LhWindow *self = LH_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (lh_window_is_empty (self))
    lh_window_open_demo (self);
  else if (app != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (app), "open-demo", NULL);
}

static void
cancel_open_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LhWindow *self = LH_WINDOW (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         LhWindow      *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l != NULL; l = l->next)
    {
      if (app != NULL)
        lh_application_open_file (LH_APPLICATION (app), l->data, GTK_WINDOW (self));
      else if (lh_window_is_empty (self))
        lh_window_open_file (self, l->data);
    }
  g_slist_free (files);
  return TRUE;
}

static const char *
icon_for_object (LhSchemaObject *object)
{
  return lh_schema_object_get_kind (object) == LH_SCHEMA_OBJECT_TABLE
    ? "view-grid-symbolic" : "view-reveal-symbolic";
}

static void
set_page_icon (AdwTabPage *page,
               const char *icon_name)
{
  g_autoptr(GIcon) icon = g_themed_icon_new (icon_name);

  adw_tab_page_set_icon (page, icon);
}

static char *object_title (LhSchemaObject *object);

static void
table_changes_cb (LhTableView *view,
                  GParamSpec  *pspec,
                  AdwTabPage  *page)
{
  g_autofree char *name = object_title (lh_table_view_get_object (view));
  g_autofree char *title = lh_table_view_get_has_changes (view)
    ? g_strdup_printf ("• %s", name) : g_strdup (name);

  adw_tab_page_set_title (page, title);
}

static gboolean
same_object (LhSchemaObject *a,
             LhSchemaObject *b)
{
  return g_str_equal (lh_schema_object_get_database (a), lh_schema_object_get_database (b)) &&
         g_str_equal (lh_schema_object_get_name (a), lh_schema_object_get_name (b));
}

static LhTableView *
find_table_tab (LhWindow       *self,
                LhSchemaObject *object,
                AdwTabPage    **page_out)
{
  int n = adw_tab_view_get_n_pages (self->tab_view);

  for (int i = 0; i < n; i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, i);
      GtkWidget *child = adw_tab_page_get_child (page);

      if (LH_IS_TABLE_VIEW (child) &&
          same_object (lh_table_view_get_object (LH_TABLE_VIEW (child)), object))
        {
          if (page_out != NULL)
            *page_out = page;
          return LH_TABLE_VIEW (child);
        }
    }
  return NULL;
}

/* The tab's title: the name, and the database's before it when it is an attached one. */
static char *
object_title (LhSchemaObject *object)
{
  if (g_str_equal (lh_schema_object_get_database (object), "main"))
    return g_strdup (lh_schema_object_get_name (object));
  return g_strdup_printf ("%s.%s", lh_schema_object_get_database (object),
                          lh_schema_object_get_name (object));
}

/* Shows the data of a table or view in its tab, opening one if needed. */
LhTableView *
lh_window_open_object (LhWindow       *self,
                       LhSchemaObject *object)
{
  AdwTabPage *page = NULL;
  LhTableView *view;

  g_return_val_if_fail (LH_IS_WINDOW (self), NULL);
  g_return_val_if_fail (LH_IS_SCHEMA_OBJECT (object), NULL);

  view = find_table_tab (self, object, &page);
  if (view == NULL)
    {
      g_autofree char *title = object_title (object);

      if (self->connection == NULL || !lh_schema_object_has_rows (object))
        return NULL;
      view = LH_TABLE_VIEW (lh_table_view_new (self->connection, object));
      lh_table_view_set_schema (view, lh_schema_sidebar_get_schema (self->sidebar));
      g_signal_connect_object (view, "open-object", G_CALLBACK (lh_window_open_object), self,
                               G_CONNECT_SWAPPED);
      page = adw_tab_view_append (self->tab_view, GTK_WIDGET (view));
      adw_tab_page_set_title (page, title);
      adw_tab_page_set_tooltip (page, title);
      set_page_icon (page, icon_for_object (object));
      g_signal_connect_object (view, "notify::has-changes", G_CALLBACK (table_changes_cb), page, 0);
    }
  adw_tab_view_set_selected_page (self->tab_view, page);
  return view;
}

/* The same for the table or view name of the main database. */
LhTableView *
lh_window_open_table (LhWindow   *self,
                      const char *name)
{
  LhSchema *schema;
  LhSchemaObject *object;

  g_return_val_if_fail (LH_IS_WINDOW (self), NULL);

  schema = lh_schema_sidebar_get_schema (self->sidebar);
  object = schema != NULL ? lh_schema_lookup (schema, name) : NULL;
  return object != NULL ? lh_window_open_object (self, object) : NULL;
}

static void
object_activated_cb (LhWindow       *self,
                     LhSchemaObject *object)
{
  if (lh_schema_object_has_rows (object))
    lh_window_open_object (self, object);
}

/* The dropped table's tab goes too: its rows are gone, and so are any edits of them. */
static void
object_dropped_cb (LhWindow       *self,
                   LhSchemaObject *object)
{
  AdwTabPage *page = NULL;
  LhTableView *view = find_table_tab (self, object, &page);

  if (view != NULL)
    {
      lh_table_view_stop (view);
      lh_edit_set_revert (lh_table_view_get_edit_set (view));
      adw_tab_view_close_page (self->tab_view, page);
    }
  if (self->connection != NULL)
    lh_schema_sidebar_load (self->sidebar, self->connection);
}

static gboolean
columns_differ (LhSchemaObject *a,
                LhSchemaObject *b)
{
  GListModel *ca = lh_schema_object_get_columns (a);
  GListModel *cb = lh_schema_object_get_columns (b);
  guint n = g_list_model_get_n_items (ca);

  if (n != g_list_model_get_n_items (cb))
    return TRUE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhSchemaColumn) x = g_list_model_get_item (ca, i);
      g_autoptr(LhSchemaColumn) y = g_list_model_get_item (cb, i);

      if (g_strcmp0 (lh_schema_column_get_name (x), lh_schema_column_get_name (y)) != 0 ||
          g_strcmp0 (lh_schema_column_get_declared_type (x), lh_schema_column_get_declared_type (y)) != 0 ||
          lh_schema_column_get_primary_key (x) != lh_schema_column_get_primary_key (y))
        return TRUE;
    }
  return FALSE;
}

/* Open tables follow the schema as it is now: a table that is gone closes, one whose
 * columns changed opens anew. A tab with changes not written stays as it is: writing
 * them then fails with the database's own words, and nothing is half-applied. */
static void
schema_loaded_cb (LhWindow *self)
{
  LhSchema *schema = lh_schema_sidebar_get_schema (self->sidebar);
  AdwTabPage *selected = adw_tab_view_get_selected_page (self->tab_view);
  g_autoptr(GPtrArray) reopen = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean reselect = FALSE;

  {
    g_autoptr(GPtrArray) pages = dup_query_pages (self);

    for (guint i = 0; i < pages->len; i++)
      lh_query_page_set_schema (g_ptr_array_index (pages, i), schema);
  }
  for (int i = adw_tab_view_get_n_pages (self->tab_view) - 1; i >= 0; i--)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, i);
      GtkWidget *child = adw_tab_page_get_child (page);
      LhTableView *view;
      LhSchemaObject *old, *now;

      if (!LH_IS_TABLE_VIEW (child))
        continue;
      view = LH_TABLE_VIEW (child);
      old = lh_table_view_get_object (view);
      now = lh_schema_lookup_in (schema, lh_schema_object_get_database (old),
                                 lh_schema_object_get_name (old));
      if (now != NULL && !columns_differ (old, now))
        {
          lh_table_view_set_schema (view, schema);
          continue;
        }
      if (lh_table_view_get_has_changes (view) || lh_table_view_get_busy (view))
        continue;
      if (now != NULL)
        g_ptr_array_add (reopen, g_object_ref (now));
      reselect = reselect || page == selected;
      lh_table_view_stop (view);
      adw_tab_view_close_page (self->tab_view, page);
    }
  for (guint i = reopen->len; i > 0; i--)
    lh_window_open_object (self, g_ptr_array_index (reopen, i - 1));
  if (!reselect && selected != NULL && adw_tab_view_get_page_position (self->tab_view, selected) >= 0)
    adw_tab_view_set_selected_page (self->tab_view, selected);
}

static void
close_tab_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       AdwTabPage       *page)
{
  LhWindow *self = LH_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));

  adw_tab_view_close_page_finish (self->tab_view, page, g_str_equal (response, "discard"));
}

static AdwMessageDialog *
new_discard_dialog (LhWindow   *self,
                    const char *heading,
                    const char *body)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "discard", _("_Discard Changes"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  return dialog;
}

/* An SQL tab with text but no file: closing it loses the text for good. */
static gboolean
untitled_with_text (LhQueryPage *query)
{
  g_autofree char *text = NULL;

  if (lh_query_page_get_file (query) != NULL)
    return FALSE;
  text = lh_query_page_dup_text (query);
  return !lh_sql_is_blank (text, -1);
}

/* The SQL tab stays; a table's tab with changes not written asks first. */
static gboolean
close_page_cb (LhWindow   *self,
               AdwTabPage *page)
{
  GtkWidget *child = adw_tab_page_get_child (page);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (LH_IS_QUERY_PAGE (child))
    {
      LhQueryPage *query = LH_QUERY_PAGE (child);
      g_autofree char *title = NULL;

      if (query == self->query_page && !self->closed)
        {
          adw_tab_view_close_page_finish (self->tab_view, page, FALSE);
          return GDK_EVENT_STOP;
        }
      if (self->closed || (!lh_query_page_get_modified (query) && !untitled_with_text (query)))
        {
          lh_query_page_set_connection (query, NULL);
          adw_tab_view_close_page_finish (self->tab_view, page, TRUE);
          return GDK_EVENT_STOP;
        }
      title = lh_query_page_dup_title (query);
      if (title == NULL)
        title = g_strdup (g_object_get_data (G_OBJECT (query), "lh-untitled"));
      heading = g_strdup_printf (_("Discard Changes to “%s”?"), title);
      /* The tabs left open come back next time; a closed one does not. */
      dialog = new_discard_dialog (self, heading,
                                   lh_query_page_get_file (query) != NULL
                                     ? _("The SQL has changes that have not been saved to its file. "
                                         "Closing the tab drops them.")
                                     : _("The SQL in this tab has not been saved to a file. "
                                         "Closing the tab drops it."));
      g_signal_connect (dialog, "response", G_CALLBACK (close_tab_response_cb), page);
      gtk_window_present (GTK_WINDOW (dialog));
      return GDK_EVENT_STOP;
    }
  if (!LH_IS_TABLE_VIEW (child))
    {
      adw_tab_view_close_page_finish (self->tab_view, page, self->closed);
      return GDK_EVENT_STOP;
    }
  if (!self->closed && lh_edit_set_get_applying (lh_table_view_get_edit_set (LH_TABLE_VIEW (child))))
    {
      /* Whether they are written is not known yet: the tab stays until it is. */
      adw_tab_view_close_page_finish (self->tab_view, page, FALSE);
      return GDK_EVENT_STOP;
    }
  if (self->closed || !lh_table_view_get_has_changes (LH_TABLE_VIEW (child)))
    {
      lh_table_view_stop (LH_TABLE_VIEW (child));
      adw_tab_view_close_page_finish (self->tab_view, page, TRUE);
      return GDK_EVENT_STOP;
    }
  heading = g_strdup_printf (_("Discard Changes to “%s”?"),
                             lh_schema_object_get_name (lh_table_view_get_object (LH_TABLE_VIEW (child))));
  dialog = new_discard_dialog (self, heading,
                               _("The changes made in this table have not been written to the "
                                 "database. Closing the tab drops them."));
  g_signal_connect (dialog, "response", G_CALLBACK (close_tab_response_cb), page);
  gtk_window_present (GTK_WINDOW (dialog));
  return GDK_EVENT_STOP;
}

/* TRUE when a table tab holds changes not written yet, or an SQL tab changes not saved
 * to its file. */
gboolean
lh_window_get_has_changes (LhWindow *self)
{
  int n;

  g_return_val_if_fail (LH_IS_WINDOW (self), FALSE);

  n = adw_tab_view_get_n_pages (self->tab_view);
  for (int i = 0; i < n; i++)
    {
      GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));

      if (LH_IS_TABLE_VIEW (child) && lh_table_view_get_has_changes (LH_TABLE_VIEW (child)))
        return TRUE;
      if (LH_IS_QUERY_PAGE (child) && lh_query_page_get_modified (LH_QUERY_PAGE (child)))
        return TRUE;
    }
  return FALSE;
}

static void
close_tables (LhWindow *self)
{
  while (adw_tab_view_get_n_pages (self->tab_view) > 1)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, 1);

      if (LH_IS_TABLE_VIEW (adw_tab_page_get_child (page)))
        lh_table_view_stop (LH_TABLE_VIEW (adw_tab_page_get_child (page)));
      adw_tab_view_close_page (self->tab_view, page);
    }
}

/* Stops whatever the window still has running and closes its database: a closed window
 * leaves no query running and no lock held behind it. */
static void
release (LhWindow *self)
{
  if (self->closed)
    return;
  self->closed = TRUE;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  save_tabs (self);
  self->tabs_restored = FALSE;
  g_clear_object (&self->backup_scheduler);
  close_tables (self);
  set_query_connections (self, NULL);
  lh_schema_sidebar_load (self->sidebar, NULL);
  if (self->connection != NULL)
    lh_connection_close_async (self->connection, NULL, NULL, NULL);
  g_clear_object (&self->connection);
}

static void
schema_changed_cb (LhWindow *self)
{
  if (self->connection != NULL)
    lh_schema_sidebar_load (self->sidebar, self->connection);
}

static void
close_window_response_cb (AdwMessageDialog *dialog,
                          const char       *response,
                          LhWindow         *self)
{
  /* Answered: a close from here on is not a second ask. */
  g_clear_weak_pointer (&self->close_prompt);
  if (!g_str_equal (response, "discard"))
    return;
  self->discard_confirmed = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

/* After every run in the SQL tab: is a transaction it began still open? */
static void
query_running_cb (LhWindow *self)
{
  g_autoptr(GPtrArray) pages = NULL;

  if (self->query_page == NULL)
    return;
  pages = dup_query_pages (self);
  for (guint i = 0; i < pages->len; i++)
    if (lh_query_page_get_running (g_ptr_array_index (pages, i)))
      return;
  gtk_widget_set_visible (GTK_WIDGET (self->transaction_label),
                          self->connection != NULL &&
                          lh_connection_get_in_transaction (self->connection));
}

static void
commit_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LhWindow) self = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (rows == NULL)
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Commit"),
                                                  error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      query_running_cb (self);
      return;
    }
  self->transaction_confirmed = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static void
transaction_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         LhWindow         *self)
{
  g_clear_weak_pointer (&self->close_prompt);
  if (g_str_equal (response, "commit") && self->connection != NULL)
    lh_connection_execute_async (self->connection, "COMMIT", NULL, 0, NULL, commit_cb,
                                 g_object_ref (self));
  else if (g_str_equal (response, "rollback"))
    {
      /* Closing the database rolls the transaction back. */
      self->transaction_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
    }
}

/* Shows a question asked before the window closes; while it is up, closing asks nothing new. */
static void
present_close_prompt (LhWindow  *self,
                      GtkWindow *dialog)
{
  g_set_weak_pointer (&self->close_prompt, dialog);
  gtk_window_present (dialog);
}

static gboolean
ask_about_transaction (LhWindow *self)
{
  AdwMessageDialog *dialog;

  if (self->closed || self->transaction_confirmed || self->connection == NULL ||
      !lh_connection_get_in_transaction (self->connection))
    return FALSE;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Commit the Open Transaction?"),
                                                       _("A transaction begun in the SQL editor is "
                                                         "still open. Its changes are lost unless "
                                                         "it is committed.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "rollback", _("_Roll Back"),
                                    "commit", _("C_ommit"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "rollback", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "commit", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "commit");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (transaction_response_cb), self);
  present_close_prompt (self, GTK_WINDOW (dialog));
  return TRUE;
}

static gboolean
lh_window_close_request (GtkWindow *window)
{
  LhWindow *self = LH_WINDOW (window);
  int width, height;

  /* Asked again (Ctrl+Q while the window asks already): the same question, once. */
  if (self->close_prompt != NULL)
    {
      gtk_window_present (self->close_prompt);
      return GDK_EVENT_STOP;
    }
  if (!self->closed && !self->discard_confirmed && lh_window_get_has_changes (self))
    {
      AdwMessageDialog *dialog =
        new_discard_dialog (self, _("Discard Changes Not Written?"),
                            _("Some tables have changes that have not been written to the "
                              "database, or SQL files changes that have not been saved. "
                              "Closing the window drops them."));

      g_signal_connect (dialog, "response", G_CALLBACK (close_window_response_cb), self);
      present_close_prompt (self, GTK_WINDOW (dialog));
      return GDK_EVENT_STOP;
    }
  if (ask_about_transaction (self))
    return GDK_EVENT_STOP;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  release (self);

  return GTK_WINDOW_CLASS (lh_window_parent_class)->close_request (window);
}

GFile *
lh_window_get_file (LhWindow *self)
{
  g_return_val_if_fail (LH_IS_WINDOW (self), NULL);
  return self->file;
}

/* TRUE while the window neither shows a database nor is opening one. */
gboolean
lh_window_is_empty (LhWindow *self)
{
  g_return_val_if_fail (LH_IS_WINDOW (self), FALSE);
  return self->file == NULL && self->connection == NULL && self->cancellable == NULL;
}

LhConnection *
lh_window_get_connection (LhWindow *self)
{
  g_return_val_if_fail (LH_IS_WINDOW (self), NULL);
  return self->connection;
}

/* TRUE while the header says a transaction is open. */
gboolean
lh_window_shows_transaction (LhWindow *self)
{
  g_return_val_if_fail (LH_IS_WINDOW (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->transaction_label));
}

AdwTabView *
lh_window_get_tab_view (LhWindow *self)
{
  g_return_val_if_fail (LH_IS_WINDOW (self), NULL);
  return self->tab_view;
}

LhQueryPage *
lh_window_get_query_page (LhWindow *self)
{
  g_return_val_if_fail (LH_IS_WINDOW (self), NULL);
  return self->query_page;
}

/* "welcome", "opening", "failed" or "database". */
const char *
lh_window_get_page_name (LhWindow *self)
{
  g_return_val_if_fail (LH_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

/* Why the last open failed, as the window shows it; NULL if it did not. */
const char *
lh_window_get_error_text (LhWindow *self)
{
  g_return_val_if_fail (LH_IS_WINDOW (self), NULL);
  return self->error_text;
}

static void
lh_window_dispose (GObject *object)
{
  LhWindow *self = LH_WINDOW (object);

  g_clear_weak_pointer (&self->close_prompt);
  release (self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), LH_TYPE_WINDOW);
  self->query_page = NULL;
  g_clear_object (&self->cancellable);
  g_clear_object (&self->connection);
  g_clear_object (&self->file);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->error_text, g_free);
  G_OBJECT_CLASS (lh_window_parent_class)->dispose (object);
}

static void
open_migration_file_cb (LhWindow *self,
                        GFile    *file)
{
  LhQueryPage *page = lh_window_new_query_tab (self);

  if (page != NULL)
    lh_query_page_open_file (page, file);
}

/* Shows the database's migrations in their tab, opening it if needed. */
LhMigrationsPage *
lh_window_open_migrations (LhWindow *self)
{
  GtkWidget *page = NULL;
  AdwTabPage *tab = NULL;

  g_return_val_if_fail (LH_IS_WINDOW (self), NULL);

  if (self->connection == NULL)
    return NULL;
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view) && page == NULL; i++)
    {
      tab = adw_tab_view_get_nth_page (self->tab_view, i);
      if (LH_IS_MIGRATIONS_PAGE (adw_tab_page_get_child (tab)))
        page = adw_tab_page_get_child (tab);
    }
  if (page == NULL)
    {
      page = lh_migrations_page_new (self->connection);
      g_signal_connect_object (page, "open-file", G_CALLBACK (open_migration_file_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (page, "schema-changed", G_CALLBACK (schema_changed_cb), self, G_CONNECT_SWAPPED);
      tab = adw_tab_view_append (self->tab_view, page);
      adw_tab_page_set_title (tab, _("Migrations"));
      set_page_icon (tab, "document-open-recent-symbolic");
    }
  adw_tab_view_set_selected_page (self->tab_view, tab);
  return LH_MIGRATIONS_PAGE (page);
}

/* A branch opens in a window of its own, like any database file. */
static void
open_in_new_window_cb (LhWindow *self,
                       GFile    *file)
{
  LhWindow *window = lh_window_new (gtk_window_get_application (GTK_WINDOW (self)));

  gtk_window_present (GTK_WINDOW (window));
  lh_window_open_file (window, file);
}

/* The database was replaced by a backup: the tree and every table tab read it again. */
static void
database_restored_cb (LhWindow *self)
{
  schema_changed_cb (self);
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));

      if (LH_IS_TABLE_VIEW (child))
        lh_table_pager_refresh (lh_table_view_get_pager (LH_TABLE_VIEW (child)));
    }
}

/* Shows the database's backups in their tab, opening it if needed; NULL (and a toast
 * saying so) for a remote database. */
LhBackupsPage *
lh_window_open_backups (LhWindow *self)
{
  GtkWidget *page = NULL;
  AdwTabPage *tab = NULL;

  g_return_val_if_fail (LH_IS_WINDOW (self), NULL);

  if (self->connection == NULL)
    return NULL;
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view) && page == NULL; i++)
    {
      tab = adw_tab_view_get_nth_page (self->tab_view, i);
      if (LH_IS_BACKUPS_PAGE (adw_tab_page_get_child (tab)))
        page = adw_tab_page_get_child (tab);
    }
  if (page == NULL)
    {
      page = LH_IS_LOCAL_CONNECTION (self->connection)
        ? lh_backups_page_new (lh_local_connection_get_path (LH_LOCAL_CONNECTION (self->connection)))
        : lh_backups_page_new_for_remote (self->connection);
      g_signal_connect_object (page, "restored", G_CALLBACK (database_restored_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (page, "open-file", G_CALLBACK (open_in_new_window_cb), self, G_CONNECT_SWAPPED);
      tab = adw_tab_view_append (self->tab_view, page);
      adw_tab_page_set_title (tab, _("Backups"));
      set_page_icon (tab, "document-save-symbolic");
    }
  adw_tab_view_set_selected_page (self->tab_view, tab);
  return LH_BACKUPS_PAGE (page);
}

static void
backups_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  lh_window_open_backups (LH_WINDOW (widget));
}

static void
migrations_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  lh_window_open_migrations (LH_WINDOW (widget));
}

static void
lh_window_class_init (LhWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lh_window_dispose;
  window_class->close_request = lh_window_close_request;

  g_type_ensure (LH_TYPE_SCHEMA_SIDEBAR);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/litehouse/Litehouse/lh-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LhWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LhWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, LhWindow, read_only_label);
  gtk_widget_class_bind_template_child (widget_class, LhWindow, transaction_label);
  gtk_widget_class_bind_template_child (widget_class, LhWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LhWindow, opening_page);
  gtk_widget_class_bind_template_child (widget_class, LhWindow, opening_spinner);
  gtk_widget_class_bind_template_child (widget_class, LhWindow, failed_page);
  gtk_widget_class_bind_template_child (widget_class, LhWindow, recent_group);
  gtk_widget_class_bind_template_child (widget_class, LhWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, LhWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, LhWindow, tab_view);
  gtk_widget_class_bind_template_callback (widget_class, object_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, close_page_cb);
  gtk_widget_class_bind_template_callback (widget_class, object_dropped_cb);
  gtk_widget_class_bind_template_callback (widget_class, schema_loaded_cb);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "win.open-demo", NULL, open_demo_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-open", NULL, cancel_open_action);
  gtk_widget_class_install_action (widget_class, "win.new-query", NULL, new_query_action);
  gtk_widget_class_install_action (widget_class, "win.migrations", NULL, migrations_action);
  gtk_widget_class_install_action (widget_class, "win.backups", NULL, backups_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.connect", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK,
                                       "win.new-query", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.migrations", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.backups", NULL);
}

static void
query_title_cb (LhQueryPage *page,
                GParamSpec  *pspec,
                AdwTabPage  *tab)
{
  g_autofree char *title = lh_query_page_dup_title (page);
  g_autofree char *shown = NULL;

  if (title == NULL)
    title = g_strdup (g_object_get_data (G_OBJECT (page), "lh-untitled"));
  shown = lh_query_page_get_modified (page) ? g_strdup_printf ("• %s", title) : g_strdup (title);
  adw_tab_page_set_title (tab, shown);
  adw_tab_page_set_tooltip (tab, shown);
}

/* A new SQL tab on the window's database; the first one is pinned and stays. */
static LhQueryPage *
add_query_tab (LhWindow *self)
{
  LhQueryPage *page = g_object_new (LH_TYPE_QUERY_PAGE, NULL);
  AdwTabPage *tab;
  guint number = ++self->n_query_tabs;

  /* The page may outlive the window while a file loads or saves: its signals must not
   * reach a window that has gone. */
  g_signal_connect_object (page, "schema-changed", G_CALLBACK (schema_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "notify::running", G_CALLBACK (query_running_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "text-changed", G_CALLBACK (schedule_save_tabs), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "notify::title", G_CALLBACK (schedule_save_tabs), self, G_CONNECT_SWAPPED);
  g_object_set_data_full (G_OBJECT (page), "lh-untitled",
                          number == 1 ? g_strdup (_("SQL"))
                                      /* TRANSLATORS: the title of the second, third… SQL tab */
                                      : g_strdup_printf (_("SQL %u"), number),
                          g_free);
  tab = number == 1 ? adw_tab_view_append_pinned (self->tab_view, GTK_WIDGET (page))
                    : adw_tab_view_append (self->tab_view, GTK_WIDGET (page));
  set_page_icon (tab, "utilities-terminal-symbolic");
  query_title_cb (page, NULL, tab);
  g_signal_connect_object (page, "notify::title", G_CALLBACK (query_title_cb), tab, 0);
  g_signal_connect_object (page, "notify::modified", G_CALLBACK (query_title_cb), tab, 0);
  if (self->connection != NULL)
    {
      lh_query_page_set_connection (page, self->connection);
      lh_query_page_set_schema (page, lh_schema_sidebar_get_schema (self->sidebar));
    }
  return page;
}

/* Opens another SQL tab on the database and shows it. */
LhQueryPage *
lh_window_new_query_tab (LhWindow *self)
{
  LhQueryPage *page;

  g_return_val_if_fail (LH_IS_WINDOW (self), NULL);

  if (self->connection == NULL)
    return NULL;
  page = add_query_tab (self);
  adw_tab_view_set_selected_page (self->tab_view, adw_tab_view_get_page (self->tab_view, GTK_WIDGET (page)));
  lh_query_page_focus_editor (page);
  return page;
}

static void
new_query_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  lh_window_new_query_tab (LH_WINDOW (widget));
}

static void
lh_window_init (LhWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* A closed SQL tab is not brought back next time. */
  g_signal_connect_swapped (self->tab_view, "page-detached", G_CALLBACK (schedule_save_tabs), self);
  self->query_page = add_query_tab (self);

  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_signal_connect_object (self->settings, "changed::recent-remote",
                           G_CALLBACK (update_recent_list), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::recent-files",
                           G_CALLBACK (update_recent_list), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->recent_list, "row-activated",
                            G_CALLBACK (recent_row_activated_cb), self);
  update_recent_list (self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  show_page (self, "welcome");
}

LhWindow *
lh_window_new (GtkApplication *application)
{
  return g_object_new (LH_TYPE_WINDOW, "application", application, NULL);
}
