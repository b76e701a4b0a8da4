/* lh-migrations-page.c — LhMigrationsPage shows an LhMigrations as a timeline: one row
 * per migration with a node marking its state, the selected one's SQL highlighted and,
 * for a pending one, the schema change it would make (previewed on a copy of the schema).
 * Rehearse applies the pending migrations to a throwaway copy and reports; Apply asks
 * first, listing what will run, offers a copy of the database beforehand, and reports the
 * file, statement and line of a failure. The folder (and the table's name) are kept per
 * database in GSettings; a file's own `migrations/` folder beside it is the default. */
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "lh-migrations-page.h"
#include "lh-widget-util.h"

/* Lines of schema change or of migrations a dialog lists before "and N more". */
#define DIALOG_MAX_LINES 15

struct _LhMigrationsPage
{
  GtkBox parent_instance;

  /* template children */
  AdwButtonContent *folder_content;
  GtkMenuButton    *table_button;
  GtkEntry         *table_entry;
  GtkLabel         *summary_label;
  GtkRevealer      *progress_revealer;
  GtkLabel         *progress_label;
  GtkProgressBar   *progress_bar;
  GtkStack         *stack;
  GtkSpinner       *loading_spinner;
  AdwStatusPage    *failed_page;
  GtkListBox       *timeline;
  GtkLabel         *detail_title;
  GtkLabel         *detail_state;
  GtkLabel         *detail_problem;
  GtkSourceView    *sql_view;
  GtkLabel         *changes_heading;
  GtkSpinner       *changes_spinner;
  GtkListBox       *changes_list;

  /* owned */
  LhConnection    *connection;
  GSettings       *settings;
  LhMigrations    *migrations;
  GListModel      *items;
  GCancellable    *load_cancellable;
  GCancellable    *run_cancellable;
  GCancellable    *preview_cancellable;
  GtkNativeDialog *chooser;
  char            *selected_name;   /* kept across a reload */

  /* state */
  gboolean busy;
  gboolean rehearsing;   /* what busy means: a rehearsal, else a backup or an apply */
};

G_DEFINE_FINAL_TYPE (LhMigrationsPage, lh_migrations_page, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  OPEN_FILE,
  SCHEMA_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void load (LhMigrationsPage *self);

/* Helpers */

static LhMigration *
get_selected (LhMigrationsPage *self)
{
  GtkListBoxRow *row;

  /* The list goes first when the page is disposed. */
  if (self->timeline == NULL)
    return NULL;
  row = gtk_list_box_get_selected_row (self->timeline);
  if (row == NULL || self->items == NULL)
    return NULL;
  return g_object_get_data (G_OBJECT (row), "lh-migration");
}

static guint
count_state (LhMigrationsPage *self,
             LhMigrationState  state)
{
  guint n = 0;

  for (guint i = 0; self->items != NULL && i < g_list_model_get_n_items (self->items); i++)
    {
      g_autoptr(LhMigration) migration = g_list_model_get_item (self->items, i);

      n += lh_migration_get_state (migration) == state;
    }
  return n;
}

/* The pending migrations that an apply up to `up_to` (NULL: all) would run. */
static GPtrArray *
pending_up_to (LhMigrationsPage *self,
               LhMigration      *up_to)
{
  GPtrArray *pending = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; self->items != NULL && i < g_list_model_get_n_items (self->items); i++)
    {
      g_autoptr(LhMigration) migration = g_list_model_get_item (self->items, i);

      if (lh_migration_get_state (migration) == LH_MIGRATION_PENDING)
        g_ptr_array_add (pending, g_object_ref (migration));
      if (migration == up_to)
        break;
    }
  return pending;
}

static void
update_actions (LhMigrationsPage *self)
{
  LhMigration *selected = get_selected (self);
  gboolean idle = !self->busy && self->migrations != NULL;
  gboolean any_pending = count_state (self, LH_MIGRATION_PENDING) > 0;
  gboolean selected_pending = selected != NULL && lh_migration_get_state (selected) == LH_MIGRATION_PENDING;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.choose-folder", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.refresh", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.set-table", idle);
  gtk_widget_set_sensitive (GTK_WIDGET (self->table_button), idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.new-migration", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.apply", idle && any_pending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.rehearse", idle && any_pending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.apply-up-to", idle && selected_pending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.open-in-editor",
                                 selected != NULL && lh_migration_get_path (selected) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.cancel", self->busy);
}

static void
set_busy (LhMigrationsPage *self,
          gboolean          busy,
          const char       *label)
{
  self->busy = busy;
  gtk_label_set_text (self->progress_label, label != NULL ? label : "");
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_revealer_set_reveal_child (self->progress_revealer, busy);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* A migration's state in words, with when it was applied. */
static char *
describe_state (LhMigration *migration)
{
  const char *applied_at = lh_migration_get_applied_at (migration);

  switch (lh_migration_get_state (migration))
    {
    case LH_MIGRATION_APPLIED:
      return g_strdup_printf (_("Applied %s"), applied_at != NULL ? applied_at : "");
    case LH_MIGRATION_CHANGED:
      return g_strdup_printf (_("Applied %s; its file has changed since"), applied_at != NULL ? applied_at : "");
    case LH_MIGRATION_MISSING:
      return g_strdup_printf (_("Applied %s; its file is missing"), applied_at != NULL ? applied_at : "");
    case LH_MIGRATION_PENDING:
    default:
      return g_strdup (_("Pending"));
    }
}

static const char *
state_icon (LhMigration *migration)
{
  if (lh_migration_get_problem (migration) != NULL)
    return "dialog-error-symbolic";
  switch (lh_migration_get_state (migration))
    {
    case LH_MIGRATION_APPLIED:
      return "emblem-ok-symbolic";
    case LH_MIGRATION_CHANGED:
      return "dialog-warning-symbolic";
    case LH_MIGRATION_MISSING:
      return "edit-delete-symbolic";
    case LH_MIGRATION_PENDING:
    default:
      return "content-loading-symbolic";
    }
}

static const char *
state_class (LhMigration *migration)
{
  if (lh_migration_get_problem (migration) != NULL)
    return "problem";
  switch (lh_migration_get_state (migration))
    {
    case LH_MIGRATION_APPLIED:
      return "applied";
    case LH_MIGRATION_CHANGED:
      return "changed";
    case LH_MIGRATION_MISSING:
      return "missing";
    case LH_MIGRATION_PENDING:
    default:
      return "pending";
    }
}

/* The row's title: the number and the name as words. */
static char *
migration_title (LhMigration *migration)
{
  return g_strdup_printf ("%04u · %s", lh_migration_get_number (migration),
                          lh_migration_get_title (migration));
}

/* Timeline */

/* A row: the node on a line that joins it to its neighbours, then the title and state. */
static GtkWidget *
timeline_row (LhMigration *migration,
              gboolean     first,
              gboolean     last)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *rail = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *above = gtk_separator_new (GTK_ORIENTATION_VERTICAL);
  GtkWidget *below = gtk_separator_new (GTK_ORIENTATION_VERTICAL);
  GtkWidget *node = gtk_image_new_from_icon_name (state_icon (migration));
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *title = migration_title (migration);
  g_autofree char *state = describe_state (migration);
  GtkWidget *title_label = gtk_label_new (title);
  GtkWidget *state_label = gtk_label_new (state);

  gtk_widget_add_css_class (row, "timeline-row");
  gtk_widget_add_css_class (row, state_class (migration));
  gtk_widget_set_vexpand (above, TRUE);
  gtk_widget_set_vexpand (below, TRUE);
  gtk_widget_set_halign (above, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (below, GTK_ALIGN_CENTER);
  gtk_widget_set_opacity (above, first ? 0 : 1);
  gtk_widget_set_opacity (below, last ? 0 : 1);
  gtk_widget_add_css_class (node, "timeline-node");
  gtk_box_append (GTK_BOX (rail), above);
  gtk_box_append (GTK_BOX (rail), node);
  gtk_box_append (GTK_BOX (rail), below);

  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (texts, 8);
  gtk_widget_set_margin_bottom (texts, 8);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_label_set_xalign (GTK_LABEL (title_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title_label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (state_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (state_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (state_label, "caption");
  gtk_widget_add_css_class (state_label, "timeline-state");
  gtk_box_append (GTK_BOX (texts), title_label);
  gtk_box_append (GTK_BOX (texts), state_label);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), rail);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_widget_set_tooltip_text (row, lh_migration_get_name (migration));
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "lh-migration", g_object_ref (migration), g_object_unref);
  return row;
}

static void
update_summary (LhMigrationsPage *self)
{
  guint applied = count_state (self, LH_MIGRATION_APPLIED);
  guint changed = count_state (self, LH_MIGRATION_CHANGED);
  guint missing = count_state (self, LH_MIGRATION_MISSING);
  guint pending = count_state (self, LH_MIGRATION_PENDING);
  g_autoptr(GString) text = g_string_new (NULL);

  /* TRANSLATORS: the first part of the migrations summary, e.g. "4 applied · 1 pending" */
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u applied", "%u applied", applied + changed + missing),
                          applied + changed + missing);
  g_string_append (text, " · ");
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u pending", "%u pending", pending), pending);
  if (changed > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u changed since applied",
                                                 "%u changed since applied", changed), changed);
    }
  if (missing > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u file missing", "%u files missing",
                                                 missing), missing);
    }
  gtk_label_set_text (self->summary_label, text->str);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->summary_label), text->str);
}

static void
fill_timeline (LhMigrationsPage *self)
{
  guint n = g_list_model_get_n_items (self->items);
  GtkListBoxRow *wanted = NULL;
  GtkListBoxRow *first_pending = NULL;

  lh_list_box_clear (self->timeline);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhMigration) migration = g_list_model_get_item (self->items, i);
      GtkWidget *row = timeline_row (migration, i == 0, i + 1 == n);

      gtk_list_box_append (self->timeline, row);
      if (g_strcmp0 (lh_migration_get_name (migration), self->selected_name) == 0)
        wanted = GTK_LIST_BOX_ROW (row);
      if (first_pending == NULL && lh_migration_get_state (migration) == LH_MIGRATION_PENDING)
        first_pending = GTK_LIST_BOX_ROW (row);
    }
  if (wanted == NULL)
    wanted = first_pending != NULL ? first_pending : gtk_list_box_get_row_at_index (self->timeline, n - 1);
  gtk_list_box_select_row (self->timeline, wanted);
}

/* Details of the selected migration */

static void
add_change_line (LhMigrationsPage *self,
                 const char       *text,
                 gboolean          dim)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_margin_bottom (label, 8);
  if (dim)
    gtk_widget_add_css_class (label, "dim-label");
  gtk_list_box_append (self->changes_list, label);
}

static void
preview_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LhMigrationsPage) self = user_data;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;

  changes = lh_migrations_preview_finish (LH_MIGRATIONS (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->changes_list == NULL)
    return;
  gtk_spinner_stop (self->changes_spinner);
  lh_list_box_clear (self->changes_list);
  if (changes == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not preview it: %s"), error->message);

      add_change_line (self, text, FALSE);
      return;
    }
  if (changes->len == 0)
    add_change_line (self, _("No change to the schema (it changes only rows, or nothing)."), TRUE);
  for (guint i = 0; i < changes->len; i++)
    {
      g_autofree char *line = lh_schema_change_describe (g_ptr_array_index (changes, i));

      add_change_line (self, line, FALSE);
    }
}

static void
show_details (LhMigrationsPage *self,
              LhMigration      *migration)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sql_view));
  g_autofree char *title = migration_title (migration);
  g_autofree char *state = describe_state (migration);
  const char *problem = lh_migration_get_problem (migration);
  const char *sql = lh_migration_get_sql (migration);

  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  g_free (self->selected_name);
  self->selected_name = g_strdup (lh_migration_get_name (migration));

  gtk_label_set_text (self->detail_title, title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->detail_title), lh_migration_get_name (migration));
  gtk_label_set_text (self->detail_state, state);
  gtk_label_set_text (self->detail_problem, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->detail_problem), problem != NULL);
  if (sql != NULL)
    gtk_text_buffer_set_text (buffer, sql, -1);
  else if (lh_migration_get_state (migration) == LH_MIGRATION_MISSING)
    gtk_text_buffer_set_text (buffer, _("-- The file of this migration is no longer in the folder."), -1);
  else
    gtk_text_buffer_set_text (buffer, "", 0);

  lh_list_box_clear (self->changes_list);
  gtk_spinner_stop (self->changes_spinner);
  if (lh_migration_get_state (migration) != LH_MIGRATION_PENDING)
    add_change_line (self, _("Already applied: its change is in the database’s schema."), TRUE);
  else if (problem != NULL)
    add_change_line (self, _("Not previewed: the file cannot be applied as it is."), TRUE);
  else
    {
      self->preview_cancellable = g_cancellable_new ();
      gtk_spinner_start (self->changes_spinner);
      lh_migrations_preview_async (self->migrations, migration, self->preview_cancellable,
                                   preview_cb, g_object_ref (self));
    }
  update_actions (self);
}

static void
row_selected_cb (LhMigrationsPage *self,
                 GtkListBoxRow    *row)
{
  LhMigration *migration = row != NULL ? g_object_get_data (G_OBJECT (row), "lh-migration") : NULL;

  if (self->stack == NULL)
    return;
  if (migration != NULL)
    show_details (self, migration);
  else
    update_actions (self);
}

/* Loading */

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LhMigrationsPage) self = user_data;
  g_autoptr(GListModel) items = NULL;
  g_autoptr(GError) error = NULL;

  items = lh_migrations_load_finish (LH_MIGRATIONS (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->stack == NULL ||
      LH_MIGRATIONS (source) != self->migrations)
    return;
  gtk_spinner_stop (self->loading_spinner);
  g_clear_object (&self->items);
  if (items == NULL)
    {
      adw_status_page_set_description (self->failed_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "failed");
      gtk_label_set_text (self->summary_label, "");
      update_actions (self);
      return;
    }
  self->items = g_steal_pointer (&items);
  update_summary (self);
  if (g_list_model_get_n_items (self->items) == 0)
    {
      adw_status_page_set_description (self->failed_page,
                                       _("The folder holds no migration (.sql files) yet: make the first with New Migration."));
      gtk_stack_set_visible_child_name (self->stack, "failed");
      update_actions (self);
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "timeline");
  fill_timeline (self);
  update_actions (self);
}

static void
load (LhMigrationsPage *self)
{
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->migrations == NULL)
    return;
  self->load_cancellable = g_cancellable_new ();
  if (self->items == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "loading");
      gtk_spinner_start (self->loading_spinner);
    }
  lh_migrations_load_async (self->migrations, self->load_cancellable, loaded_cb, g_object_ref (self));
}

/* Remembers folder and table for this database, replacing what was kept for it. */
static void
keep_folder (LhMigrationsPage *self,
             const char       *folder,
             const char       *table)
{
  g_autoptr(GVariant) kept = g_settings_get_value (self->settings, "migration-folders");
  const char *location = lh_connection_get_location (self->connection);
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key, *kept_folder, *kept_table;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{s(ss)}"));
  g_variant_iter_init (&iter, kept);
  while (g_variant_iter_next (&iter, "{&s(&s&s)}", &key, &kept_folder, &kept_table))
    if (!g_str_equal (key, location))
      g_variant_builder_add (&builder, "{s(ss)}", key, kept_folder, kept_table);
  g_variant_builder_add (&builder, "{s(ss)}", location, folder, table);
  g_settings_set_value (self->settings, "migration-folders", g_variant_builder_end (&builder));
}

/* Shows the migrations of folder, recorded in table (NULL: d1_migrations), and keeps the
 * choice for this database. */
void
lh_migrations_page_set_folder (LhMigrationsPage *self,
                               const char       *folder,
                               const char       *table)
{
  g_autofree char *name = NULL;

  g_autoptr(LhMigrations) old = NULL;

  g_return_if_fail (LH_IS_MIGRATIONS_PAGE (self));
  g_return_if_fail (folder != NULL);

  if (table == NULL || *table == '\0')
    table = LH_MIGRATIONS_DEFAULT_TABLE;
  /* folder and table may be the old object's own: it goes only at the end. */
  old = g_steal_pointer (&self->migrations);
  g_clear_object (&self->items);
  self->migrations = lh_migrations_new (self->connection, folder, table);
  name = g_path_get_basename (folder);
  adw_button_content_set_label (self->folder_content, name);
  gtk_editable_set_text (GTK_EDITABLE (self->table_entry), table);
  gtk_widget_set_tooltip_text (gtk_widget_get_parent (GTK_WIDGET (self->folder_content)), folder);

  keep_folder (self, folder, table);
  load (self);
}

/* The folder kept for this database, else a local file's `migrations/` beside it. */
static void
choose_initial_folder (LhMigrationsPage *self)
{
  g_autoptr(GVariant) kept = g_settings_get_value (self->settings, "migration-folders");
  const char *folder = NULL;
  const char *table = NULL;

  if (g_variant_lookup (kept, lh_connection_get_location (self->connection), "(&s&s)", &folder, &table))
    {
      lh_migrations_page_set_folder (self, folder, table);
      return;
    }
  if (LH_IS_LOCAL_CONNECTION (self->connection))
    {
      g_autofree char *dir = g_path_get_dirname (lh_local_connection_get_path (LH_LOCAL_CONNECTION (self->connection)));
      g_autofree char *beside = g_build_filename (dir, "migrations", NULL);

      if (g_file_test (beside, G_FILE_TEST_IS_DIR))
        {
          lh_migrations_page_set_folder (self, beside, NULL);
          return;
        }
    }
  gtk_stack_set_visible_child_name (self->stack, "choose");
  update_actions (self);
}

/* Choose folder */

static void
chooser_response_cb (LhMigrationsPage     *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        lh_migrations_page_set_folder (self, path,
                                       self->migrations != NULL ? lh_migrations_get_table (self->migrations) : NULL);
    }
  g_clear_object (&self->chooser);
}

static void
choose_folder_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LhMigrationsPage *self = LH_MIGRATIONS_PAGE (widget);
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Choose the Migrations Folder"),
                                         lh_widget_get_window (GTK_WIDGET (self)),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Choose"), NULL);
  if (self->migrations != NULL)
    {
      g_autoptr(GFile) current = g_file_new_for_path (lh_migrations_get_folder (self->migrations));

      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), current, NULL);
    }
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (self->chooser);
}

/* Records applied migrations in the table the entry names, for this database from now. */
static void
set_table_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LhMigrationsPage *self = LH_MIGRATIONS_PAGE (widget);
  g_autofree char *table = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->table_entry))));

  if (self->migrations == NULL || *table == '\0')
    return;
  gtk_menu_button_popdown (self->table_button);
  if (g_str_equal (table, lh_migrations_get_table (self->migrations)))
    return;
  lh_migrations_page_set_folder (self, lh_migrations_get_folder (self->migrations), table);
}

static void
table_entry_activate_cb (LhMigrationsPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "page.set-table", NULL);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  load (LH_MIGRATIONS_PAGE (widget));
}

/* New migration */

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LhMigrationsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = lh_migrations_create_finish (LH_MIGRATIONS (source), result, &error);
  g_autoptr(GFile) file = NULL;
  g_autofree char *text = NULL;

  if (self->stack == NULL)
    return;
  if (path == NULL)
    {
      text = g_strdup_printf (_("Could not create the migration: %s"), error->message);
      lh_widget_show_toast (GTK_WIDGET (self), text);
      return;
    }
  g_free (self->selected_name);
  self->selected_name = g_path_get_basename (path);
  load (self);
  file = g_file_new_for_path (path);
  g_signal_emit (self, signals[OPEN_FILE], 0, file);
}

static void
new_migration_response_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           LhMigrationsPage *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (!g_str_equal (response, "create") || self->migrations == NULL)
    return;
  lh_migrations_create_async (self->migrations, gtk_editable_get_text (entry), NULL, created_cb,
                              g_object_ref (self));
}

static void
name_changed_cb (GtkEditable      *entry,
                 AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "create", *name != '\0');
}

static void
new_migration_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LhMigrationsPage *self = LH_MIGRATIONS_PAGE (widget);
  GtkWidget *entry = gtk_entry_new ();
  AdwMessageDialog *dialog;

  dialog = lh_widget_new_question (GTK_WIDGET (self), _("New Migration"),
                                   _("The next number goes before the name, as wrangler does; the "
                                     "file opens in an SQL tab."),
                                   "create", _("C_reate"), ADW_RESPONSE_SUGGESTED, TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("e.g. add users table"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_set_response_enabled (dialog, "create", FALSE);
  g_signal_connect (entry, "changed", G_CALLBACK (name_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (new_migration_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* Running: rehearse and apply */

static void
progress_cb (LhMigration *migration,
             guint        index,
             guint        n_migrations,
             gpointer     user_data)
{
  LhMigrationsPage *self = user_data;
  g_autofree char *text = NULL;

  if (self->rehearsing)
    /* TRANSLATORS: e.g. "Rehearsing 0005_add_estimates.sql (1 of 2)…" */
    text = g_strdup_printf (_("Rehearsing %s (%u of %u)…"), lh_migration_get_name (migration),
                            index + 1, n_migrations);
  else
    /* TRANSLATORS: e.g. "Applying 0005_add_estimates.sql (1 of 2)…" */
    text = g_strdup_printf (_("Applying %s (%u of %u)…"), lh_migration_get_name (migration),
                            index + 1, n_migrations);
  gtk_label_set_text (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, (double) index / MAX (n_migrations, 1));
}

static void
append_lines (GString    *body,
              GPtrArray  *lines)
{
  for (guint i = 0; i < lines->len && i < DIALOG_MAX_LINES; i++)
    g_string_append_printf (body, "\n• %s", (const char *) g_ptr_array_index (lines, i));
  if (lines->len > DIALOG_MAX_LINES)
    {
      g_string_append_c (body, '\n');
      g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "and %u more", "and %u more",
                                                 lines->len - DIALOG_MAX_LINES),
                              lines->len - DIALOG_MAX_LINES);
    }
}

static void
rehearsed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LhMigrationsPage) self = user_data;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint n_applied = 0;

  changes = lh_migrations_rehearse_finish (LH_MIGRATIONS (source), result, &n_applied, &error);
  if (self->stack == NULL)
    return;
  set_busy (self, FALSE, NULL);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      lh_widget_show_toast (GTK_WIDGET (self), _("Rehearsal cancelled"));
      return;
    }
  if (changes == NULL)
    {
      g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u migration went in before this one failed on the copy:",
                                                 "%u migrations went in before this one failed on the copy:",
                                                 n_applied), n_applied);
      g_string_append_printf (body, "\n\n%s\n\n%s", error->message, _("The database itself was not touched."));
      lh_widget_show_message (GTK_WIDGET (self), _("Rehearsal Failed"), body->str);
      return;
    }
  g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE,
                                             "%u migration applied to a throwaway copy; the database itself was not touched.",
                                             "%u migrations applied to a throwaway copy; the database itself was not touched.",
                                             n_applied), n_applied);
  for (guint i = 0; i < changes->len; i++)
    g_ptr_array_add (lines, lh_schema_change_describe (g_ptr_array_index (changes, i)));
  if (lines->len == 0)
    g_string_append_printf (body, "\n\n%s", _("The schema does not change."));
  else
    {
      g_string_append_printf (body, "\n\n%s", _("The schema would change so:"));
      append_lines (body, lines);
    }
  lh_widget_show_message (GTK_WIDGET (self), _("Rehearsal Passed"), body->str);
}

static void
rehearse_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  LhMigrationsPage *self = LH_MIGRATIONS_PAGE (widget);

  g_clear_object (&self->run_cancellable);
  self->run_cancellable = g_cancellable_new ();
  self->rehearsing = TRUE;
  set_busy (self, TRUE, _("Copying the database for the rehearsal…"));
  lh_migrations_rehearse_async (self->migrations, NULL, self->run_cancellable, progress_cb, self,
                                rehearsed_cb, g_object_ref (self));
}

static void
applied_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LhMigrationsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n_applied = 0;

  lh_migrations_apply_finish (LH_MIGRATIONS (source), result, &n_applied, &error);
  if (self->stack == NULL)
    return;
  set_busy (self, FALSE, NULL);
  if (n_applied > 0)
    g_signal_emit (self, signals[SCHEMA_CHANGED], 0);
  load (self);
  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u migration applied",
                                                            "%u migrations applied", n_applied), n_applied);

      lh_widget_show_toast (GTK_WIDGET (self), text);
    }
  else
    {
      g_autofree char *body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u migration was applied before this one failed:\n\n%s\n\n"
                                                            "The failing migration left nothing behind.",
                                                            "%u migrations were applied before this one failed:\n\n%s\n\n"
                                                            "The failing migration left nothing behind.",
                                                            n_applied), n_applied, error->message);

      lh_widget_show_message (GTK_WIDGET (self), _("Migration Failed"), body);
    }
}

static void
start_apply (LhMigrationsPage *self,
             const char       *up_to)
{
  self->rehearsing = FALSE;
  set_busy (self, TRUE, _("Applying…"));
  lh_migrations_apply_async (self->migrations, up_to, self->run_cancellable, progress_cb, self,
                             applied_cb, g_object_ref (self));
}

static void
backed_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LhMigrationsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = lh_migrations_backup_finish (LH_MIGRATIONS (source), result, &error);
  g_autofree char *text = NULL;
  char *up_to = g_object_steal_data (G_OBJECT (self), "lh-up-to");

  if (self->stack == NULL)
    {
      g_free (up_to);
      return;
    }
  if (path == NULL)
    {
      set_busy (self, FALSE, NULL);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          text = g_strdup_printf (_("Nothing was applied: the copy before the migrations failed: %s"),
                                  error->message);
          lh_widget_show_message (GTK_WIDGET (self), _("Backup Failed"), text);
        }
      g_free (up_to);
      return;
    }
  text = g_strdup_printf (_("Copy kept at %s"), path);
  lh_widget_show_toast (GTK_WIDGET (self), text);
  start_apply (self, up_to);
  g_free (up_to);
}

static void
confirm_apply_response_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           LhMigrationsPage *self)
{
  GtkWidget *backup = adw_message_dialog_get_extra_child (dialog);
  const char *up_to = g_object_get_data (G_OBJECT (dialog), "lh-up-to");

  if (!g_str_equal (response, "apply") || self->migrations == NULL || self->busy)
    return;
  g_clear_object (&self->run_cancellable);
  self->run_cancellable = g_cancellable_new ();
  if (backup != NULL && gtk_check_button_get_active (GTK_CHECK_BUTTON (backup)))
    {
      set_busy (self, TRUE, _("Copying the database before the migrations…"));
      gtk_progress_bar_pulse (self->progress_bar);
      g_object_set_data_full (G_OBJECT (self), "lh-up-to", g_strdup (up_to), g_free);
      lh_migrations_backup_async (self->migrations, self->run_cancellable, backed_up_cb, g_object_ref (self));
      return;
    }
  start_apply (self, up_to);
}

/* Asks before applying the pending migrations up to up_to (NULL: all), listing them. */
static void
confirm_apply (LhMigrationsPage *self,
               LhMigration      *up_to)
{
  g_autoptr(GPtrArray) pending = pending_up_to (self, up_to);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (pending->len == 0)
    return;
  for (guint i = 0; i < pending->len; i++)
    g_ptr_array_add (names, (gpointer) lh_migration_get_name (g_ptr_array_index (pending, i)));
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Apply %u Migration?", "Apply %u Migrations?",
                                          pending->len), pending->len);
  g_string_append_printf (body, _("These run on “%s”, in this order, each together with its record in "
                                  "“%s”: a migration that fails leaves nothing behind."),
                          lh_connection_get_title (self->connection), lh_migrations_get_table (self->migrations));
  g_string_append_c (body, '\n');
  append_lines (body, names);

  dialog = lh_widget_new_question (GTK_WIDGET (self), heading, body->str, "apply", _("_Apply"),
                                   ADW_RESPONSE_SUGGESTED, FALSE);
  if (LH_IS_LOCAL_CONNECTION (self->connection))
    {
      GtkWidget *backup = gtk_check_button_new_with_mnemonic (_("_Back up the database first"));

      gtk_check_button_set_active (GTK_CHECK_BUTTON (backup), TRUE);
      gtk_widget_set_halign (backup, GTK_ALIGN_CENTER);
      adw_message_dialog_set_extra_child (dialog, backup);
    }
  if (up_to != NULL)
    g_object_set_data_full (G_OBJECT (dialog), "lh-up-to", g_strdup (lh_migration_get_name (up_to)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_apply_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  confirm_apply (LH_MIGRATIONS_PAGE (widget), NULL);
}

static void
apply_up_to_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LhMigrationsPage *self = LH_MIGRATIONS_PAGE (widget);

  confirm_apply (self, get_selected (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  g_cancellable_cancel (LH_MIGRATIONS_PAGE (widget)->run_cancellable);
}

static void
open_in_editor_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LhMigrationsPage *self = LH_MIGRATIONS_PAGE (widget);
  LhMigration *migration = get_selected (self);
  g_autoptr(GFile) file = NULL;

  if (migration == NULL || lh_migration_get_path (migration) == NULL)
    return;
  file = g_file_new_for_path (lh_migration_get_path (migration));
  g_signal_emit (self, signals[OPEN_FILE], 0, file);
}

/* Style */

static void
apply_style_scheme (LhMigrationsPage *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (manager) ? "Adwaita-dark" : "Adwaita";
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sql_view)));

  gtk_source_buffer_set_style_scheme (buffer, gtk_source_style_scheme_manager_get_scheme (schemes, id));
}

/* GObject */

static void
lh_migrations_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LhMigrationsPage *self = LH_MIGRATIONS_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lh_migrations_page_dispose (GObject *object)
{
  LhMigrationsPage *self = LH_MIGRATIONS_PAGE (object);

  g_cancellable_cancel (self->load_cancellable);
  g_cancellable_cancel (self->run_cancellable);
  g_cancellable_cancel (self->preview_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  self->stack = NULL;
  self->changes_list = NULL;
  self->timeline = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), LH_TYPE_MIGRATIONS_PAGE);
  G_OBJECT_CLASS (lh_migrations_page_parent_class)->dispose (object);
}

static void
lh_migrations_page_finalize (GObject *object)
{
  LhMigrationsPage *self = LH_MIGRATIONS_PAGE (object);

  g_clear_object (&self->connection);
  g_clear_object (&self->settings);
  g_clear_object (&self->migrations);
  g_clear_object (&self->items);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->run_cancellable);
  g_clear_object (&self->preview_cancellable);
  g_free (self->selected_name);
  G_OBJECT_CLASS (lh_migrations_page_parent_class)->finalize (object);
}

static void
lh_migrations_page_class_init (LhMigrationsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lh_migrations_page_get_property;
  object_class->dispose = lh_migrations_page_dispose;
  object_class->finalize = lh_migrations_page_finalize;

  /* Something is running (rehearse, backup or apply): the window should not close it. */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A migration's file to open in an SQL tab. */
  signals[OPEN_FILE] =
    g_signal_new ("open-file", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_FILE);
  /* Migrations were applied: the schema browser should read the schema again. */
  signals[SCHEMA_CHANGED] =
    g_signal_new ("schema-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/litehouse/Litehouse/lh-migrations-page.ui");
  gtk_widget_class_set_css_name (widget_class, "migrationspage");
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, folder_content);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, table_button);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, table_entry);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, failed_page);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, timeline);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, detail_title);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, detail_state);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, detail_problem);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, sql_view);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, changes_heading);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, changes_spinner);
  gtk_widget_class_bind_template_child (widget_class, LhMigrationsPage, changes_list);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, table_entry_activate_cb);

  gtk_widget_class_install_action (widget_class, "page.choose-folder", NULL, choose_folder_action);
  gtk_widget_class_install_action (widget_class, "page.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "page.set-table", NULL, set_table_action);
  gtk_widget_class_install_action (widget_class, "page.new-migration", NULL, new_migration_action);
  gtk_widget_class_install_action (widget_class, "page.rehearse", NULL, rehearse_action);
  gtk_widget_class_install_action (widget_class, "page.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "page.apply-up-to", NULL, apply_up_to_action);
  gtk_widget_class_install_action (widget_class, "page.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "page.open-in-editor", NULL, open_in_editor_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "page.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "page.new-migration", NULL);
}

static void
lh_migrations_page_init (LhMigrationsPage *self)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APP_ID);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sql_view));
  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (buffer), gtk_source_language_manager_get_language (languages, "sql"));
  apply_style_scheme (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (apply_style_scheme), self, G_CONNECT_SWAPPED);
  update_actions (self);
}

/* The migrations page of connection's database. */
GtkWidget *
lh_migrations_page_new (LhConnection *connection)
{
  LhMigrationsPage *self;

  g_return_val_if_fail (LH_IS_CONNECTION (connection), NULL);

  self = g_object_new (LH_TYPE_MIGRATIONS_PAGE, NULL);
  self->connection = g_object_ref (connection);
  choose_initial_folder (self);
  return GTK_WIDGET (self);
}

LhMigrations *
lh_migrations_page_get_migrations (LhMigrationsPage *self)
{
  g_return_val_if_fail (LH_IS_MIGRATIONS_PAGE (self), NULL);
  return self->migrations;
}

/* The migrations shown (LhMigration), or NULL before they are read. */
GListModel *
lh_migrations_page_get_items (LhMigrationsPage *self)
{
  g_return_val_if_fail (LH_IS_MIGRATIONS_PAGE (self), NULL);
  return self->items;
}

gboolean
lh_migrations_page_get_busy (LhMigrationsPage *self)
{
  g_return_val_if_fail (LH_IS_MIGRATIONS_PAGE (self), FALSE);
  return self->busy;
}

/* Selects the migration at position of the timeline. */
void
lh_migrations_page_select (LhMigrationsPage *self,
                           guint             position)
{
  g_return_if_fail (LH_IS_MIGRATIONS_PAGE (self));
  gtk_list_box_select_row (self->timeline, gtk_list_box_get_row_at_index (self->timeline, position));
}

/* The timeline as text, a line per migration: "0001 · title — state". For tests. */
char *
lh_migrations_page_dup_timeline_text (LhMigrationsPage *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (LH_IS_MIGRATIONS_PAGE (self), NULL);

  for (guint i = 0; self->items != NULL && i < g_list_model_get_n_items (self->items); i++)
    {
      g_autoptr(LhMigration) migration = g_list_model_get_item (self->items, i);
      g_autofree char *title = migration_title (migration);
      g_autofree char *state = describe_state (migration);

      g_string_append_printf (text, "%s — %s\n", title, state);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The schema change shown for the selected migration, a line each. For tests. */
char *
lh_migrations_page_dup_changes_text (LhMigrationsPage *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (LH_IS_MIGRATIONS_PAGE (self), NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->changes_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *label = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));

      g_string_append_printf (text, "%s\n", gtk_label_get_text (GTK_LABEL (label)));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

const char *
lh_migrations_page_get_summary (LhMigrationsPage *self)
{
  g_return_val_if_fail (LH_IS_MIGRATIONS_PAGE (self), NULL);
  return gtk_label_get_text (self->summary_label);
}

/* What the page says when it cannot show the migrations, or NULL when it shows them. */
const char *
lh_migrations_page_get_error_text (LhMigrationsPage *self)
{
  g_return_val_if_fail (LH_IS_MIGRATIONS_PAGE (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "failed") != 0)
    return NULL;
  return adw_status_page_get_description (self->failed_page);
}
