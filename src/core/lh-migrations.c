/* lh-migrations.c — LhMigrations and the LhMigration items it lists. Loading reads the
 * folder in a thread (each file's text, SHA-256 and what keeps it from being applied), then
 * the table's columns and rows through the connection, then the checksums of Litehouse's
 * catalog, and merges the three. Applying loads afresh, then sends each pending migration
 * as one transactional batch: its statements and the INSERT that records it. Creating
 * writes the new file under a temporary name and links it into place, so that a file
 * already there is never replaced. */
#define _POSIX_C_SOURCE 200809L   /* fsync() under -std=c11 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "lh-error.h"
#include "lh-file-util-private.h"
#include "lh-hrana.h"
#include "lh-local-connection.h"
#include "lh-migrations-private.h"
#include "lh-script.h"

/* wrangler's own DDL and record, so that `wrangler d1 migrations list` agrees with us. */
#define CREATE_TABLE_SQL \
  "CREATE TABLE IF NOT EXISTS %s(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE," \
  " applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)"
#define RECORD_SQL "INSERT INTO %s (name) values (?)"

#define COLUMNS_SQL "SELECT name FROM pragma_table_xinfo(?)"
#define RECORDED_SQL \
  "SELECT CAST(name AS TEXT), CAST(applied_at AS TEXT) FROM %s WHERE name IS NOT NULL"

/* The catalog: the SHA-256 of each migration file when it was applied, by database. */
#define CATALOG_TABLE_SQL \
  "CREATE TABLE IF NOT EXISTS migration_files (database TEXT NOT NULL," \
  " migrations_table TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL," \
  " recorded_at TEXT NOT NULL, PRIMARY KEY (database, migrations_table, name))"
#define CATALOG_READ_SQL \
  "SELECT name, sha256 FROM migration_files WHERE database = ? AND migrations_table = ?"
#define CATALOG_KEEP_SQL \
  "INSERT OR IGNORE INTO migration_files (database, migrations_table, name, sha256," \
  " recorded_at) VALUES (?, ?, ?, ?, ?)"
#define CATALOG_RECORD_SQL \
  "INSERT OR REPLACE INTO migration_files (database, migrations_table, name, sha256," \
  " recorded_at) VALUES (?, ?, ?, ?, ?)"
#define CATALOG_FORGET_SQL \
  "DELETE FROM migration_files WHERE database = ? AND migrations_table = ? AND name = ?"

/* The error domain, with where a statement failed */

typedef struct
{
  char  *file;
  guint  statement;
  guint  line;
  guint  column;
  char  *reason;   /* the database's own message */
} LhMigrationsErrorPrivate;

static void
lh_migrations_error_private_init (LhMigrationsErrorPrivate *priv)
{
  priv->file = NULL;
  priv->reason = NULL;
  priv->statement = priv->line = priv->column = 0;
}

static void
lh_migrations_error_private_copy (const LhMigrationsErrorPrivate *src,
                                  LhMigrationsErrorPrivate       *dest)
{
  dest->file = g_strdup (src->file);
  dest->reason = g_strdup (src->reason);
  dest->statement = src->statement;
  dest->line = src->line;
  dest->column = src->column;
}

static void
lh_migrations_error_private_clear (LhMigrationsErrorPrivate *priv)
{
  g_clear_pointer (&priv->file, g_free);
  g_clear_pointer (&priv->reason, g_free);
}

G_DEFINE_EXTENDED_ERROR (LhMigrationsError, lh_migrations_error)

/* Where an LH_MIGRATIONS_ERROR_STATEMENT error happened: the migration's file name, the
 * statement (from 1, counting the file's statements), and its line and column in the file
 * (from 1). Each is 0 when the database did not say. FALSE for any other error. */
gboolean
lh_migrations_error_get_location (const GError  *error,
                                  const char   **file,
                                  guint         *statement,
                                  guint         *line,
                                  guint         *column)
{
  LhMigrationsErrorPrivate *priv;

  if (!g_error_matches (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_STATEMENT))
    return FALSE;
  priv = lh_migrations_error_get_private (error);
  if (priv == NULL || priv->file == NULL)
    return FALSE;
  if (file != NULL)
    *file = priv->file;
  if (statement != NULL)
    *statement = priv->statement;
  if (line != NULL)
    *line = priv->line;
  if (column != NULL)
    *column = priv->column;
  return TRUE;
}

/* The database's own message for an LH_MIGRATIONS_ERROR_STATEMENT error (the error's
 * message puts the file and place before it), or NULL for any other error. */
const char *
lh_migrations_error_get_reason (const GError *error)
{
  LhMigrationsErrorPrivate *priv;

  if (!g_error_matches (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_STATEMENT))
    return NULL;
  priv = lh_migrations_error_get_private (error);
  return priv != NULL ? priv->reason : NULL;
}

G_DEFINE_ENUM_TYPE (LhMigrationState, lh_migration_state,
  G_DEFINE_ENUM_VALUE (LH_MIGRATION_PENDING, "pending"),
  G_DEFINE_ENUM_VALUE (LH_MIGRATION_APPLIED, "applied"),
  G_DEFINE_ENUM_VALUE (LH_MIGRATION_CHANGED, "changed"),
  G_DEFINE_ENUM_VALUE (LH_MIGRATION_MISSING, "missing"))

/* LhMigration */

struct _LhMigration
{
  GObject parent_instance;

  /* owned */
  char *name;
  char *title;
  char *path;
  char *applied_at;
  char *sql;
  char *checksum;
  char *problem;

  /* state */
  guint             number;
  LhMigrationState  state;
  gboolean          in_layout;
};

G_DEFINE_FINAL_TYPE (LhMigration, lh_migration, G_TYPE_OBJECT)

enum
{
  MIGRATION_PROP_0,
  MIGRATION_PROP_NUMBER,
  MIGRATION_PROP_NAME,
  MIGRATION_PROP_TITLE,
  MIGRATION_PROP_PATH,
  MIGRATION_PROP_STATE,
  MIGRATION_PROP_APPLIED_AT,
  MIGRATION_PROP_PROBLEM,
  N_MIGRATION_PROPS
};

static GParamSpec *migration_properties[N_MIGRATION_PROPS];

static void
lh_migration_finalize (GObject *object)
{
  LhMigration *self = LH_MIGRATION (object);

  g_free (self->name);
  g_free (self->title);
  g_free (self->path);
  g_free (self->applied_at);
  g_free (self->sql);
  g_free (self->checksum);
  g_free (self->problem);
  G_OBJECT_CLASS (lh_migration_parent_class)->finalize (object);
}

static void
lh_migration_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LhMigration *self = LH_MIGRATION (object);

  switch (prop_id)
    {
    case MIGRATION_PROP_NUMBER:
      g_value_set_uint (value, self->number);
      break;
    case MIGRATION_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case MIGRATION_PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case MIGRATION_PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case MIGRATION_PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case MIGRATION_PROP_APPLIED_AT:
      g_value_set_string (value, self->applied_at);
      break;
    case MIGRATION_PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lh_migration_class_init (LhMigrationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lh_migration_finalize;
  object_class->get_property = lh_migration_get_property;

  migration_properties[MIGRATION_PROP_NUMBER] =
    g_param_spec_uint ("number", NULL, NULL, 0, G_MAXUINT, 0, flags);
  migration_properties[MIGRATION_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  migration_properties[MIGRATION_PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, flags);
  migration_properties[MIGRATION_PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL, flags);
  migration_properties[MIGRATION_PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, LH_TYPE_MIGRATION_STATE, LH_MIGRATION_PENDING, flags);
  migration_properties[MIGRATION_PROP_APPLIED_AT] =
    g_param_spec_string ("applied-at", NULL, NULL, NULL, flags);
  migration_properties[MIGRATION_PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_MIGRATION_PROPS, migration_properties);
}

static void
lh_migration_init (LhMigration *self)
{
}

/* The leading digits of name as a number, the way wrangler reads them (0 when there are
 * none); n_digits is how many there are. */
static guint
parse_number (const char *name,
              gsize      *n_digits)
{
  guint64 number = 0;
  gsize i;

  for (i = 0; g_ascii_isdigit (name[i]); i++)
    number = MIN (number * 10 + (guint) (name[i] - '0'), G_MAXUINT);
  *n_digits = i;
  return (guint) number;
}

/* NNNN_name.sql: four digits or more, an underscore, a name, the suffix. */
static gboolean
name_in_layout (const char *name)
{
  gsize n_digits;

  parse_number (name, &n_digits);
  return g_utf8_validate (name, -1, NULL) && n_digits >= 4 && name[n_digits] == '_' &&
         g_str_has_suffix (name, ".sql") && strlen (name) > n_digits + strlen ("_.sql");
}

/* What follows the number, without the suffix, underscores made spaces. */
static char *
title_of (const char *name)
{
  const char *start = name;
  const char *end = name + strlen (name);
  gsize n_digits;
  char *title;

  parse_number (name, &n_digits);
  if (n_digits > 0 && name[n_digits] == '_')
    start = name + n_digits + 1;
  if (g_str_has_suffix (name, ".sql"))
    end -= strlen (".sql");
  title = g_strndup (start, end > start ? (gsize) (end - start) : 0);
  return g_strdelimit (title, "_", ' ');
}

static LhMigration *
migration_new (const char *name)
{
  LhMigration *self = g_object_new (LH_TYPE_MIGRATION, NULL);
  gsize n_digits;

  self->name = g_utf8_make_valid (name, -1);
  self->title = title_of (self->name);
  self->number = parse_number (name, &n_digits);
  self->in_layout = name_in_layout (name);
  return self;
}

static char *
utf8_problem (const char *contents,
              const char *invalid)
{
  guint line = 1;

  for (const char *p = contents; p < invalid; p++)
    if (*p == '\n')
      line++;
  return g_strdup_printf (_("The file is not valid UTF-8 text: the byte at offset %lu, on "
                            "line %u, is not part of a character."),
                          (unsigned long) (invalid - contents), line);
}

/* What keeps a file from being applied whatever the database holds, or NULL. */
static char *
file_problem (LhMigration *self,
              const char  *contents,
              gsize        length)
{
  const char *invalid;

  if (!self->in_layout)
    return g_strdup (_("The file name is not in wrangler’s NNNN_name.sql layout: a number "
                       "of four digits, an underscore, a name."));
  if (!g_utf8_validate_len (contents, length, &invalid))
    return utf8_problem (contents, invalid);
  if (lh_sql_is_blank (contents, length))
    return g_strdup (_("The file holds no SQL statement."));
  return NULL;
}

/* Runs in a thread. */
static LhMigration *
migration_new_from_file (const char *folder,
                         const char *file_name)
{
  LhMigration *self = migration_new (file_name);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  self->path = g_build_filename (folder, file_name, NULL);
  if (!g_file_get_contents (self->path, &contents, &length, &error))
    {
      self->problem = g_strdup_printf (_("The file cannot be read: %s"), error->message);
      return self;
    }
  self->checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents,
                                                length);
  self->problem = file_problem (self, contents, length);
  if (g_utf8_validate_len (contents, length, NULL))
    self->sql = g_steal_pointer (&contents);
  return self;
}

/* The number of the file name (its leading digits, as wrangler reads them; 0 for a name
 * that starts with none). */
guint
lh_migration_get_number (LhMigration *self)
{
  g_return_val_if_fail (LH_IS_MIGRATION (self), 0);
  return self->number;
}

/* The file name with its suffix, as recorded in the table: "0003_add_comments.sql". */
const char *
lh_migration_get_name (LhMigration *self)
{
  g_return_val_if_fail (LH_IS_MIGRATION (self), NULL);
  return self->name;
}

/* The name without number and suffix, underscores as spaces: "add comments". */
const char *
lh_migration_get_title (LhMigration *self)
{
  g_return_val_if_fail (LH_IS_MIGRATION (self), NULL);
  return self->title;
}

/* The file's path, or NULL for a MISSING migration. */
const char *
lh_migration_get_path (LhMigration *self)
{
  g_return_val_if_fail (LH_IS_MIGRATION (self), NULL);
  return self->path;
}

LhMigrationState
lh_migration_get_state (LhMigration *self)
{
  g_return_val_if_fail (LH_IS_MIGRATION (self), LH_MIGRATION_PENDING);
  return self->state;
}

/* The table's applied_at as the database gave it ("2026-01-05 10:00:00"), or NULL for a
 * PENDING migration. */
const char *
lh_migration_get_applied_at (LhMigration *self)
{
  g_return_val_if_fail (LH_IS_MIGRATION (self), NULL);
  return self->applied_at;
}

/* The file's text, or NULL when there is no file, it cannot be read or it is not UTF-8. */
const char *
lh_migration_get_sql (LhMigration *self)
{
  g_return_val_if_fail (LH_IS_MIGRATION (self), NULL);
  return self->sql;
}

/* The SHA-256 of the file as it is now (hexadecimal), or NULL when it cannot be read. */
const char *
lh_migration_get_checksum (LhMigration *self)
{
  g_return_val_if_fail (LH_IS_MIGRATION (self), NULL);
  return self->checksum;
}

/* Why a PENDING migration cannot be applied, for the user; NULL when it can (always NULL
 * for the other states). */
const char *
lh_migration_get_problem (LhMigration *self)
{
  g_return_val_if_fail (LH_IS_MIGRATION (self), NULL);
  return self->problem;
}

/* LhMigrations */

struct _LhMigrations
{
  GObject parent_instance;

  /* owned */
  LhConnection *connection;
  char         *folder;
  char         *table;
  char         *table_sql;     /* table, written as an SQL name */
  char         *catalog_path;
};

G_DEFINE_FINAL_TYPE (LhMigrations, lh_migrations, G_TYPE_OBJECT)

static void
lh_migrations_finalize (GObject *object)
{
  LhMigrations *self = LH_MIGRATIONS (object);

  g_clear_object (&self->connection);
  g_free (self->folder);
  g_free (self->table);
  g_free (self->table_sql);
  g_free (self->catalog_path);
  G_OBJECT_CLASS (lh_migrations_parent_class)->finalize (object);
}

static void
lh_migrations_class_init (LhMigrationsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_migrations_finalize;
}

static void
lh_migrations_init (LhMigrations *self)
{
}

static gboolean
is_keyword (const char *word)
{
  g_auto(GStrv) keywords = lh_sql_dup_keywords ();
  g_autofree char *upper = g_ascii_strup (word, -1);

  return g_strv_contains ((const char * const *) keywords, upper);
}

/* The table's name bare, as wrangler writes it, when it can stand so; quoted otherwise. */
static char *
table_sql_name (const char *table)
{
  gboolean plain = g_ascii_isalpha (table[0]) || table[0] == '_';

  for (const char *p = table; *p != '\0' && plain; p++)
    plain = g_ascii_isalnum (*p) || *p == '_';
  if (plain && !is_keyword (table))
    return g_strdup (table);
  return lh_sql_quote_identifier (table);
}

/* The migrations of folder (a local path) for the database of connection, recorded in
 * table (NULL for wrangler's "d1_migrations"). */
LhMigrations *
lh_migrations_new (LhConnection *connection,
                   const char   *folder,
                   const char   *table)
{
  LhMigrations *self;

  g_return_val_if_fail (LH_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (folder != NULL, NULL);
  g_return_val_if_fail (table == NULL || *table != '\0', NULL);

  self = g_object_new (LH_TYPE_MIGRATIONS, NULL);
  self->connection = g_object_ref (connection);
  self->folder = g_strdup (folder);
  self->table = g_strdup (table != NULL ? table : LH_MIGRATIONS_DEFAULT_TABLE);
  self->table_sql = table_sql_name (self->table);
  self->catalog_path = g_build_filename (g_get_user_data_dir (), "litehouse", "catalog.sqlite",
                                         NULL);
  return self;
}

/* Where the checksums of applied files are kept (by default Litehouse's catalog). */
void
lh_migrations_set_catalog_path (LhMigrations *self,
                                const char   *path)
{
  g_return_if_fail (LH_IS_MIGRATIONS (self));
  g_return_if_fail (path != NULL);

  g_free (self->catalog_path);
  self->catalog_path = g_strdup (path);
}

LhConnection *
lh_migrations_get_connection (LhMigrations *self)
{
  g_return_val_if_fail (LH_IS_MIGRATIONS (self), NULL);
  return self->connection;
}

const char *
lh_migrations_get_folder (LhMigrations *self)
{
  g_return_val_if_fail (LH_IS_MIGRATIONS (self), NULL);
  return self->folder;
}

const char *
lh_migrations_get_table (LhMigrations *self)
{
  g_return_val_if_fail (LH_IS_MIGRATIONS (self), NULL);
  return self->table;
}

static GPtrArray *
new_params (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
}

static GPtrArray *
new_statements (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) lh_batch_statement_free);
}

/* Reading the folder (in a thread) */

/* The names of the folder's *.sql files: those wrangler applies. */
static GPtrArray *
list_sql_files (const char  *folder,
                GError     **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = g_dir_open (folder, 0, &local_error);
  const char *name;

  if (dir == NULL)
    {
      g_set_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_FOLDER,
                   _("Cannot read the migrations folder: %s"), local_error->message);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);

      if (g_str_has_suffix (name, ".sql") && g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, g_strdup (name));
    }
  return g_steal_pointer (&names);
}

static void
read_folder_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  LhMigrations *self = source;
  g_autofree char *catalog_folder = g_path_get_dirname (self->catalog_path);
  g_autoptr(GPtrArray) names = NULL;
  GPtrArray *files;
  GError *error = NULL;

  /* Made here, off the main thread; a failure shows when the catalog is opened. */
  g_mkdir_with_parents (catalog_folder, 0700);

  names = list_sql_files (self->folder, &error);
  if (names == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  files = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (files, migration_new_from_file (self->folder, g_ptr_array_index (names, i)));
  g_task_return_pointer (task, files, (GDestroyNotify) g_ptr_array_unref);
}

/* Loading */

typedef struct
{
  GPtrArray    *files;         /* LhMigration, as read from the folder */
  GHashTable   *recorded;      /* the table's names → applied_at (or NULL) */
  GHashTable   *checksums;     /* name → SHA-256 kept in the catalog */
  LhConnection *catalog;       /* NULL when the catalog cannot be used */
  GListStore   *migrations;
  gboolean      table_exists;
} LoadData;

static void
load_data_clear (LoadData *data)
{
  g_clear_pointer (&data->files, g_ptr_array_unref);
  g_clear_pointer (&data->recorded, g_hash_table_unref);
  g_clear_pointer (&data->checksums, g_hash_table_unref);
  g_clear_object (&data->catalog);
  g_clear_object (&data->migrations);
}

static LoadData *
load_data_new (void)
{
  LoadData *data = g_rc_box_new0 (LoadData);

  data->recorded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  data->checksums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return data;
}

static void
load_data_unref (LoadData *data)
{
  g_rc_box_release_full (data, (GDestroyNotify) load_data_clear);
}

/* A catalog that cannot be read or written costs only the CHANGED state: the migrations
 * themselves are still listed and applied. */
static void
catalog_unavailable (LoadData *data,
                     GError   *error)
{
  g_warning ("The migrations catalog cannot be used, edits of applied migrations go "
             "unnoticed: %s", error->message);
  g_error_free (error);
  g_clear_object (&data->catalog);
}

static const char *
text_at (LhResultSet *rows,
         guint        row,
         guint        column)
{
  const LhValue *value = lh_result_set_get_value (rows, row, column);

  return value->kind == LH_VALUE_TEXT ? value->v.text.data : NULL;
}

static void
return_loaded (GTask *task)
{
  LoadData *data = g_task_get_task_data (task);

  g_task_return_pointer (task, g_rc_box_acquire (data), (GDestroyNotify) load_data_unref);
}

static void
catalog_updated_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) results = NULL;
  GError *error = NULL;

  results = lh_connection_batch_finish (LH_CONNECTION (source), result, &error);
  if (results == NULL)
    catalog_unavailable (g_task_get_task_data (task), error);
  return_loaded (task);
}

/* Parameters that start with the catalog's key for this database and table. */
static GPtrArray *
catalog_params (LhMigrations *self)
{
  GPtrArray *params = new_params ();

  g_ptr_array_add (params, lh_value_new_text (lh_connection_get_location (self->connection), -1));
  g_ptr_array_add (params, lh_value_new_text (self->table, -1));
  return params;
}

static GPtrArray *
catalog_row (LhMigrations *self,
             LhMigration  *migration)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *recorded_at = g_date_time_format_iso8601 (now);
  GPtrArray *params = catalog_params (self);

  g_ptr_array_add (params, lh_value_new_text (migration->name, -1));
  g_ptr_array_add (params, lh_value_new_text (migration->checksum, -1));
  g_ptr_array_add (params, lh_value_new_text (recorded_at, -1));
  return params;
}

static void
add_catalog_statement (GPtrArray *statements,
                       const char *sql,
                       GPtrArray *params)
{
  g_ptr_array_add (statements, lh_batch_statement_new (sql, params));
  g_ptr_array_unref (params);
}

/* Keeps the checksum of a migration applied without Litehouse (by wrangler), so that
 * later edits show; forgets the one of a migration no longer applied (rolled back by
 * hand), so that it is taken afresh when it is applied again. */
static GPtrArray *
catalog_updates (LhMigrations *self,
                 LoadData     *data)
{
  GPtrArray *statements = new_statements ();

  for (guint i = 0; i < data->files->len; i++)
    {
      LhMigration *migration = g_ptr_array_index (data->files, i);
      gboolean kept = g_hash_table_contains (data->checksums, migration->name);

      if (migration->state == LH_MIGRATION_APPLIED && !kept && migration->checksum != NULL)
        add_catalog_statement (statements, CATALOG_KEEP_SQL, catalog_row (self, migration));
      else if (migration->state == LH_MIGRATION_PENDING && kept)
        {
          GPtrArray *params = catalog_params (self);

          g_ptr_array_add (params, lh_value_new_text (migration->name, -1));
          add_catalog_statement (statements, CATALOG_FORGET_SQL, params);
        }
    }
  return statements;
}

static void
set_state (LhMigration *migration,
           LoadData    *data)
{
  const char *applied_at;
  const char *kept;

  if (!g_hash_table_lookup_extended (data->recorded, migration->name, NULL,
                                     (gpointer *) &applied_at))
    {
      migration->state = LH_MIGRATION_PENDING;
      return;
    }
  kept = g_hash_table_lookup (data->checksums, migration->name);
  migration->applied_at = g_strdup (applied_at);
  migration->state = kept != NULL && migration->checksum != NULL &&
                     strcmp (kept, migration->checksum) != 0
                     ? LH_MIGRATION_CHANGED : LH_MIGRATION_APPLIED;
  g_clear_pointer (&migration->problem, g_free);
}

static int
compare_migrations (gconstpointer a,
                    gconstpointer b)
{
  const LhMigration *first = *(LhMigration * const *) a;
  const LhMigration *second = *(LhMigration * const *) b;

  if (first->number != second->number)
    return first->number < second->number ? -1 : 1;
  return strcmp (first->name, second->name);
}

/* The files in layout by number: number → GPtrArray of their migrations. */
static GHashTable *
numbers_in_use (GPtrArray *migrations)
{
  GHashTable *numbers = g_hash_table_new_full (NULL, NULL, NULL,
                                               (GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < migrations->len; i++)
    {
      LhMigration *migration = g_ptr_array_index (migrations, i);
      GPtrArray *sharing;

      if (migration->path == NULL || !migration->in_layout)
        continue;
      sharing = g_hash_table_lookup (numbers, GUINT_TO_POINTER (migration->number));
      if (sharing == NULL)
        {
          sharing = g_ptr_array_new ();
          g_hash_table_insert (numbers, GUINT_TO_POINTER (migration->number), sharing);
        }
      g_ptr_array_add (sharing, migration);
    }
  return numbers;
}

static char *
duplicate_problem (LhMigration *migration,
                   GPtrArray   *sharing)
{
  g_autofree char *number = g_strndup (migration->name, strspn (migration->name, "0123456789"));
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < sharing->len; i++)
    {
      LhMigration *other = g_ptr_array_index (sharing, i);

      g_string_append_printf (names, i > 0 ? ", %s" : "%s", other->name);
    }
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s is used by %u file: %s.",
                                       "%s is used by %u files: %s.", sharing->len),
                          number, sharing->len, names->str);
}

/* Where the last applied migration in layout stands in migrations (sorted), or -1. */
static int
last_applied (GPtrArray *migrations)
{
  for (guint i = migrations->len; i > 0; i--)
    {
      LhMigration *migration = g_ptr_array_index (migrations, i - 1);

      if (migration->state != LH_MIGRATION_PENDING && migration->in_layout)
        return (int) i - 1;
    }
  return -1;
}

/* Problems that come from the other files and the table: a number two files use, a
 * pending migration that sorts before an applied one. */
static void
find_problems (GPtrArray *migrations)
{
  g_autoptr(GHashTable) numbers = numbers_in_use (migrations);
  int last = last_applied (migrations);

  for (guint i = 0; i < migrations->len; i++)
    {
      LhMigration *migration = g_ptr_array_index (migrations, i);
      GPtrArray *sharing;

      if (migration->state != LH_MIGRATION_PENDING || migration->problem != NULL)
        continue;
      sharing = g_hash_table_lookup (numbers, GUINT_TO_POINTER (migration->number));
      if (sharing->len > 1)
        migration->problem = duplicate_problem (migration, sharing);
      else if ((int) i < last)
        migration->problem =
          g_strdup_printf (_("It comes before %s, which is applied already: give it a number "
                             "after that one to apply it."),
                           ((LhMigration *) g_ptr_array_index (migrations, last))->name);
    }
}

/* Every file and every name of the table, in order, each with its state and problem. */
static void
merge (LoadData *data)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) file_names = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  const char *name, *applied_at;

  for (guint i = 0; i < data->files->len; i++)
    {
      LhMigration *migration = g_ptr_array_index (data->files, i);

      set_state (migration, data);
      g_hash_table_add (file_names, migration->name);
      g_ptr_array_add (all, g_object_ref (migration));
    }
  g_hash_table_iter_init (&iter, data->recorded);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &applied_at))
    if (!g_hash_table_contains (file_names, name))
      {
        LhMigration *missing = migration_new (name);

        missing->state = LH_MIGRATION_MISSING;
        missing->applied_at = g_strdup (applied_at);
        g_ptr_array_add (all, missing);
      }
  g_ptr_array_sort (all, compare_migrations);
  find_problems (all);
  data->migrations = g_list_store_new (LH_TYPE_MIGRATION);
  g_list_store_splice (data->migrations, 0, 0, all->pdata, all->len);
}

static void
merge_and_update_catalog (GTask *task)
{
  LhMigrations *self = g_task_get_source_object (task);
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) updates = NULL;

  merge (data);
  if (data->catalog != NULL)
    updates = catalog_updates (self, data);
  if (updates == NULL || updates->len == 0)
    {
      return_loaded (task);
      g_object_unref (task);
      return;
    }
  lh_connection_batch_async (data->catalog, updates, LH_BATCH_TRANSACTION, NULL,
                             catalog_updated_cb, task);
}

static void
catalog_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) results = NULL;
  GError *error = NULL;
  LhResultSet *rows;

  results = lh_connection_batch_finish (LH_CONNECTION (source), result, &error);
  if (results == NULL)
    {
      catalog_unavailable (data, error);
      merge_and_update_catalog (task);
      return;
    }
  rows = g_ptr_array_index (results, 1);
  for (guint i = 0; i < lh_result_set_get_n_rows (rows); i++)
    if (text_at (rows, i, 0) != NULL && text_at (rows, i, 1) != NULL)
      g_hash_table_insert (data->checksums, g_strdup (text_at (rows, i, 0)),
                           g_strdup (text_at (rows, i, 1)));
  merge_and_update_catalog (task);
}

static void
catalog_open_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  LhMigrations *self = g_task_get_source_object (task);
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) statements = new_statements ();
  GError *error = NULL;

  data->catalog = LH_CONNECTION (lh_local_connection_open_finish (result, &error));
  if (data->catalog == NULL)
    {
      catalog_unavailable (data, error);
      merge_and_update_catalog (task);
      return;
    }
  g_ptr_array_add (statements, lh_batch_statement_new (CATALOG_TABLE_SQL, NULL));
  add_catalog_statement (statements, CATALOG_READ_SQL, catalog_params (self));
  lh_connection_batch_async (data->catalog, statements, LH_BATCH_TRANSACTION, NULL,
                             catalog_read_cb, task);
}

static void
open_catalog (GTask *task)
{
  LhMigrations *self = g_task_get_source_object (task);

  lh_local_connection_open_async (self->catalog_path, LH_LOCAL_OPEN_CREATE,
                                  LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS, NULL,
                                  catalog_open_cb, task);
}

static void
recorded_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(LhResultSet) rows = NULL;
  GError *error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < lh_result_set_get_n_rows (rows); i++)
    if (text_at (rows, i, 0) != NULL)
      g_hash_table_insert (data->recorded, g_strdup (text_at (rows, i, 0)),
                           g_strdup (text_at (rows, i, 1)));
  open_catalog (task);
}

/* The column of rows' first column named name (SQLite compares names without case). */
static gboolean
has_column (LhResultSet *columns,
            const char  *name)
{
  for (guint i = 0; i < lh_result_set_get_n_rows (columns); i++)
    if (text_at (columns, i, 0) != NULL && g_ascii_strcasecmp (text_at (columns, i, 0), name) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
check_shape (LhMigrations  *self,
             LhResultSet   *columns,
             GError       **error)
{
  static const char * const needed[] = { "name", "applied_at" };

  for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
    if (!has_column (columns, needed[i]))
      {
        g_set_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_TABLE_SHAPE,
                     _("The table “%s” has no “%s” column: it is not a migrations table as "
                       "wrangler makes it."), self->table, needed[i]);
        return FALSE;
      }
  return TRUE;
}

static void
columns_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  LhMigrations *self = g_task_get_source_object (task);
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(LhResultSet) columns = NULL;
  g_autofree char *sql = NULL;
  GError *error = NULL;

  columns = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (columns == NULL ||
      (lh_result_set_get_n_rows (columns) > 0 && !check_shape (self, columns, &error)))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* No table: nothing applied yet. It is made by the first migration applied. */
  data->table_exists = lh_result_set_get_n_rows (columns) > 0;
  if (!data->table_exists)
    {
      open_catalog (task);
      return;
    }
  sql = g_strdup_printf (RECORDED_SQL, self->table_sql);
  lh_connection_execute_async (self->connection, sql, NULL, 0, g_task_get_cancellable (task),
                               recorded_cb, task);
}

static void
folder_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  LhMigrations *self = LH_MIGRATIONS (source);
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) params = new_params ();
  GError *error = NULL;

  data->files = g_task_propagate_pointer (G_TASK (result), &error);
  if (data->files == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (params, lh_value_new_text (self->table, -1));
  lh_connection_execute_async (self->connection, COLUMNS_SQL, params, 0,
                               g_task_get_cancellable (task), columns_cb, task);
}

/* Loads into a LoadData the task returns (the callbacks pass the task's reference on). */
static void
load (LhMigrations        *self,
      GCancellable        *cancellable,
      GAsyncReadyCallback  callback,
      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) reading = g_task_new (self, cancellable, folder_read_cb, task);

  g_task_set_source_tag (task, lh_migrations_load_async);
  g_task_set_task_data (task, load_data_new (), (GDestroyNotify) load_data_unref);
  g_task_run_in_thread (reading, read_folder_thread);
}

/* Reads the folder, the table and the catalog: a GListModel of LhMigration, ordered by
 * number then name, holding every *.sql file of the folder and every name of the table.
 * A missing table means nothing is applied (it is not made here). Fails only for the
 * whole: a folder that is missing or cannot be read (LH_MIGRATIONS_ERROR_FOLDER), a table
 * without a name or an applied_at column (LH_MIGRATIONS_ERROR_TABLE_SHAPE), or the
 * connection's own error. */
void
lh_migrations_load_async (LhMigrations        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (LH_IS_MIGRATIONS (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  load (self, cancellable, callback, user_data);
}

GListModel *
lh_migrations_load_finish (LhMigrations  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  LoadData *data;
  GListModel *migrations;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_migrations_load_async, NULL);

  data = g_task_propagate_pointer (G_TASK (result), error);
  if (data == NULL)
    return NULL;
  migrations = G_LIST_MODEL (g_object_ref (data->migrations));
  load_data_unref (data);
  return migrations;
}

/* Applying */

typedef struct
{
  char                         *up_to;
  LhMigrationsProgressCallback  progress;
  gpointer                      progress_data;
  LoadData                     *load;
  GPtrArray                    *to_apply;    /* LhMigration */
  GArray                       *spans;       /* the statements of the one being applied */
  guint                         lead;        /* statements of the batch before them */
  guint                         n_applied;
} ApplyData;

static void
apply_data_free (ApplyData *data)
{
  g_free (data->up_to);
  g_clear_pointer (&data->load, load_data_unref);
  g_clear_pointer (&data->to_apply, g_ptr_array_unref);
  g_clear_pointer (&data->spans, g_array_unref);
  g_free (data);
}

static void apply_next (GTask *task);

static void
checksum_recorded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  ApplyData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) results = NULL;
  GError *error = NULL;

  results = lh_connection_batch_finish (LH_CONNECTION (source), result, &error);
  if (results == NULL)
    catalog_unavailable (data->load, error);
  apply_next (task);
}

static void
record_checksum (GTask       *task,
                 LhMigration *migration)
{
  LhMigrations *self = g_task_get_source_object (task);
  ApplyData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) statements = NULL;

  if (data->load->catalog == NULL)
    {
      apply_next (task);
      return;
    }
  statements = new_statements ();
  add_catalog_statement (statements, CATALOG_RECORD_SQL, catalog_row (self, migration));
  lh_connection_batch_async (data->load->catalog, statements, LH_BATCH_TRANSACTION, NULL,
                             checksum_recorded_cb, task);
}

static GError *
new_statement_error (LhMigration *migration,
                     guint        statement,
                     guint        line,
                     guint        column,
                     const char  *reason,
                     const char  *message)
{
  GError *error = g_error_new_literal (LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_STATEMENT,
                                       message);
  LhMigrationsErrorPrivate *priv = lh_migrations_error_get_private (error);

  priv->file = g_strdup (migration->name);
  priv->statement = statement;
  priv->line = line;
  priv->column = column;
  priv->reason = g_strdup (reason);
  return error;
}

/* Where in the statement the database points: its own offset, or the place of the token
 * its message quotes (remote databases give only the message). -1 when unknown. */
static int
error_offset (const char            *sql,
              const LhStatementSpan *span,
              const GError          *error)
{
  int offset = lh_connection_error_get_offset (error);
  g_autofree char *statement = NULL;

  if (offset >= 0 && (gsize) offset < span->length)
    return offset;
  statement = g_strndup (sql + span->offset, span->length);
  return lh_sql_error_offset (statement, error->message);
}

/* The failure of one of the migration's own statements, placed in its file. */
static GError *
failed_statement_error (LhMigration  *migration,
                        GArray       *spans,
                        guint         index,
                        const GError *error)
{
  const LhStatementSpan *span = &g_array_index (spans, LhStatementSpan, index);
  int offset = error_offset (migration->sql, span, error);
  g_autofree char *message = NULL;
  guint line, column;

  lh_sql_offset_to_line_column (migration->sql, span->offset + MAX (offset, 0), &line, &column);
  if (offset < 0)
    {
      message = g_strdup_printf (_("%s failed at statement %u, line %u: %s"),
                                 migration->name, index + 1, line, error->message);
      return new_statement_error (migration, index + 1, line, 0, error->message, message);
    }
  message = g_strdup_printf (_("%s failed at statement %u, line %u, column %u: %s"),
                             migration->name, index + 1, line, column, error->message);
  return new_statement_error (migration, index + 1, line, column, error->message, message);
}

/* The statement of spans holding the token message quotes, or -1: for a backend that
 * refuses a batch as a whole, naming none of its statements (sqld parses every statement
 * of a batch before it runs any). */
static int
statement_quoted (LhMigration *migration,
                  GArray      *spans,
                  const char  *message)
{
  for (guint i = 0; i < spans->len; i++)
    {
      const LhStatementSpan *span = &g_array_index (spans, LhStatementSpan, i);
      g_autofree char *statement = g_strndup (migration->sql + span->offset, span->length);

      if (lh_sql_error_offset (statement, message) >= 0)
        return (int) i;
    }
  return -1;
}

/* The error of a failed migration batch, for the user. The database's refusal of a
 * statement becomes LH_MIGRATIONS_ERROR_STATEMENT, placed in the file where it can be;
 * anything else (the network, a cancel) keeps its domain and code, the file name put
 * before its message. Takes error. */
static GError *
migration_error (LhMigrations *self,
                 ApplyData    *data,
                 LhMigration  *migration,
                 GError       *error)
{
  g_autoptr(GError) cause = error;
  int index = lh_connection_error_get_statement_index (cause);
  g_autofree char *message = NULL;
  int quoted;

  if (!g_error_matches (cause, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SQL) &&
      !g_error_matches (cause, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CONSTRAINT))
    {
      g_prefix_error (&cause, "%s: ", migration->name);
      return g_steal_pointer (&cause);
    }
  quoted = index < 0 ? statement_quoted (migration, data->spans, cause->message) : -1;
  if (quoted >= 0)
    index = quoted + (int) data->lead;
  if (index < 0)
    message = g_strdup_printf (_("%s failed, none of it was applied: %s"),
                               migration->name, cause->message);
  else if ((guint) index < data->lead)
    message = g_strdup_printf (_("%s was not applied: the table “%s” cannot be made: %s"),
                               migration->name, self->table, cause->message);
  else if ((guint) index - data->lead < data->spans->len)
    return failed_statement_error (migration, data->spans, (guint) index - data->lead, cause);
  else
    message = g_strdup_printf (_("%s ran, but recording it in the table “%s” failed, so none "
                                 "of it was kept: %s"), migration->name, self->table,
                               cause->message);
  return new_statement_error (migration, 0, 0, 0, cause->message, message);
}

static void
applied_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  LhMigrations *self = g_task_get_source_object (task);
  ApplyData *data = g_task_get_task_data (task);
  LhMigration *migration = g_ptr_array_index (data->to_apply, data->n_applied);
  g_autoptr(GPtrArray) results = NULL;
  GError *error = NULL;

  results = lh_connection_batch_finish (LH_CONNECTION (source), result, &error);
  if (results == NULL)
    {
      g_task_return_error (task, migration_error (self, data, migration, error));
      g_object_unref (task);
      return;
    }
  data->n_applied++;
  data->load->table_exists = TRUE;
  record_checksum (task, migration);
}

/* One batch: the table when it is missing (so that a migration that fails leaves no table
 * behind either), the file's statements, and the INSERT that records the file. */
static GPtrArray *
migration_batch (LhMigrations *self,
                 ApplyData    *data,
                 LhMigration  *migration)
{
  GPtrArray *statements = new_statements ();
  g_autoptr(GArray) spans = lh_sql_split (migration->sql, -1);
  g_autoptr(GPtrArray) params = new_params ();
  g_autofree char *record = g_strdup_printf (RECORD_SQL, self->table_sql);

  data->lead = 0;
  if (!data->load->table_exists)
    {
      g_autofree char *create = g_strdup_printf (CREATE_TABLE_SQL, self->table_sql);

      g_ptr_array_add (statements, lh_batch_statement_new (create, NULL));
      data->lead = 1;
    }
  g_clear_pointer (&data->spans, g_array_unref);
  data->spans = g_array_new (FALSE, FALSE, sizeof (LhStatementSpan));
  for (guint i = 0; i < spans->len; i++)
    {
      const LhStatementSpan *span = &g_array_index (spans, LhStatementSpan, i);
      g_autofree char *sql = NULL;

      if (lh_sql_is_blank (migration->sql + span->offset, span->length))
        continue;
      sql = g_strndup (migration->sql + span->offset, span->length);
      g_array_append_val (data->spans, *span);
      g_ptr_array_add (statements, lh_batch_statement_new (sql, NULL));
    }
  g_ptr_array_add (params, lh_value_new_text (migration->name, -1));
  g_ptr_array_add (statements, lh_batch_statement_new (record, params));
  return statements;
}

/* A local batch cancelled halfway is rolled back. A remote one may have been committed
 * before its answer was lost: it is let finish, and the cancel stops the next one. */
static GCancellable *
batch_cancellable (LhMigrations *self,
                   GTask        *task)
{
  if (lh_connection_get_kind (self->connection) != LH_CONNECTION_KIND_LOCAL)
    return NULL;
  return g_task_get_cancellable (task);
}

/* Applies the next migration of data->to_apply, or ends the task; takes task's reference. */
static void
apply_next (GTask *task)
{
  LhMigrations *self = g_task_get_source_object (task);
  ApplyData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) statements = NULL;
  LhMigration *migration;
  GError *error = NULL;

  if (data->n_applied == data->to_apply->len)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  migration = g_ptr_array_index (data->to_apply, data->n_applied);
  if (data->progress != NULL)
    data->progress (migration, data->n_applied, data->to_apply->len, data->progress_data);
  statements = migration_batch (self, data, migration);
  lh_connection_batch_async (self->connection, statements, LH_BATCH_TRANSACTION,
                             batch_cancellable (self, task), applied_cb, task);
}

/* The pending migrations up to up_to (a file name; NULL: all), in order. */
static GPtrArray *
select_to_apply (GListModel  *migrations,
                 const char  *up_to,
                 GError     **error)
{
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean found = FALSE;
  guint n = g_list_model_get_n_items (migrations);

  for (guint i = 0; i < n && !found; i++)
    {
      g_autoptr(LhMigration) migration = g_list_model_get_item (migrations, i);

      if (migration->state == LH_MIGRATION_PENDING)
        g_ptr_array_add (chosen, g_object_ref (migration));
      found = up_to != NULL && migration->path != NULL && strcmp (migration->name, up_to) == 0;
    }
  if (up_to != NULL && !found)
    {
      g_set_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_NOT_FOUND,
                   _("There is no migration file named “%s”."), up_to);
      return NULL;
    }
  return g_steal_pointer (&chosen);
}

static gboolean
check_problems (GPtrArray  *to_apply,
                GError    **error)
{
  for (guint i = 0; i < to_apply->len; i++)
    {
      LhMigration *migration = g_ptr_array_index (to_apply, i);

      if (migration->problem != NULL)
        {
          g_set_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_PROBLEM,
                       _("Cannot apply %s: %s"), migration->name, migration->problem);
          return FALSE;
        }
    }
  return TRUE;
}

static void
loaded_for_apply_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  ApplyData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->load = g_task_propagate_pointer (G_TASK (result), &error);
  if (data->load != NULL)
    data->to_apply = select_to_apply (G_LIST_MODEL (data->load->migrations), data->up_to, &error);
  if (data->to_apply == NULL || !check_problems (data->to_apply, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  apply_next (task);
}

/* Applies the pending migrations in order, up to and including the file named up_to
 * (NULL: all of them). It loads afresh first and refuses before running anything when the
 * connection has a transaction open, when up_to names no file, or when a migration to
 * apply has a problem. Each migration is one transactional batch of its statements and
 * the INSERT of its name into the table (made, with wrangler's DDL, in the first batch
 * when it is missing), so that on every backend a migration and its record are kept
 * together or not at all. progress (or NULL) is called before each one. On a failure the
 * migrations before stay applied and the failing one leaves nothing; a cancel stops
 * between migrations (a local database also rolls back the one running). */
void
lh_migrations_apply_async (LhMigrations                 *self,
                           const char                   *up_to,
                           GCancellable                 *cancellable,
                           LhMigrationsProgressCallback  progress,
                           gpointer                      progress_data,
                           GAsyncReadyCallback           callback,
                           gpointer                      user_data)
{
  GTask *task;
  ApplyData *data;

  g_return_if_fail (LH_IS_MIGRATIONS (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_migrations_apply_async);
  /* What was applied before a late cancel stays applied: the result says so. */
  g_task_set_check_cancellable (task, FALSE);
  data = g_new0 (ApplyData, 1);
  data->up_to = g_strdup (up_to);
  data->progress = progress;
  data->progress_data = progress_data;
  g_task_set_task_data (task, data, (GDestroyNotify) apply_data_free);

  if (lh_connection_get_in_transaction (self->connection))
    {
      g_task_return_new_error (task, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_TRANSACTION_OPEN,
                               _("A transaction is open on this database: commit it or roll "
                                 "it back before applying migrations."));
      g_object_unref (task);
      return;
    }
  load (self, cancellable, loaded_for_apply_cb, task);
}

/* TRUE when every migration asked for was applied. n_applied (or NULL) is set in either
 * case: how many were applied (and committed) before the end or the failure. */
gboolean
lh_migrations_apply_finish (LhMigrations  *self,
                            GAsyncResult  *result,
                            guint         *n_applied,
                            GError       **error)
{
  ApplyData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_migrations_apply_async,
                        FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (n_applied != NULL)
    *n_applied = data->n_applied;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Creating (in a thread) */

/* name lower-cased, each character but letters and digits made an underscore. */
static char *
file_name_part (const char *name)
{
  g_autofree char *lower = g_utf8_strdown (name, -1);
  GString *part = g_string_new (NULL);

  for (const char *p = lower; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c))
        g_string_append_unichar (part, c);
      else
        g_string_append_c (part, '_');
    }
  return g_string_free (part, FALSE);
}

/* The first line wrangler writes in a new migration, dated now as JavaScript's
 * toISOString() writes it, then a blank line. */
static char *
migration_header (const char *number)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *seconds = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("-- Migration number: %s \t %s.%03dZ\n\n", number, seconds,
                          g_date_time_get_microsecond (now) / 1000);
}

/* The file's name says enough: the folder is the one the user picked. */
static void
set_write_error (GError     **error,
                 int          saved_errno,
                 const char  *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_filename_display_name (base);

  if (saved_errno == EEXIST)
    g_set_error (error, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_EXISTS,
                 _("“%s” exists already: a new migration never replaces a file."), name);
  else
    lh_file_set_write_error (error, saved_errno, base);
}

/* Writes contents to a new file at path, whole or not at all: under a temporary name
 * beside it, synced, then linked to path. */
static gboolean
write_new_file (const char  *path,
                const char  *contents,
                GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *temp_path = NULL;
  gboolean done;
  int fd, saved_errno;

  fd = lh_file_open_temp_beside (path, O_WRONLY, 0666, &temp_path);
  if (fd < 0)
    {
      set_write_error (error, errno, path);
      return FALSE;
    }
  done = lh_file_write_all (fd, contents, strlen (contents)) && fsync (fd) == 0;
  saved_errno = errno;
  if (close (fd) != 0 && done)
    {
      done = FALSE;
      saved_errno = errno;
    }
  if (done)
    {
      saved_errno = lh_file_link_new (temp_path, path);
      done = saved_errno == 0;
    }
  g_unlink (temp_path);
  if (!done)
    {
      set_write_error (error, saved_errno, path);
      return FALSE;
    }
  lh_file_sync_folder (folder);
  return TRUE;
}

/* The highest number of the folder's *.sql files, as wrangler reads them (0: none). */
static guint
highest_number (GPtrArray *names)
{
  guint highest = 0;

  for (guint i = 0; i < names->len; i++)
    {
      gsize n_digits;

      highest = MAX (highest, parse_number (g_ptr_array_index (names, i), &n_digits));
    }
  return highest;
}

static void
create_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  LhMigrations *self = source;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *number = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *header = NULL;
  GError *error = NULL;

  names = list_sql_files (self->folder, &error);
  if (names == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  number = g_strdup_printf ("%04u", highest_number (names) + 1);
  file_name = g_strdup_printf ("%s_%s.sql", number, (const char *) task_data);
  path = g_build_filename (self->folder, file_name, NULL);
  header = migration_header (number);
  if (!write_new_file (path, header, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&path), g_free);
}

/* Writes the next migration file as `wrangler d1 migrations create` does: numbered one
 * after the highest number of the folder's files (0001 in an empty folder), named after
 * name (UTF-8; lower-cased, every character but letters and digits made "_"), holding the
 * "-- Migration number: NNNN \t <ISO 8601 time>" line and a blank line. The folder must
 * exist. The file appears whole or not at all, and never replaces one
 * (LH_MIGRATIONS_ERROR_EXISTS); an empty name is LH_MIGRATIONS_ERROR_INVALID_NAME. */
void
lh_migrations_create_async (LhMigrations        *self,
                            const char          *name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *stripped = NULL;

  g_return_if_fail (LH_IS_MIGRATIONS (self));
  g_return_if_fail (name != NULL && g_utf8_validate (name, -1, NULL));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_migrations_create_async);
  stripped = g_strstrip (g_strdup (name));
  if (*stripped == '\0')
    {
      g_task_return_new_error (task, LH_MIGRATIONS_ERROR, LH_MIGRATIONS_ERROR_INVALID_NAME,
                               _("A migration needs a name."));
      return;
    }
  g_task_set_task_data (task, file_name_part (stripped), g_free);
  g_task_run_in_thread (task, create_thread);
}

/* The path of the new file. */
char *
lh_migrations_create_finish (LhMigrations  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_migrations_create_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
