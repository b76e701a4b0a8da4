/* lh-backups-page.c — LhBackupsPage lists the branches and backups of a local database
 * from its LhBackupCatalog, newest first: when, what kind, how big, whether verified and
 * the note, safety backups marked. Back Up Now asks for the kind (exact or compact),
 * compression and a note, then shows progress with Cancel; each backup can be verified,
 * restored (after a confirmation that says what will be replaced) or deleted. A branch
 * (New Branch) opens in a window of its own, compares with the database, is promoted to
 * replace it (a safety backup first) or deleted. */
#include "config.h"

#include <glib/gi18n.h>

#include "lh-backups-page-private.h"
#include "lh-branch-diff-window.h"
#include "lh-widget-util.h"

/* How often the progress bar moves while the work has no total. */
#define PULSE_INTERVAL_MS 150
/* How long a restore waits for another program's write lock. */
#define RESTORE_LOCK_TIMEOUT_MS 5000


G_DEFINE_FINAL_TYPE (LhBackupsPage, lh_backups_page, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  RESTORED,
  OPEN_FILE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void refresh (LhBackupsPage *self);

/* Helpers */

static void
update_actions (LhBackupsPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.back-up", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.refresh", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.cancel", self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.new-branch", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.export-bundle", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.restore-bundle", !self->busy);
  lh_backups_page_remote_update_actions (self);
  if (self->scrolled != NULL)
    gtk_widget_set_sensitive (GTK_WIDGET (self->scrolled), !self->busy);
}

/* Work whose progress has no total (a check, D1's export, a restore) still shows it goes on. */
static gboolean
pulse_cb (gpointer data)
{
  LhBackupsPage *self = data;

  if (!self->measured)
    gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
set_busy (LhBackupsPage *self,
          const char    *label)
{
  g_clear_handle_id (&self->pulse_source, g_source_remove);
  g_clear_pointer (&self->then_label, g_free);
  self->measured = FALSE;
  if (label != NULL)
    self->pulse_source = g_timeout_add (PULSE_INTERVAL_MS, pulse_cb, self);
  self->busy = label != NULL;
  gtk_label_set_text (self->progress_label, label != NULL ? label : "");
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_revealer_set_reveal_child (self->progress_revealer, self->busy);
  g_clear_object (&self->run_cancellable);
  if (self->busy)
    self->run_cancellable = g_cancellable_new ();
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
progress_cb (goffset  current,
             goffset  total,
             gpointer user_data)
{
  LhBackupsPage *self = user_data;

  self->measured = total > 0 && current < total;
  if (self->measured)
    gtk_progress_bar_set_fraction (self->progress_bar, (double) current / total);
  else if (total > 0 && self->then_label != NULL)
    {
      /* The copy is done; what follows (the check) has no measure. */
      gtk_label_set_text (self->progress_label, self->then_label);
      g_clear_pointer (&self->then_label, g_free);
    }
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  /* TRANSLATORS: when a backup was taken, as in "4 Dec 2026, 14:15:30"; see g_date_time_format() */
  return g_date_time_format (local, _("%-d %b %Y, %H:%M:%S"));
}

/* "4 Dec 2026, 14:15:30" and what kind of backup it is. */
static char *
backup_title (LhBackup *backup)
{
  g_autofree char *when = format_time (lh_backup_get_created_at (backup));

  return g_strstrip (g_steal_pointer (&when));
}

static char *
backup_subtitle (LhBackup *backup)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *size = g_format_size (lh_backup_get_size (backup));
  GDateTime *verified = lh_backup_get_verified_at (backup);
  const char *note = lh_backup_get_note (backup);

  if (lh_backup_get_flags (backup) & LH_BACKUP_SAFETY)
    g_string_append (text, _("Safety backup · "));
  g_string_append (text, lh_backup_get_kind (backup) == LH_BACKUP_DUMP ? _("SQL dump")
                        : lh_backup_get_kind (backup) == LH_BACKUP_COMPACT ? _("Compact copy")
                        : _("Exact copy"));
  g_string_append_printf (text, " · %s", size);
  if (lh_backup_get_flags (backup) & LH_BACKUP_GZIP)
    g_string_append_printf (text, " · %s", _("gzip"));
  if (verified != NULL)
    {
      g_autofree char *when = format_time (verified);

      g_string_append (text, " · ");
      g_string_append_printf (text, _("verified %s"), g_strstrip (when));
    }
  else
    g_string_append_printf (text, " · %s", _("not verified since it was taken"));
  if (note != NULL && *note != '\0')
    g_string_append_printf (text, " · %s", note);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Listing */

static GtkWidget *
row_button (LhBackup   *backup,
            const char *icon,
            const char *tooltip,
            const char *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", lh_backup_get_id (backup));
  return button;
}

static GtkWidget *
backup_row (LhBackup *backup)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = backup_title (backup);
  g_autofree char *subtitle = backup_subtitle (backup);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name (lh_backup_get_flags (backup) & LH_BACKUP_SAFETY
                                                           ? "security-medium-symbolic"
                                                           : "document-save-symbolic"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (backup, "emblem-ok-symbolic",
                                                               _("Verify"), "page.verify"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (backup, "document-save-as-symbolic",
                                                               _("Save as a Database File…"), "page.save-as"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (backup, "edit-undo-symbolic",
                                                               _("Restore…"), "page.restore"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (backup, "user-trash-symbolic",
                                                               _("Delete…"), "page.delete"));
  gtk_widget_set_tooltip_text (row, lh_backup_get_path (backup));
  return row;
}

static GtkWidget *
branch_row (LhBackup *branch)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *when = backup_title (branch);
  g_autofree char *size = g_format_size (lh_backup_get_size (branch));
  /* TRANSLATORS: a branch's subtitle: when it was made and its size */
  g_autofree char *subtitle = g_strdup_printf (_("Made %s · %s"), when, size);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lh_backup_get_branch_name (branch));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("media-playlist-consecutive-symbolic"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (branch, "document-open-symbolic",
                                                               _("Open in a New Window"), "page.open-branch"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (branch, "view-dual-symbolic",
                                                               _("Compare with the Database"), "page.compare-branch"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (branch, "go-up-symbolic",
                                                               _("Promote: Replace the Database…"), "page.promote-branch"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (branch, "user-trash-symbolic",
                                                               _("Delete…"), "page.delete"));
  gtk_widget_set_tooltip_text (row, lh_backup_get_path (branch));
  return row;
}

static GtkWidget *
placeholder (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 18);
  gtk_widget_set_margin_bottom (label, 18);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static void
fill_list (LhBackupsPage *self)
{
  guint n = g_list_model_get_n_items (self->backups);
  guint n_backups = 0;
  guint64 total = 0;
  g_autofree char *size = NULL;
  g_autofree char *summary = NULL;

  lh_list_box_clear (self->list);
  lh_list_box_clear (self->branches_list);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (self->backups, i);

      if (lh_backup_get_flags (backup) & LH_BACKUP_BRANCH)
        {
          gtk_list_box_append (self->branches_list, branch_row (backup));
          continue;
        }
      total += lh_backup_get_size (backup);
      n_backups++;
      gtk_list_box_append (self->list, backup_row (backup));
    }
  size = g_format_size (total);
  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u backup · %s", "%u backups · %s", n_backups),
                             n_backups, size);
  gtk_label_set_text (self->summary_label, summary);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(GListModel) backups = NULL;
  g_autoptr(GError) error = NULL;

  backups = lh_backup_catalog_list_finish (LH_BACKUP_CATALOG (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->list == NULL)
    return;
  if (backups == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the backups: %s"), error->message);

      gtk_label_set_text (self->summary_label, text);
      return;
    }
  g_set_object (&self->backups, backups);
  fill_list (self);
}

/* Reads the catalog again (after backups made elsewhere, e.g. a scheduled one). */
void
lh_backups_page_refresh (LhBackupsPage *self)
{
  g_return_if_fail (LH_IS_BACKUPS_PAGE (self));
  refresh (self);
}

static void
refresh (LhBackupsPage *self)
{
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();
  lh_backup_catalog_list_async (self->catalog, self->list_cancellable, listed_cb, g_object_ref (self));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  refresh (LH_BACKUPS_PAGE (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  g_cancellable_cancel (LH_BACKUPS_PAGE (widget)->run_cancellable);
}

static LhBackup *
find_backup (LhBackupsPage *self,
             gint64         id)
{
  for (guint i = 0; self->backups != NULL && i < g_list_model_get_n_items (self->backups); i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (self->backups, i);

      if (lh_backup_get_id (backup) == id)
        return backup;   /* the list keeps it */
    }
  return NULL;
}

void
lh_backups_page_set_busy (LhBackupsPage *self,
                          const char    *label)
{
  set_busy (self, label);
}

/* The label once the measured part of the work under way is done. */
void
lh_backups_page_set_then (LhBackupsPage *self,
                          const char    *label)
{
  g_free (self->then_label);
  self->then_label = g_strdup (label);
}

void
lh_backups_page_progress_cb (goffset  current,
                             goffset  total,
                             gpointer user_data)
{
  progress_cb (current, total, user_data);
}

LhBackup *
lh_backups_page_find_backup (LhBackupsPage *self,
                             gint64         id)
{
  return find_backup (self, id);
}

char *
lh_backups_page_dup_title (LhBackup *backup)
{
  return backup_title (backup);
}

void
lh_backups_page_emit_restored (LhBackupsPage *self)
{
  g_signal_emit (self, signals[RESTORED], 0);
}

/* Back up now */

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GError) error = NULL;

  backup = lh_backup_catalog_create_finish (LH_BACKUP_CATALOG (source), result, &error);
  if (self->list == NULL)
    return;
  set_busy (self, NULL);
  refresh (self);
  if (backup != NULL)
    lh_widget_show_toast (GTK_WIDGET (self), _("Backup taken and checked"));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lh_widget_show_toast (GTK_WIDGET (self), _("Backup cancelled: nothing was kept"));
  else
    lh_widget_show_message (GTK_WIDGET (self), _("Backup Failed"), error->message);
}

typedef struct
{
  GtkCheckButton *compact;
  GtkCheckButton *gzip;
  GtkEditable    *note;
} BackUpOptions;

static void
back_up_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     LhBackupsPage    *self)
{
  BackUpOptions *options = g_object_get_data (G_OBJECT (dialog), "lh-options");
  LhBackupKind kind;
  LhBackupFlags flags = LH_BACKUP_FLAGS_NONE;

  if (!g_str_equal (response, "back-up") || self->busy)
    return;
  kind = gtk_check_button_get_active (options->compact) ? LH_BACKUP_COMPACT : LH_BACKUP_EXACT;
  if (gtk_check_button_get_active (options->gzip))
    flags |= LH_BACKUP_GZIP;
  set_busy (self, kind == LH_BACKUP_COMPACT ? _("Writing a compact copy…") : _("Copying the database…"));
  lh_backups_page_set_then (self, _("Checking the copy…"));
  lh_backup_catalog_create_async (self->catalog, kind, flags, gtk_editable_get_text (options->note),
                                  self->run_cancellable, progress_cb, self, created_cb, g_object_ref (self));
}

static void
back_up_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);
  BackUpOptions *options;
  GtkWidget *box, *exact, *compact, *gzip, *note;
  AdwMessageDialog *dialog;

  if (self->connection != NULL)
    {
      lh_backups_page_remote_back_up (self);
      return;
    }
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  exact = gtk_check_button_new_with_mnemonic (_("_Exact copy, page for page (online backup)"));
  compact = gtk_check_button_new_with_mnemonic (_("C_ompact copy, without free pages (VACUUM INTO)"));
  gzip = gtk_check_button_new_with_mnemonic (_("Co_mpress with gzip"));
  note = gtk_entry_new ();
  options = g_new0 (BackUpOptions, 1);
  gtk_check_button_set_group (GTK_CHECK_BUTTON (compact), GTK_CHECK_BUTTON (exact));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (exact), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (note), _("Note (optional), e.g. before the import"));
  gtk_entry_set_activates_default (GTK_ENTRY (note), TRUE);
  gtk_widget_set_margin_top (note, 6);
  gtk_box_append (GTK_BOX (box), exact);
  gtk_box_append (GTK_BOX (box), compact);
  gtk_box_append (GTK_BOX (box), gzip);
  gtk_box_append (GTK_BOX (box), note);
  options->compact = GTK_CHECK_BUTTON (compact);
  options->gzip = GTK_CHECK_BUTTON (gzip);
  options->note = GTK_EDITABLE (note);

  dialog = lh_widget_new_question (GTK_WIDGET (self), _("Back Up Now"),
                                   _("The copy is consistent even while other programs write, and is "
                                     "checked before it is listed."),
                                   "back-up", _("_Back Up"), ADW_RESPONSE_SUGGESTED, TRUE);
  adw_message_dialog_set_extra_child (dialog, box);
  g_object_set_data_full (G_OBJECT (dialog), "lh-options", options, g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (back_up_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Verify */

static void
verified_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = lh_backup_catalog_verify_finish (LH_BACKUP_CATALOG (source), result, &error);

  if (self->list == NULL)
    return;
  set_busy (self, NULL);
  refresh (self);
  if (ok)
    lh_widget_show_toast (GTK_WIDGET (self), _("The backup is sound"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lh_widget_show_message (GTK_WIDGET (self), _("The Backup Is Damaged"), error->message);
}

static void
verify_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);
  LhBackup *backup = find_backup (self, g_variant_get_int64 (parameter));

  if (backup == NULL || self->busy)
    return;
  set_busy (self, _("Checking the backup…"));
  gtk_progress_bar_pulse (self->progress_bar);
  lh_backup_catalog_verify_async (self->catalog, backup, self->run_cancellable, verified_cb, g_object_ref (self));
}

/* Restore */

static void
restored_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(LhBackup) safety = NULL;
  g_autoptr(GError) error = NULL;

  safety = lh_backup_catalog_restore_finish (LH_BACKUP_CATALOG (source), result, &error);
  if (self->list == NULL)
    return;
  set_busy (self, NULL);
  refresh (self);
  if (safety != NULL || error == NULL)
    {
      if (safety == NULL)
        lh_widget_show_toast (GTK_WIDGET (self), self->restoring_branch
                                                   ? _("Branch promoted; there was no database file to keep first")
                                                   : _("Restored; there was no database file to keep first"));
      else
        lh_widget_show_toast (GTK_WIDGET (self),
                              self->restoring_branch
                                ? _("Branch promoted; the state before is kept as a safety backup")
                                : _("Restored; the state before is kept as a safety backup"));
      g_signal_emit (self, signals[RESTORED], 0);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lh_widget_show_message (GTK_WIDGET (self), self->restoring_branch ? _("Promote Failed") : _("Restore Failed"),
                            error->message);
}

/* The answer to Restore or Promote: the backup or branch replaces the database. */
static void
restore_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     LhBackupsPage    *self)
{
  LhBackup *backup = g_object_get_data (G_OBJECT (dialog), "lh-backup");

  if ((!g_str_equal (response, "restore") && !g_str_equal (response, "promote")) || self->busy)
    return;
  self->restoring_branch = (lh_backup_get_flags (backup) & LH_BACKUP_BRANCH) != 0;
  set_busy (self, self->restoring_branch ? _("Promoting the branch…") : _("Restoring…"));
  lh_backup_catalog_restore_async (self->catalog, backup, RESTORE_LOCK_TIMEOUT_MS, self->run_cancellable,
                                   progress_cb, self, restored_cb, g_object_ref (self));
}

static void
restore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);
  LhBackup *backup = find_backup (self, g_variant_get_int64 (parameter));
  g_autofree char *name = NULL;
  g_autofree char *when = NULL;
  g_autofree char *size = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (backup == NULL || self->busy)
    return;
  if (self->connection != NULL)
    {
      lh_backups_page_remote_restore (self, backup);
      return;
    }
  name = g_path_get_basename (lh_backup_catalog_get_database (self->catalog));
  when = backup_title (backup);
  size = g_format_size (lh_backup_get_size (backup));
  body = g_strdup_printf (_("Everything in “%s” will be replaced by this backup of %s (%s). Its current "
                            "state is backed up first, as a safety backup you can restore. Other "
                            "programs using the database see the switch at once."), name, when, size);
  dialog = lh_widget_new_question (GTK_WIDGET (self), _("Restore This Backup?"), body, "restore", _("_Restore"),
                                   ADW_RESPONSE_DESTRUCTIVE, FALSE);
  g_object_set_data_full (G_OBJECT (dialog), "lh-backup", g_object_ref (backup), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (restore_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Delete */

static void
deleted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lh_backup_catalog_delete_finish (LH_BACKUP_CATALOG (source), result, &error) && self->list != NULL)
    lh_widget_show_message (GTK_WIDGET (self), _("Could Not Delete the Backup"), error->message);
  if (self->list != NULL)
    refresh (self);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    LhBackupsPage    *self)
{
  LhBackup *backup = g_object_get_data (G_OBJECT (dialog), "lh-backup");

  if (g_str_equal (response, "delete"))
    lh_backup_catalog_delete_async (self->catalog, backup, NULL, deleted_cb, g_object_ref (self));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);
  LhBackup *backup = find_backup (self, g_variant_get_int64 (parameter));
  g_autofree char *when = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (backup == NULL || self->busy)
    return;
  when = backup_title (backup);
  if (lh_backup_get_flags (backup) & LH_BACKUP_BRANCH)
    body = g_strdup_printf (_("The branch “%s” and its file go for good, with any change made in it."),
                            lh_backup_get_branch_name (backup));
  else
    body = g_strdup_printf (_("The backup of %s and its file go for good."), when);
  dialog = lh_widget_new_question (GTK_WIDGET (self), lh_backup_get_flags (backup) & LH_BACKUP_BRANCH
                                                        ? _("Delete This Branch?") : _("Delete This Backup?"),
                                   body, "delete", _("_Delete"), ADW_RESPONSE_DESTRUCTIVE, FALSE);
  g_object_set_data_full (G_OBJECT (dialog), "lh-backup", g_object_ref (backup), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Branches */

static void
branch_created_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(LhBackup) branch = NULL;
  g_autoptr(GError) error = NULL;

  branch = lh_backup_catalog_create_branch_finish (LH_BACKUP_CATALOG (source), result, &error);
  if (self->list == NULL)
    return;
  set_busy (self, NULL);
  refresh (self);
  if (branch != NULL)
    lh_widget_show_toast (GTK_WIDGET (self), _("Branch made"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lh_widget_show_message (GTK_WIDGET (self), _("Could Not Make the Branch"), error->message);
}

static void
new_branch_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        LhBackupsPage    *self)
{
  GtkEditable *name = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (!g_str_equal (response, "create") || self->busy)
    return;
  set_busy (self, _("Making the branch…"));
  lh_backups_page_set_then (self, _("Checking the branch…"));
  lh_backup_catalog_create_branch_async (self->catalog, gtk_editable_get_text (name), self->run_cancellable,
                                         progress_cb, self, branch_created_cb, g_object_ref (self));
}

static void
branch_name_changed_cb (GtkEditable      *entry,
                        AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "create", *name != '\0');
}

static void
new_branch_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);
  GtkWidget *entry = gtk_entry_new ();
  AdwMessageDialog *dialog;

  dialog = lh_widget_new_question (widget, _("New Branch"),
                                   _("A copy of the database as it is now, to change freely; the "
                                     "database itself is not touched until you promote the branch."),
                                   "create", _("_Make Branch"), ADW_RESPONSE_SUGGESTED, TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Name, e.g. try-new-index"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_set_response_enabled (dialog, "create", FALSE);
  g_signal_connect (entry, "changed", G_CALLBACK (branch_name_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (new_branch_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
open_branch_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);
  LhBackup *branch = find_backup (self, g_variant_get_int64 (parameter));
  g_autoptr(GFile) file = NULL;

  if (branch == NULL)
    return;
  file = g_file_new_for_path (lh_backup_get_path (branch));
  g_signal_emit (self, signals[OPEN_FILE], 0, file);
}

static void
compare_branch_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);
  LhBackup *branch = find_backup (self, g_variant_get_int64 (parameter));
  GtkWidget *window;

  if (branch == NULL)
    return;
  window = lh_branch_diff_window_new (lh_widget_get_window (widget), lh_backup_get_branch_name (branch),
                                      lh_backup_catalog_get_database (self->catalog),
                                      lh_backup_get_path (branch));
  gtk_window_present (GTK_WINDOW (window));
}

static void
promote_branch_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);
  LhBackup *branch = find_backup (self, g_variant_get_int64 (parameter));
  g_autofree char *name = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (branch == NULL || self->busy)
    return;
  name = g_path_get_basename (lh_backup_catalog_get_database (self->catalog));
  heading = g_strdup_printf (_("Promote Branch “%s”?"), lh_backup_get_branch_name (branch));
  body = g_strdup_printf (_("Everything in “%s” will be replaced by the branch as it is now. The "
                            "database’s current state is backed up first, as a safety backup you can "
                            "restore; the branch stays."), name);
  dialog = lh_widget_new_question (widget, heading, body, "promote", _("_Promote"), ADW_RESPONSE_DESTRUCTIVE, FALSE);
  g_object_set_data_full (G_OBJECT (dialog), "lh-backup", g_object_ref (branch), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (restore_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Bundles: the database with its folder of attached files */

/* The folder of attached files kept for this database, or NULL. */
static char *
dup_attachment_folder (LhBackupsPage *self)
{
  g_autoptr(GVariant) kept = g_settings_get_value (self->settings, "attachment-folders");
  const char *folder = NULL;

  if (!g_variant_lookup (kept, lh_backup_catalog_get_database (self->catalog), "&s", &folder))
    return NULL;
  return g_strdup (folder);
}

static void
keep_attachment_folder (LhBackupsPage *self,
                        const char    *folder)
{
  g_autoptr(GVariant) kept = g_settings_get_value (self->settings, "attachment-folders");
  const char *database = lh_backup_catalog_get_database (self->catalog);
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key, *value;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_iter_init (&iter, kept);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    if (!g_str_equal (key, database))
      g_variant_builder_add (&builder, "{ss}", key, value);
  g_variant_builder_add (&builder, "{ss}", database, folder);
  g_settings_set_value (self->settings, "attachment-folders", g_variant_builder_end (&builder));
}

static void
bundled_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = lh_bundle_create_finish (result, &error);

  if (self->list == NULL)
    return;
  set_busy (self, NULL);
  if (ok)
    lh_widget_show_toast (GTK_WIDGET (self), _("Bundle saved"));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lh_widget_show_toast (GTK_WIDGET (self), _("Bundle cancelled: nothing was written"));
  else
    lh_widget_show_message (GTK_WIDGET (self), _("Could Not Write the Bundle"), error->message);
}

/* Rolls the database and folder into the archive at path (replaced once complete). */
void
lh_backups_page_export_bundle (LhBackupsPage *self,
                               const char    *folder,
                               const char    *archive)
{
  g_return_if_fail (LH_IS_BACKUPS_PAGE (self));

  if (self->busy)
    return;
  keep_attachment_folder (self, folder);
  set_busy (self, _("Writing the bundle…"));
  lh_bundle_create_async (lh_backup_catalog_get_database (self->catalog), folder, archive,
                          self->run_cancellable, progress_cb, self, bundled_cb, g_object_ref (self));
}

static void
bundle_restored_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LhBackupsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = lh_bundle_restore_finish (result, &error);

  if (self->list == NULL)
    return;
  set_busy (self, NULL);
  refresh (self);
  if (ok)
    {
      lh_widget_show_toast (GTK_WIDGET (self), _("Bundle restored"));
      g_signal_emit (self, signals[RESTORED], 0);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lh_widget_show_message (GTK_WIDGET (self), _("Could Not Restore the Bundle"), error->message);
}

static void
start_bundle_restore (LhBackupsPage *self,
                      const char    *archive,
                      const char    *folder)
{
  set_busy (self, _("Restoring the bundle…"));
  lh_bundle_restore_async (archive, lh_backup_catalog_get_database (self->catalog), folder,
                           RESTORE_LOCK_TIMEOUT_MS, self->run_cancellable, progress_cb, self,
                           bundle_restored_cb, g_object_ref (self));
}

/* A bundle to restore once the backup before it is taken. */
typedef struct
{
  LhBackupsPage *self;
  char          *archive;
  char          *folder;
} PendingBundle;

static void
pending_bundle_free (PendingBundle *pending)
{
  g_object_unref (pending->self);
  g_free (pending->archive);
  g_free (pending->folder);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PendingBundle, pending_bundle_free)

static void
backed_up_for_bundle_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(PendingBundle) pending = user_data;
  LhBackupsPage *self = pending->self;
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GError) error = NULL;

  backup = lh_backup_catalog_create_finish (LH_BACKUP_CATALOG (source), result, &error);
  if (self->list == NULL)
    return;
  if (backup == NULL)
    {
      set_busy (self, NULL);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lh_widget_show_message (GTK_WIDGET (self), _("Backup Failed"), error->message);
      return;
    }
  start_bundle_restore (self, pending->archive, pending->folder);
}

static void
restore_bundle_response_cb (AdwMessageDialog *dialog,
                            const char       *response,
                            LhBackupsPage    *self)
{
  GtkWidget *backup = adw_message_dialog_get_extra_child (dialog);
  const char *archive = g_object_get_data (G_OBJECT (dialog), "lh-archive");
  const char *folder = g_object_get_data (G_OBJECT (dialog), "lh-folder");
  PendingBundle *pending;

  if (!g_str_equal (response, "restore") || self->busy)
    return;
  keep_attachment_folder (self, folder);
  if (!gtk_check_button_get_active (GTK_CHECK_BUTTON (backup)))
    {
      start_bundle_restore (self, archive, folder);
      return;
    }
  set_busy (self, _("Backing up the database before the bundle…"));
  pending = g_new0 (PendingBundle, 1);
  pending->self = g_object_ref (self);
  pending->archive = g_strdup (archive);
  pending->folder = g_strdup (folder);
  lh_backup_catalog_create_async (self->catalog, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE,
                                  _("Before restoring a bundle"), self->run_cancellable, progress_cb, self,
                                  backed_up_for_bundle_cb, pending);
}

/* Asks before replacing the database and folder by those of the bundle at archive. */
void
lh_backups_page_restore_bundle (LhBackupsPage *self,
                                const char    *archive,
                                const char    *folder)
{
  g_autofree char *name = NULL;
  g_autofree char *body = NULL;
  GtkWidget *backup;
  AdwMessageDialog *dialog;

  g_return_if_fail (LH_IS_BACKUPS_PAGE (self));

  if (self->busy)
    return;
  name = g_path_get_basename (lh_backup_catalog_get_database (self->catalog));
  body = g_strdup_printf (_("“%s” and the folder %s will be replaced by those of the bundle, as a "
                            "whole: it is unpacked and checked first, and nothing changes if "
                            "anything is wrong with it. The folder’s current files are not kept."),
                          name, folder);
  dialog = lh_widget_new_question (GTK_WIDGET (self), _("Restore This Bundle?"), body, "restore",
                                   _("_Restore"), ADW_RESPONSE_DESTRUCTIVE, FALSE);
  backup = gtk_check_button_new_with_mnemonic (_("_Back up the database first"));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (backup), TRUE);
  gtk_widget_set_halign (backup, GTK_ALIGN_CENTER);
  adw_message_dialog_set_extra_child (dialog, backup);
  g_object_set_data_full (G_OBJECT (dialog), "lh-archive", g_strdup (archive), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "lh-folder", g_strdup (folder), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (restore_bundle_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The file choosers: a folder, then where to save (export); a bundle, then the folder
 * (restore). Each step remembers what the last one chose. */

typedef enum
{
  STEP_EXPORT_FOLDER,
  STEP_EXPORT_ARCHIVE,
  STEP_RESTORE_ARCHIVE,
  STEP_RESTORE_FOLDER,
} ChooserStep;

static void run_chooser (LhBackupsPage *self,
                         ChooserStep    step,
                         const char    *archive);

static void
chooser_response_cb (LhBackupsPage        *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  ChooserStep step = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "lh-step"));
  g_autofree char *archive = g_strdup (g_object_get_data (G_OBJECT (chooser), "lh-archive"));
  g_autoptr(GFile) file = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser)) : NULL;
  g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

  g_clear_object (&self->chooser);
  if (path == NULL)
    return;
  switch (step)
    {
    case STEP_EXPORT_FOLDER:
      g_free (self->bundle_folder);
      self->bundle_folder = g_steal_pointer (&path);
      run_chooser (self, STEP_EXPORT_ARCHIVE, NULL);
      break;
    case STEP_EXPORT_ARCHIVE:
      lh_backups_page_export_bundle (self, self->bundle_folder, path);
      break;
    case STEP_RESTORE_ARCHIVE:
      run_chooser (self, STEP_RESTORE_FOLDER, path);
      break;
    case STEP_RESTORE_FOLDER:
    default:
      lh_backups_page_restore_bundle (self, archive, path);
      break;
    }
}

static void
run_chooser (LhBackupsPage *self,
             ChooserStep    step,
             const char    *archive)
{
  g_autofree char *kept = dup_attachment_folder (self);
  gboolean folder = step == STEP_EXPORT_FOLDER || step == STEP_RESTORE_FOLDER;
  const char *title = folder ? _("Choose the Folder of Attached Files")
                     : step == STEP_EXPORT_ARCHIVE ? _("Save the Bundle") : _("Choose a Bundle");
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (title, lh_widget_get_window (GTK_WIDGET (self)),
                                         folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                         : step == STEP_EXPORT_ARCHIVE ? GTK_FILE_CHOOSER_ACTION_SAVE
                                         : GTK_FILE_CHOOSER_ACTION_OPEN,
                                         NULL, NULL);
  if (folder && kept != NULL)
    {
      g_autoptr(GFile) current = g_file_new_for_path (kept);

      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), current, NULL);
    }
  if (step == STEP_EXPORT_ARCHIVE)
    {
      g_autofree char *base = g_path_get_basename (lh_backup_catalog_get_database (self->catalog));
      g_autofree char *name = g_strconcat (base, ".bundle.tar.gz", NULL);

      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
    }
  g_object_set_data (G_OBJECT (chooser), "lh-step", GINT_TO_POINTER (step));
  g_object_set_data_full (G_OBJECT (chooser), "lh-archive", g_strdup (archive), g_free);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (self->chooser);
}

static void
export_bundle_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);

  if (self->chooser == NULL && !self->busy)
    run_chooser (self, STEP_EXPORT_FOLDER, NULL);
}

static void
restore_bundle_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (widget);

  if (self->chooser == NULL && !self->busy)
    run_chooser (self, STEP_RESTORE_ARCHIVE, NULL);
}

/* GObject */

static void
lh_backups_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (object);

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
lh_backups_page_dispose (GObject *object)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (object);

  g_cancellable_cancel (self->list_cancellable);
  g_cancellable_cancel (self->run_cancellable);
  g_clear_handle_id (&self->pulse_source, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  self->list = NULL;
  self->branches_list = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), LH_TYPE_BACKUPS_PAGE);
  G_OBJECT_CLASS (lh_backups_page_parent_class)->dispose (object);
}

static void
lh_backups_page_finalize (GObject *object)
{
  LhBackupsPage *self = LH_BACKUPS_PAGE (object);

  g_clear_object (&self->catalog);
  g_clear_object (&self->connection);
  g_free (self->then_label);
  g_clear_object (&self->settings);
  g_free (self->bundle_folder);
  g_clear_object (&self->backups);
  g_clear_object (&self->list_cancellable);
  g_clear_object (&self->run_cancellable);
  G_OBJECT_CLASS (lh_backups_page_parent_class)->finalize (object);
}

static void
lh_backups_page_class_init (LhBackupsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lh_backups_page_get_property;
  object_class->dispose = lh_backups_page_dispose;
  object_class->finalize = lh_backups_page_finalize;

  /* A backup, verify or restore is running. */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The database was replaced by a backup: what shows it should read it again. */
  signals[RESTORED] =
    g_signal_new ("restored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A branch to open in a window of its own. */
  signals[OPEN_FILE] =
    g_signal_new ("open-file", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_FILE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/litehouse/Litehouse/lh-backups-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LhBackupsPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, LhBackupsPage, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, LhBackupsPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, LhBackupsPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LhBackupsPage, scrolled);
  gtk_widget_class_bind_template_child (widget_class, LhBackupsPage, branches_list);
  gtk_widget_class_bind_template_child (widget_class, LhBackupsPage, list);
  gtk_widget_class_bind_template_child (widget_class, LhBackupsPage, bundle_button);
  gtk_widget_class_bind_template_child (widget_class, LhBackupsPage, import_button);
  gtk_widget_class_bind_template_child (widget_class, LhBackupsPage, branches_group);
  gtk_widget_class_bind_template_child (widget_class, LhBackupsPage, time_travel_group);

  gtk_widget_class_install_action (widget_class, "page.back-up", NULL, back_up_action);
  gtk_widget_class_install_action (widget_class, "page.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "page.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "page.verify", "x", verify_action);
  gtk_widget_class_install_action (widget_class, "page.restore", "x", restore_action);
  gtk_widget_class_install_action (widget_class, "page.delete", "x", delete_action);
  gtk_widget_class_install_action (widget_class, "page.new-branch", NULL, new_branch_action);
  gtk_widget_class_install_action (widget_class, "page.export-bundle", NULL, export_bundle_action);
  gtk_widget_class_install_action (widget_class, "page.restore-bundle", NULL, restore_bundle_action);
  gtk_widget_class_install_action (widget_class, "page.open-branch", "x", open_branch_action);
  gtk_widget_class_install_action (widget_class, "page.compare-branch", "x", compare_branch_action);
  gtk_widget_class_install_action (widget_class, "page.promote-branch", "x", promote_branch_action);
  lh_backups_page_remote_class_init (widget_class);
}

static void
lh_backups_page_init (LhBackupsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APP_ID);
  gtk_list_box_set_placeholder (self->list, placeholder (_("No backups yet. Take one before a risky change.")));
  gtk_list_box_set_placeholder (self->branches_list,
                                placeholder (_("No branches. Make one to try a change without touching the database.")));
  update_actions (self);
}

/* The backups page of the local database file at path. */
GtkWidget *
lh_backups_page_new (const char *path)
{
  LhBackupsPage *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (LH_TYPE_BACKUPS_PAGE, NULL);
  self->catalog = lh_backup_catalog_new (path);
  refresh (self);
  return GTK_WIDGET (self);
}

/* The backups page of a remote database (D1, libSQL): its SQL dumps, import of a backup
 * or a local database, and for D1 Time Travel. connection is the window's; the page opens
 * another where its work must not share the user's transaction (libSQL). */
GtkWidget *
lh_backups_page_new_for_remote (LhConnection *connection)
{
  LhBackupsPage *self;

  g_return_val_if_fail (LH_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (lh_connection_get_kind (connection) != LH_CONNECTION_KIND_LOCAL, NULL);

  self = g_object_new (LH_TYPE_BACKUPS_PAGE, NULL);
  self->connection = g_object_ref (connection);
  self->catalog = lh_backup_catalog_new (lh_connection_get_location (connection));
  gtk_widget_set_visible (self->bundle_button, FALSE);
  gtk_widget_set_visible (self->branches_group, FALSE);
  gtk_widget_set_visible (self->import_button, TRUE);
  gtk_widget_set_visible (self->time_travel_group, LH_IS_D1_CONNECTION (connection));
  update_actions (self);
  refresh (self);
  return GTK_WIDGET (self);
}

LhBackupCatalog *
lh_backups_page_get_catalog (LhBackupsPage *self)
{
  g_return_val_if_fail (LH_IS_BACKUPS_PAGE (self), NULL);
  return self->catalog;
}

/* The backups shown (LhBackup, newest first), or NULL before the catalog is read. */
GListModel *
lh_backups_page_get_backups (LhBackupsPage *self)
{
  g_return_val_if_fail (LH_IS_BACKUPS_PAGE (self), NULL);
  return self->backups;
}

gboolean
lh_backups_page_get_busy (LhBackupsPage *self)
{
  g_return_val_if_fail (LH_IS_BACKUPS_PAGE (self), FALSE);
  return self->busy;
}

const char *
lh_backups_page_get_summary (LhBackupsPage *self)
{
  g_return_val_if_fail (LH_IS_BACKUPS_PAGE (self), NULL);
  return gtk_label_get_text (self->summary_label);
}
