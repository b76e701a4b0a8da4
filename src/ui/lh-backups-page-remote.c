/* lh-backups-page-remote.c — what LhBackupsPage does for a remote database: Back Up Now
 * takes an SQL dump (D1's export; libSQL's in one read transaction on a connection of the
 * page's own), Restore and Import replace the database's tables with a dump or a local
 * database file after a safety dump, and for D1 Time Travel finds the restore point of a
 * chosen time and restores it, with Undo. Save as a Database File, for any backup of any
 * page, writes it out as an SQLite file. */
#include "config.h"

#include <glib/gi18n.h>

#include "lh-backups-page-private.h"
#include "lh-widget-util.h"

/* Work on the remote database: on a connection of its own */

typedef void (*WithConnection) (LhBackupsPage *self,
                                LhConnection  *connection,
                                gpointer       data);

typedef struct
{
  LhBackupsPage  *self;
  WithConnection  next;
  gpointer        data;
  GDestroyNotify  destroy;
} Pending;

static void
pending_free (Pending *pending)
{
  if (pending->destroy != NULL)
    pending->destroy (pending->data);
  g_object_unref (pending->self);
  g_free (pending);
}

static void
another_opened_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Pending *pending = user_data;
  LhBackupsPage *self = pending->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(LhLibsqlConnection) connection = lh_libsql_connection_open_finish (result, &error);

  if (self->list != NULL && connection == NULL)
    {
      lh_backups_page_set_busy (self, NULL);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lh_widget_show_message (GTK_WIDGET (self), _("Could Not Reach the Database"), error->message);
    }
  else if (self->list != NULL)
    pending->next (self, LH_CONNECTION (connection), pending->data);
  pending_free (pending);
}

/* Calls next with a connection for the page's work (the page is busy already): D1's
 * requests stand alone, so the window's; for libSQL another, so that the work's
 * transaction is never the user's. */
static void
with_connection (LhBackupsPage  *self,
                 WithConnection  next,
                 gpointer        data,
                 GDestroyNotify  destroy)
{
  Pending *pending;

  if (!LH_IS_LIBSQL_CONNECTION (self->connection))
    {
      next (self, self->connection, data);
      if (destroy != NULL)
        destroy (data);
      return;
    }
  pending = g_new0 (Pending, 1);
  pending->self = g_object_ref (self);
  pending->next = next;
  pending->data = data;
  pending->destroy = destroy;
  lh_libsql_connection_open_another_async (LH_LIBSQL_CONNECTION (self->connection),
                                           self->run_cancellable, another_opened_cb, pending);
}

static const char *
database_title (LhBackupsPage *self)
{
  return lh_connection_get_title (self->connection);
}

/* Back up now */

static void
dumped_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GError) error = NULL;

  backup = lh_backup_catalog_create_dump_finish (LH_BACKUP_CATALOG (source), result, &error);
  if (self->list == NULL)
    return;
  lh_backups_page_set_busy (self, NULL);
  lh_backups_page_refresh (self);
  if (backup != NULL)
    lh_widget_show_toast (GTK_WIDGET (self), _("Dump taken and checked"));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lh_widget_show_toast (GTK_WIDGET (self), _("Backup cancelled: nothing was kept"));
  else
    lh_widget_show_message (GTK_WIDGET (self), _("Backup Failed"), error->message);
}

typedef struct
{
  LhBackupFlags  flags;
  char          *note;
} DumpRequest;

static void
dump_request_free (DumpRequest *request)
{
  g_free (request->note);
  g_free (request);
}

static void
start_dump (LhBackupsPage *self,
            LhConnection  *connection,
            gpointer       data)
{
  DumpRequest *request = data;

  lh_backup_catalog_create_dump_async (self->catalog, connection, request->flags, request->note,
                                       self->run_cancellable, lh_backups_page_progress_cb, self,
                                       dumped_cb, g_object_ref (self));
}

static void
back_up_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     LhBackupsPage    *self)
{
  GtkWidget *box = adw_message_dialog_get_extra_child (dialog);
  GtkCheckButton *gzip = GTK_CHECK_BUTTON (gtk_widget_get_first_child (box));
  GtkEditable *note = GTK_EDITABLE (gtk_widget_get_next_sibling (GTK_WIDGET (gzip)));
  DumpRequest *request;

  if (!g_str_equal (response, "back-up") || self->busy)
    return;
  request = g_new0 (DumpRequest, 1);
  request->flags = gtk_check_button_get_active (gzip) ? LH_BACKUP_GZIP : LH_BACKUP_FLAGS_NONE;
  request->note = g_strdup (gtk_editable_get_text (note));
  lh_backups_page_set_busy (self, LH_IS_D1_CONNECTION (self->connection)
                                    ? _("D1 is exporting the database…")
                                    : _("Dumping the database…"));
  lh_backups_page_set_then (self, _("Checking the dump…"));
  with_connection (self, start_dump, request, (GDestroyNotify) dump_request_free);
}

void
lh_backups_page_remote_back_up (LhBackupsPage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *gzip = gtk_check_button_new_with_mnemonic (_("Co_mpress with gzip"));
  GtkWidget *note = gtk_entry_new ();
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  gtk_entry_set_placeholder_text (GTK_ENTRY (note), _("Note (optional), e.g. before the import"));
  gtk_entry_set_activates_default (GTK_ENTRY (note), TRUE);
  gtk_widget_set_margin_top (note, 6);
  gtk_box_append (GTK_BOX (box), gzip);
  gtk_box_append (GTK_BOX (box), note);
  if (LH_IS_D1_CONNECTION (self->connection))
    body = g_strdup_printf (_("D1 exports “%s” as an SQL dump, which is downloaded into the catalog "
                              "and checked before it is listed. D1 serves no queries while it "
                              "exports, which takes a while for a large database. D1 writes numbers "
                              "as JavaScript does: integers beyond 2⁵³ lose digits."),
                            database_title (self));
  else
    body = g_strdup_printf (_("“%s” is read in one transaction, so the dump is consistent while "
                              "others write; it is checked before it is listed."),
                            database_title (self));
  dialog = lh_widget_new_question (GTK_WIDGET (self), _("Back Up Now"), body, "back-up", _("_Back Up"),
                                   ADW_RESPONSE_SUGGESTED, TRUE);
  adw_message_dialog_set_extra_child (dialog, box);
  g_signal_connect_object (dialog, "response", G_CALLBACK (back_up_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Restore and import: a file replaces the database's tables */

static void
imported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;

  safety = lh_backup_catalog_import_finish (LH_BACKUP_CATALOG (source), result, &error);
  if (self->list == NULL)
    return;
  lh_backups_page_set_busy (self, NULL);
  lh_backups_page_refresh (self);
  if (safety != NULL)
    {
      lh_widget_show_toast (GTK_WIDGET (self), _("Done; the state before is kept as a safety backup"));
      lh_backups_page_emit_restored (self);
    }
  else if (g_error_matches (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_TIMEOUT) ||
           g_error_matches (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NETWORK))
    {
      /* The end was not heard of: what is there now is worth a look. */
      lh_widget_show_message (GTK_WIDGET (self), _("The Database May Have Changed"), error->message);
      lh_backups_page_emit_restored (self);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lh_widget_show_message (GTK_WIDGET (self), _("Nothing Was Replaced"), error->message);
}

static void
start_import (LhBackupsPage *self,
              LhConnection  *connection,
              gpointer       data)
{
  lh_backup_catalog_import_async (self->catalog, connection, data, self->run_cancellable,
                                  lh_backups_page_progress_cb, self, imported_cb, g_object_ref (self));
}

static void
start_restore (LhBackupsPage *self,
               LhConnection  *connection,
               gpointer       data)
{
  lh_backup_catalog_restore_dump_async (self->catalog, data, connection, self->run_cancellable,
                                        lh_backups_page_progress_cb, self, imported_cb,
                                        g_object_ref (self));
}

static void
import_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    LhBackupsPage    *self)
{
  const char *path = g_object_get_data (G_OBJECT (dialog), "lh-path");
  LhBackup *backup = g_object_get_data (G_OBJECT (dialog), "lh-backup");

  if (!g_str_equal (response, "replace") || self->busy)
    return;
  lh_backups_page_set_busy (self, _("Checking the file, then taking a safety dump…"));
  /* Once the safety dump is written: its check, then the load (D1: the upload, measured,
   * then D1's import). */
  lh_backups_page_set_then (self, _("Replacing the database’s tables…"));
  if (backup != NULL)
    with_connection (self, start_restore, g_object_ref (backup), g_object_unref);
  else
    with_connection (self, start_import, g_strdup (path), g_free);
}

/* Asks before path, or backup (what, in the user's words), replaces the database. */
static void
confirm_import (LhBackupsPage *self,
                const char    *path,
                LhBackup      *backup,
                const char    *heading,
                const char    *what)
{
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  body = g_strdup_printf (_("Every table, view and trigger of “%s” will be replaced by those of %s, "
                            "all at once or not at all. The file is checked first, and the "
                            "database’s current state is dumped as a safety backup you can "
                            "restore."), database_title (self), what);
  dialog = lh_widget_new_question (GTK_WIDGET (self), heading, body, "replace", _("_Replace"),
                                   ADW_RESPONSE_DESTRUCTIVE, FALSE);
  g_object_set_data_full (G_OBJECT (dialog), "lh-path", g_strdup (path), g_free);
  if (backup != NULL)
    g_object_set_data_full (G_OBJECT (dialog), "lh-backup", g_object_ref (backup), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (import_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
lh_backups_page_remote_restore (LhBackupsPage *self,
                                LhBackup      *backup)
{
  g_autofree char *when = lh_backups_page_dup_title (backup);
  g_autofree char *size = g_format_size (lh_backup_get_size (backup));
  /* TRANSLATORS: what replaces the database: "this backup of 4 Dec 2026, 14:15:30 (1.2 MB)" */
  g_autofree char *what = g_strdup_printf (_("this backup of %s (%s)"), when, size);

  confirm_import (self, lh_backup_get_path (backup), backup, _("Restore This Backup?"), what);
}

/* Asks whether the file at path (a database file or an SQL dump) replaces the remote
 * database's tables, then imports it: what Import… does once a file is chosen. */
void
lh_backups_page_import (LhBackupsPage *self,
                        const char    *path)
{
  g_autofree char *name = NULL;
  g_autofree char *what = NULL;

  g_return_if_fail (LH_IS_BACKUPS_PAGE (self));
  g_return_if_fail (path != NULL);

  if (self->connection == NULL || self->busy)
    return;
  name = g_filename_display_basename (path);
  what = g_strdup_printf (_("“%s”"), name);
  confirm_import (self, path, NULL, _("Replace the Database?"), what);
}

static void
import_chosen_cb (LhBackupsPage        *self,
                  int                   response,
                  GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser)) : NULL;
  g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

  g_clear_object (&self->chooser);
  if (path != NULL)
    lh_backups_page_import (self, path);
}

static GtkFileFilter *
new_filter (const char *name,
            const char *first_pattern,
            ...)
{
  GtkFileFilter *filter = gtk_file_filter_new ();
  va_list patterns;

  gtk_file_filter_set_name (filter, name);
  va_start (patterns, first_pattern);
  for (const char *pattern = first_pattern; pattern != NULL; pattern = va_arg (patterns, const char *))
    gtk_file_filter_add_pattern (filter, pattern);
  va_end (patterns);
  return filter;
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL || self->busy || self->connection == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Choose a Database File or an SQL Dump"),
                                         lh_widget_get_window (widget), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         NULL, NULL);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser),
                               new_filter (_("Databases and SQL dumps"), "*.sqlite", "*.sqlite3", "*.db",
                                           "*.sql", "*.sql.gz", "*.sqlite.gz", NULL));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), new_filter (_("All files"), "*", NULL));
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (import_chosen_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (self->chooser);
}

/* Save as a database file */

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = lh_backup_catalog_save_as_finish (LH_BACKUP_CATALOG (source), result, &error);

  if (self->list == NULL)
    return;
  lh_backups_page_set_busy (self, NULL);
  lh_backups_page_refresh (self);
  if (ok)
    lh_widget_show_toast (GTK_WIDGET (self), _("Saved as a database file"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lh_widget_show_message (GTK_WIDGET (self), _("Could Not Save the Backup"), error->message);
}

/* Writes the backup as an SQLite file at path (the UI's own tests call this directly). */
void
lh_backups_page_save_as (LhBackupsPage *self,
                         LhBackup      *backup,
                         const char    *path)
{
  g_return_if_fail (LH_IS_BACKUPS_PAGE (self));
  g_return_if_fail (LH_IS_BACKUP (backup) && path != NULL);

  if (self->busy)
    return;
  lh_backups_page_set_busy (self, _("Writing the database file…"));
  gtk_progress_bar_pulse (self->progress_bar);
  lh_backup_catalog_save_as_async (self->catalog, backup, path, self->run_cancellable, saved_cb,
                                   g_object_ref (self));
}

static void
save_as_chosen_cb (LhBackupsPage        *self,
                   int                   response,
                   GtkFileChooserNative *chooser)
{
  LhBackup *backup = g_object_get_data (G_OBJECT (chooser), "lh-backup");
  g_autoptr(GFile) file = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser)) : NULL;
  g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
  g_autoptr(LhBackup) kept = backup != NULL ? g_object_ref (backup) : NULL;

  g_clear_object (&self->chooser);
  if (path != NULL && kept != NULL)
    lh_backups_page_save_as (self, kept, path);
}

static void
save_as_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);
  LhBackup *backup = lh_backups_page_find_backup (self, g_variant_get_int64 (parameter));
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;
  char *dot;

  if (backup == NULL || self->chooser != NULL || self->busy)
    return;
  base = g_path_get_basename (lh_backup_get_path (backup));
  if ((dot = strchr (base, '.')) != NULL && dot != base)
    *dot = '\0';
  name = g_strconcat (base, ".sqlite", NULL);
  chooser = gtk_file_chooser_native_new (_("Save the Backup as a Database File"),
                                         lh_widget_get_window (widget), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         NULL, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data_full (G_OBJECT (chooser), "lh-backup", g_object_ref (backup), g_object_unref);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (save_as_chosen_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (self->chooser);
}

/* D1 Time Travel */

static void restore_bookmark (LhBackupsPage *self,
                              const char    *bookmark,
                              gboolean       undo);

/* Undo of a restore: back to the bookmark the restore replaced. */
void
lh_backups_page_undo_restore_point (LhBackupsPage *self,
                                    const char    *bookmark)
{
  g_return_if_fail (LH_IS_BACKUPS_PAGE (self));

  if (!self->busy && LH_IS_D1_CONNECTION (self->connection))
    restore_bookmark (self, bookmark, TRUE);
}

static void
undo_clicked_cb (AdwToast      *toast,
                 LhBackupsPage *self)
{
  lh_backups_page_undo_restore_point (self, g_object_get_data (G_OBJECT (toast), "lh-bookmark"));
}

static void
bookmark_restored_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *previous = lh_d1_restore_bookmark_finish (result, NULL, &error);
  gboolean undo = self->restoring_branch;
  AdwToast *toast;

  if (self->list == NULL)
    return;
  lh_backups_page_set_busy (self, NULL);
  if (previous == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lh_widget_show_message (GTK_WIDGET (self), _("Nothing Was Restored"), error->message);
      return;
    }
  lh_backups_page_emit_restored (self);
  if (undo)
    {
      lh_widget_show_toast (GTK_WIDGET (self), _("Restore undone"));
      return;
    }
  /* The toast lives in the window's overlay, out of reach of the page's actions. */
  toast = adw_toast_new (_("Database restored to the chosen time"));
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_timeout (toast, 0);
  g_object_set_data_full (G_OBJECT (toast), "lh-bookmark", g_steal_pointer (&previous), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_clicked_cb), self, 0);
  lh_widget_add_toast (GTK_WIDGET (self), toast);
}

static void
restore_bookmark (LhBackupsPage *self,
                  const char    *bookmark,
                  gboolean       undo)
{
  lh_backups_page_set_busy (self, undo ? _("Undoing the restore…") : _("D1 is restoring the database…"));
  gtk_progress_bar_pulse (self->progress_bar);
  lh_d1_restore_bookmark_async (LH_D1_CONNECTION (self->connection), bookmark, self->run_cancellable,
                                bookmark_restored_cb, g_object_ref (self));
  /* Which of the two it was is told to the callback through the page. */
  self->restoring_branch = undo;
}

static void
restore_point_response_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           LhBackupsPage    *self)
{
  if (g_str_equal (response, "restore") && !self->busy)
    restore_bookmark (self, g_object_get_data (G_OBJECT (dialog), "lh-bookmark"), FALSE);
}

static void
bookmark_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *bookmark = lh_d1_get_bookmark_finish (result, &error);
  GDateTime *time = g_object_get_data (G_OBJECT (self), "lh-time-travel-time");
  g_autofree char *when = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (self->list == NULL)
    return;
  lh_backups_page_set_busy (self, NULL);
  if (bookmark == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lh_widget_show_message (GTK_WIDGET (self), _("No Restore Point"), error->message);
      return;
    }
  /* TRANSLATORS: a point in time, as in "4 Dec 2026, 14:15:30"; see g_date_time_format() */
  when = g_date_time_format (time, _("%-d %b %Y, %H:%M:%S"));
  heading = g_strdup_printf (_("Restore to %s?"), when);
  body = g_strdup_printf (_("All of “%s” goes back to its state at restore point %s, the last "
                            "before that time. Changes made since are undone, in place. D1 keeps "
                            "the state it replaces, so the restore can be undone."),
                          database_title (self), bookmark);
  dialog = lh_widget_new_question (GTK_WIDGET (self), heading, body, "restore", _("_Restore"),
                                   ADW_RESPONSE_DESTRUCTIVE, FALSE);
  g_object_set_data_full (G_OBJECT (dialog), "lh-bookmark", g_steal_pointer (&bookmark), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (restore_point_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The local time written as "2026-12-04 14:15" (seconds optional), or NULL. */
static GDateTime *
parse_local_time (const char *text)
{
  g_autofree char *iso = g_strstrip (g_strdup (text));
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  char *space = strchr (iso, ' ');

  if (space != NULL)
    *space = 'T';
  if (strlen (iso) == 16)
    {
      g_autofree char *with_seconds = g_strconcat (iso, ":00", NULL);

      return g_date_time_new_from_iso8601 (with_seconds, local);
    }
  return g_date_time_new_from_iso8601 (iso, local);
}

/* Finds D1's restore point for the time written as text (local time). */
void
lh_backups_page_find_restore_point (LhBackupsPage *self,
                                    const char    *text)
{
  g_autoptr(GDateTime) time = NULL;

  g_return_if_fail (LH_IS_BACKUPS_PAGE (self));

  if (self->busy || !LH_IS_D1_CONNECTION (self->connection))
    return;
  time = parse_local_time (text);
  if (time == NULL)
    {
      g_autofree char *body = g_strdup_printf (_("“%s” is not a time Litehouse can read: write it "
                                                 "as 2026-12-04 14:15, in local time."), text);

      lh_widget_show_message (GTK_WIDGET (self), _("Which Time?"), body);
      return;
    }
  g_object_set_data_full (G_OBJECT (self), "lh-time-travel-time", g_date_time_ref (time),
                          (GDestroyNotify) g_date_time_unref);
  lh_backups_page_set_busy (self, _("Asking D1 for the restore point…"));
  gtk_progress_bar_pulse (self->progress_bar);
  lh_d1_get_bookmark_async (LH_D1_CONNECTION (self->connection), time, self->run_cancellable,
                            bookmark_found_cb, g_object_ref (self));
}

static void
time_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  LhBackupsPage    *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_str_equal (response, "find"))
    lh_backups_page_find_restore_point (self, gtk_editable_get_text (entry));
}

static void
time_travel_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) hour_ago = g_date_time_add_hours (now, -1);
  g_autofree char *text = g_date_time_format (hour_ago, "%Y-%m-%d %H:%M");
  GtkWidget *entry = gtk_entry_new ();
  AdwMessageDialog *dialog;

  if (self->busy || !LH_IS_D1_CONNECTION (self->connection))
    return;
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_FREE_FORM);
  dialog = lh_widget_new_question (widget, _("Restore to a Point in Time"),
                                   _("The local date and time the database should go back to, within "
                                     "the last 30 days. Nothing changes until you confirm the "
                                     "restore point."),
                                   "find", _("_Find Restore Point"), ADW_RESPONSE_SUGGESTED, TRUE);
  adw_message_dialog_set_extra_child (dialog, entry);
  g_signal_connect_object (dialog, "response", G_CALLBACK (time_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

void
lh_backups_page_remote_update_actions (LhBackupsPage *self)
{
  gboolean remote = self->connection != NULL;
  gboolean d1 = LH_IS_D1_CONNECTION (self->connection);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.import", remote && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.save-as", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.time-travel", d1 && !self->busy);
  if (remote)
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.new-branch", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.export-bundle", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.restore-bundle", FALSE);
    }
}

void
lh_backups_page_remote_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "page.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "page.save-as", "x", save_as_action);
  gtk_widget_class_install_action (widget_class, "page.time-travel", NULL, time_travel_action);
}
