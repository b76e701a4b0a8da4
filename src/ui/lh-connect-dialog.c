/* lh-connect-dialog.c — LhConnectDialog: reads the form of the page shown into an
 * LhLocation and a token, opens it with lh_location_open_async() (cancelled when the
 * dialog closes), and on Connect stores the token with LhSecrets before handing the
 * connection over through the "connected" signal. */
#include "config.h"

#include <glib/gi18n.h>

#include "lh-connect-dialog.h"

struct _LhConnectDialog
{
  AdwWindow parent_instance;

  /* template children */
  GtkStack    *stack;
  AdwEntryRow *account_row;
  AdwEntryRow *d1_token_row;
  AdwComboRow *database_row;
  AdwEntryRow *url_row;
  AdwEntryRow *libsql_token_row;
  GtkSwitch   *remember_switch;
  GtkSpinner  *spinner;
  GtkLabel    *status_label;

  /* owned */
  GCancellable  *cancellable;
  GtkStringList *database_names;
  GPtrArray     *database_ids;     /* parallel to database_names */
  char          *wanted_database;  /* a D1 database ID to choose once the list is in */
};

enum {
  CONNECTED,
  TOKEN_KEPT,
  CHOOSE_FILE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LhConnectDialog, lh_connect_dialog, ADW_TYPE_WINDOW)

/* What the form says: where, with which token, and under which keys the token is kept. */
typedef struct
{
  LhLocation *location;
  char       *text;        /* the location as written in recent lists */
  char       *token;
  const char *secret_kind;
  char       *secret_location;
  char       *secret_database;
  char       *title;       /* filled once open */
  gboolean    connect;     /* Connect (not Test) */
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  lh_location_free (attempt->location);
  g_free (attempt->text);
  lh_secrets_free (attempt->token);
  g_free (attempt->secret_location);
  g_free (attempt->secret_database);
  g_free (attempt->title);
  g_free (attempt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Attempt, attempt_free)

static void
set_status (LhConnectDialog *self,
            const char      *text,
            gboolean         failed)
{
  gtk_label_set_text (self->status_label, text);
  if (failed)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "success");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "success");
    }
}

static void
set_busy (LhConnectDialog *self,
          gboolean         busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connect.test", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connect.connect", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connect.list-databases", !busy);
  if (!busy)
    g_clear_object (&self->cancellable);
}

static char *
dup_row_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* The D1 database chosen: from the list, or the one asked for before any list. */
static const char *
chosen_database (LhConnectDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->database_row);

  if (self->database_ids->len > 0 && selected < self->database_ids->len)
    return g_ptr_array_index (self->database_ids, selected);
  return self->wanted_database;
}

/* The attempt the form describes, or NULL with status saying what is missing. */
static Attempt *
read_form (LhConnectDialog *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  g_autoptr(Attempt) attempt = g_new0 (Attempt, 1);
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (page, "d1") == 0)
    {
      g_autofree char *account = dup_row_text (self->account_row);
      const char *database = chosen_database (self);

      attempt->token = dup_row_text (self->d1_token_row);
      if (*account == '\0' || *attempt->token == '\0')
        {
          set_status (self, _("Enter the account ID and an API token."), TRUE);
          return NULL;
        }
      if (database == NULL)
        {
          set_status (self, _("List the account’s databases and choose one."), TRUE);
          return NULL;
        }
      attempt->text = g_strdup_printf ("d1://%s/%s", account, database);
      attempt->secret_kind = "d1";
      attempt->secret_location = g_strdup (account);
      attempt->secret_database = g_strdup (database);
    }
  else
    {
      g_autofree char *url = dup_row_text (self->url_row);

      attempt->token = dup_row_text (self->libsql_token_row);
      /* A Turso URL may carry its token (?authToken=…): it is taken as the token. */
      if (attempt->token == NULL || *attempt->token == '\0')
        {
          char *from_url = lh_libsql_url_dup_token (url);

          if (from_url != NULL)
            {
              lh_secrets_free (attempt->token);
              attempt->token = from_url;
            }
        }
      if (*url == '\0')
        {
          set_status (self, _("Enter the database’s URL (libsql://…)."), TRUE);
          return NULL;
        }
      attempt->text = lh_libsql_normalize_url (url, &error);
      if (attempt->text == NULL)
        {
          set_status (self, error->message, TRUE);
          return NULL;
        }
      attempt->secret_kind = "libsql";
      attempt->secret_location = g_strdup (attempt->text);
      attempt->secret_database = g_strdup ("");
    }
  attempt->location = lh_location_parse (attempt->text, &error);
  if (attempt->location == NULL)
    {
      set_status (self, error->message, TRUE);
      return NULL;
    }
  return g_steal_pointer (&attempt);
}

static const char *
kind_label (LhConnection *connection)
{
  switch (lh_connection_get_kind (connection))
    {
    case LH_CONNECTION_KIND_D1:
      return _("Cloudflare D1");
    case LH_CONNECTION_KIND_LIBSQL:
      return _("libSQL");
    case LH_CONNECTION_KIND_LOCAL:
    default:
      return _("SQLite file");
    }
}

/* How long the keyring may take to keep a token (it may be waiting on a prompt that
 * nobody answers) before the token is kept in memory instead. */
#define STORE_TIMEOUT_SECONDS 10

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LhConnectDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean in_memory = FALSE;

  if (!lh_secrets_store_finish (result, &in_memory, &error))
    {
      /* The keyring refused (a locked keyring, say): the connection is open all the same. */
      g_debug ("The token was not kept: %s", error->message);
      in_memory = TRUE;
    }
  g_signal_emit (self, signals[TOKEN_KEPT], 0, in_memory);
}

static gboolean
store_timeout_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* Keeps the attempt's token in the keyring (or forgets one kept before, when it is not to
 * be remembered); the dialog may be closed meanwhile. */
static void
keep_token (LhConnectDialog *self,
            Attempt         *attempt)
{
  g_autofree char *label = NULL;
  g_autoptr(GCancellable) cancellable = NULL;

  if (!gtk_switch_get_active (self->remember_switch) || *attempt->token == '\0')
    {
      lh_secrets_clear_async (attempt->secret_kind, attempt->secret_location, attempt->secret_database,
                              NULL, NULL, NULL);
      return;
    }
  label = g_strdup_printf (_("Litehouse: %s"), attempt->title);
  cancellable = g_cancellable_new ();
  g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, STORE_TIMEOUT_SECONDS, store_timeout_cb,
                              g_object_ref (cancellable), g_object_unref);
  lh_secrets_store_async (attempt->secret_kind, attempt->secret_location, attempt->secret_database,
                          label, attempt->token, cancellable, stored_cb, g_object_ref (self));
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LhConnectDialog *self = g_task_get_source_object (task);
  Attempt *attempt = g_task_get_task_data (task);
  g_autoptr(LhConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  connection = lh_location_open_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (connection == NULL)
    {
      set_busy (self, FALSE);
      set_status (self, error->message, TRUE);
      return;
    }
  attempt->title = g_strdup (lh_connection_get_title (connection));
  if (!attempt->connect)
    {
      /* TRANSLATORS: a database's name, then its kind ("Cloudflare D1", "libSQL") */
      status = g_strdup_printf (_("Connected to “%s” (%s)."), attempt->title, kind_label (connection));
      set_busy (self, FALSE);
      set_status (self, status, FALSE);
      lh_connection_close_async (connection, NULL, NULL, NULL);
      return;
    }

  set_busy (self, FALSE);
  set_status (self, _("Connected."), FALSE);
  keep_token (self, attempt);
  g_signal_emit (self, signals[CONNECTED], 0, connection, attempt->text, attempt->title);
  gtk_window_close (GTK_WINDOW (self));
}

static void
start_attempt (LhConnectDialog *self,
               gboolean         connect)
{
  Attempt *attempt = read_form (self);
  GTask *task;

  if (attempt == NULL)
    return;
  attempt->connect = connect;
  set_busy (self, TRUE);
  self->cancellable = g_cancellable_new ();
  set_status (self, connect ? _("Connecting…") : _("Testing the connection…"), FALSE);
  task = g_task_new (self, self->cancellable, NULL, NULL);
  g_task_set_task_data (task, attempt, (GDestroyNotify) attempt_free);
  lh_location_open_async (attempt->location, *attempt->token != '\0' ? attempt->token : NULL,
                          LH_LOCAL_OPEN_NONE, self->cancellable, opened_cb, task);
}

static void
test_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  start_attempt (LH_CONNECT_DIALOG (widget), FALSE);
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  start_attempt (LH_CONNECT_DIALOG (widget), TRUE);
}

/* Listing D1 databases */

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LhConnectDialog) self = user_data;
  g_autoptr(GPtrArray) databases = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  guint wanted = 0;

  databases = lh_d1_list_databases_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (databases == NULL)
    {
      set_status (self, error->message, TRUE);
      return;
    }
  g_ptr_array_set_size (self->database_ids, 0);
  gtk_string_list_splice (self->database_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->database_names)), NULL);
  for (guint i = 0; i < databases->len; i++)
    {
      LhD1Database *database = g_ptr_array_index (databases, i);

      if (g_strcmp0 (database->uuid, self->wanted_database) == 0)
        wanted = i;
      g_ptr_array_add (self->database_ids, g_strdup (database->uuid));
      gtk_string_list_append (self->database_names, database->name);
    }
  adw_combo_row_set_selected (self->database_row, wanted);
  status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The account has %u database.",
                                         "The account has %u databases.", databases->len),
                            databases->len);
  set_status (self, status, databases->len == 0);
}

static void
list_databases_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LhConnectDialog *self = LH_CONNECT_DIALOG (widget);
  g_autofree char *account = dup_row_text (self->account_row);
  g_autofree char *token = dup_row_text (self->d1_token_row);

  if (*account == '\0' || *token == '\0')
    {
      set_status (self, _("Enter the account ID and an API token."), TRUE);
      return;
    }
  set_busy (self, TRUE);
  self->cancellable = g_cancellable_new ();
  set_status (self, _("Listing the databases…"), FALSE);
  lh_d1_list_databases_async (NULL, account, token, NULL, self->cancellable, listed_cb,
                              g_object_ref (self));
  memset (token, 0, strlen (token));
}

static void
choose_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_signal_emit (widget, signals[CHOOSE_FILE], 0);
  gtk_window_close (GTK_WINDOW (widget));
}

/* Prefilling from a recent remote database */

static void
token_found_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LhConnectDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  char *token = lh_secrets_lookup_finish (result, &error);

  if (token == NULL)
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "d1") == 0)
    gtk_editable_set_text (GTK_EDITABLE (self->d1_token_row), token);
  else
    gtk_editable_set_text (GTK_EDITABLE (self->libsql_token_row), token);
  lh_secrets_free (token);
}

/* Shows the page for location (d1://ACCOUNT/ID or a libSQL URL) filled in, the token too
 * when the keyring has it. */
void
lh_connect_dialog_set_location (LhConnectDialog *self,
                                const char      *location)
{
  g_autoptr(LhLocation) parsed = NULL;

  g_return_if_fail (LH_IS_CONNECT_DIALOG (self));

  parsed = lh_location_parse (location, NULL);
  if (parsed == NULL || parsed->kind == LH_LOCATION_FILE)
    return;
  if (parsed->kind == LH_LOCATION_D1)
    {
      gtk_stack_set_visible_child_name (self->stack, "d1");
      gtk_editable_set_text (GTK_EDITABLE (self->account_row), parsed->account_id);
      g_free (self->wanted_database);
      self->wanted_database = g_strdup (parsed->database_id);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->database_row), parsed->database_id);
      lh_secrets_lookup_async ("d1", parsed->account_id, parsed->database_id, NULL, token_found_cb,
                               g_object_ref (self));
    }
  else
    {
      gtk_stack_set_visible_child_name (self->stack, "libsql");
      gtk_editable_set_text (GTK_EDITABLE (self->url_row), parsed->url);
      lh_secrets_lookup_async ("libsql", parsed->url, "", NULL, token_found_cb, g_object_ref (self));
    }
}

const char *
lh_connect_dialog_get_status (LhConnectDialog *self)
{
  g_return_val_if_fail (LH_IS_CONNECT_DIALOG (self), NULL);
  return gtk_label_get_text (self->status_label);
}

gboolean
lh_connect_dialog_get_busy (LhConnectDialog *self)
{
  g_return_val_if_fail (LH_IS_CONNECT_DIALOG (self), FALSE);
  return self->cancellable != NULL;
}

static void
lh_connect_dialog_dispose (GObject *object)
{
  LhConnectDialog *self = LH_CONNECT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LH_TYPE_CONNECT_DIALOG);
  G_OBJECT_CLASS (lh_connect_dialog_parent_class)->dispose (object);
}

static void
lh_connect_dialog_finalize (GObject *object)
{
  LhConnectDialog *self = LH_CONNECT_DIALOG (object);

  g_clear_object (&self->database_names);
  g_clear_pointer (&self->database_ids, g_ptr_array_unref);
  g_free (self->wanted_database);
  G_OBJECT_CLASS (lh_connect_dialog_parent_class)->finalize (object);
}

static void
lh_connect_dialog_class_init (LhConnectDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lh_connect_dialog_dispose;
  object_class->finalize = lh_connect_dialog_finalize;

  /* The connection opened, its location as written in recent lists, and its name. */
  signals[CONNECTED] = g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                     LH_TYPE_CONNECTION, G_TYPE_STRING, G_TYPE_STRING);
  /* After "connected", once the token is kept: TRUE when only in memory (no keyring). */
  signals[TOKEN_KEPT] = g_signal_new ("token-kept", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[CHOOSE_FILE] = g_signal_new ("choose-file", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/litehouse/Litehouse/lh-connect-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LhConnectDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, LhConnectDialog, account_row);
  gtk_widget_class_bind_template_child (widget_class, LhConnectDialog, d1_token_row);
  gtk_widget_class_bind_template_child (widget_class, LhConnectDialog, database_row);
  gtk_widget_class_bind_template_child (widget_class, LhConnectDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, LhConnectDialog, libsql_token_row);
  gtk_widget_class_bind_template_child (widget_class, LhConnectDialog, remember_switch);
  gtk_widget_class_bind_template_child (widget_class, LhConnectDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, LhConnectDialog, status_label);

  gtk_widget_class_install_action (widget_class, "connect.test", NULL, test_action);
  gtk_widget_class_install_action (widget_class, "connect.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "connect.list-databases", NULL, list_databases_action);
  gtk_widget_class_install_action (widget_class, "connect.choose-file", NULL, choose_file_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lh_connect_dialog_init (LhConnectDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->database_names = gtk_string_list_new (NULL);
  self->database_ids = g_ptr_array_new_with_free_func (g_free);
  adw_combo_row_set_model (self->database_row, G_LIST_MODEL (self->database_names));
}

LhConnectDialog *
lh_connect_dialog_new (GtkWindow *parent)
{
  return g_object_new (LH_TYPE_CONNECT_DIALOG, "transient-for", parent, NULL);
}
