/* lh-cli-output.c — aligned text tables (numbers to the right, NULL spelled out, control
 * characters escaped so a value never breaks a row), the lines of a migrations folder and
 * of a database's backups, and the JSON form of a script's results and of the migrations
 * and backup commands, written with json-glib. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lh-cli-output.h"

/* Control characters from the database never reach the terminal as they are: they could
 * break a row, or be an escape sequence the terminal would obey. */
char *
lh_cli_escape (const char *text)
{
  GString *escaped = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = *p;

      switch (c)
        {
        case '\n': g_string_append (escaped, "\\n"); break;
        case '\r': g_string_append (escaped, "\\r"); break;
        case '\t': g_string_append (escaped, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (escaped, "\\x%02x", c);
          else
            g_string_append_c (escaped, c);
          break;
        }
    }
  return g_string_free (escaped, FALSE);
}

static char *
cell_text (const LhValue *value)
{
  g_autofree char *text = lh_value_to_display_string (value, 0);

  return lh_cli_escape (text);
}

static void
append_padded (GString    *out,
               const char *text,
               gsize       width,
               gboolean    right)
{
  gsize length = g_utf8_strlen (text, -1);
  gsize pad = width > length ? width - length : 0;

  if (right)
    for (gsize i = 0; i < pad; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, text);
  if (!right)
    for (gsize i = 0; i < pad; i++)
      g_string_append_c (out, ' ');
}

static gboolean
is_number (const LhValue *value)
{
  return value->kind == LH_VALUE_INTEGER || value->kind == LH_VALUE_REAL;
}

void
lh_cli_print_table (GString     *out,
                    LhResultSet *result)
{
  guint n_columns = lh_result_set_get_n_columns (result);
  guint n_rows = lh_result_set_get_n_rows (result);
  g_autofree gsize *widths = g_new0 (gsize, n_columns);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);

  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint c = 0; c < n_columns; c++)
    {
      char *name = lh_cli_escape (lh_result_set_get_column_name (result, c));

      widths[c] = g_utf8_strlen (name, -1);
      g_ptr_array_add (names, name);
    }

  for (guint r = 0; r < n_rows; r++)
    for (guint c = 0; c < n_columns; c++)
      {
        char *text = cell_text (lh_result_set_get_value (result, r, c));

        widths[c] = MAX (widths[c], (gsize) g_utf8_strlen (text, -1));
        g_ptr_array_add (cells, text);
      }

  for (guint c = 0; c < n_columns; c++)
    {
      if (c > 0)
        g_string_append (out, " | ");
      append_padded (out, g_ptr_array_index (names, c), c + 1 < n_columns ? widths[c] : 0, FALSE);
    }
  g_string_append_c (out, '\n');

  for (guint c = 0; c < n_columns; c++)
    {
      if (c > 0)
        g_string_append (out, "-+-");
      for (gsize i = 0; i < widths[c]; i++)
        g_string_append_c (out, '-');
    }
  g_string_append_c (out, '\n');

  for (guint r = 0; r < n_rows; r++)
    {
      for (guint c = 0; c < n_columns; c++)
        {
          const LhValue *value = lh_result_set_get_value (result, r, c);

          if (c > 0)
            g_string_append (out, " | ");
          append_padded (out, g_ptr_array_index (cells, (gsize) r * n_columns + c),
                         c + 1 < n_columns || is_number (value) ? widths[c] : 0,
                         is_number (value));
        }
      g_string_append_c (out, '\n');
    }

  g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "(%u row)\n", "(%u rows)\n", n_rows),
                          n_rows);
}

static void
add_value (JsonBuilder   *builder,
           const LhValue *value)
{
  switch (value->kind)
    {
    case LH_VALUE_NULL:
      json_builder_add_null_value (builder);
      break;
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
        gconstpointer data = g_bytes_get_data (value->v.blob, &size);
        g_autofree char *encoded = g_base64_encode (data, size);

        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "base64");
        json_builder_add_string_value (builder, encoded);
        json_builder_end_object (builder);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
add_result (JsonBuilder *builder,
            LhResultSet *result)
{
  guint n_columns = lh_result_set_get_n_columns (result);

  json_builder_set_member_name (builder, "columns");
  json_builder_begin_array (builder);
  for (guint c = 0; c < n_columns; c++)
    json_builder_add_string_value (builder, lh_result_set_get_column_name (result, c));
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "rows");
  json_builder_begin_array (builder);
  for (guint r = 0; r < lh_result_set_get_n_rows (result); r++)
    {
      json_builder_begin_array (builder);
      for (guint c = 0; c < n_columns; c++)
        add_value (builder, lh_result_set_get_value (result, r, c));
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "rows_changed");
  json_builder_add_int_value (builder, lh_result_set_get_changes (result));
  json_builder_set_member_name (builder, "last_insert_rowid");
  json_builder_add_int_value (builder, lh_result_set_get_last_insert_rowid (result));
  json_builder_set_member_name (builder, "duration_ms");
  json_builder_add_double_value (builder, lh_result_set_get_elapsed (result) / 1000.0);
}

static void
add_error (JsonBuilder  *builder,
           const GError *error,
           const char   *script_text)
{
  int offset = lh_connection_error_get_offset (error);

  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  if (offset >= 0)
    {
      guint line, column;

      lh_sql_offset_to_line_column (script_text, offset, &line, &column);
      json_builder_set_member_name (builder, "offset");
      json_builder_add_int_value (builder, offset);
      json_builder_set_member_name (builder, "line");
      json_builder_add_int_value (builder, line);
      json_builder_set_member_name (builder, "column");
      json_builder_add_int_value (builder, column);
    }
  json_builder_end_object (builder);
}

static char *
builder_to_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

/* One object per statement that ran, in order; the failing one, if any, carries "error". */
char *
lh_cli_results_json (GPtrArray  *statements,
                     const char *script_text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < statements->len; i++)
    {
      LhStatementResult *statement = g_ptr_array_index (statements, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "sql");
      json_builder_add_string_value (builder, statement->sql);
      if (statement->error != NULL)
        add_error (builder, statement->error, script_text);
      else
        add_result (builder, statement->result);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return builder_to_json (builder);
}

/* Migrations */

static const char *
state_words (LhMigrationState state)
{
  switch (state)
    {
    case LH_MIGRATION_APPLIED:
      return _("applied");
    case LH_MIGRATION_CHANGED:
      return _("changed since applied");
    case LH_MIGRATION_MISSING:
      return _("file missing, applied");
    case LH_MIGRATION_PENDING:
    default:
      return _("pending");
    }
}

static void
append_migration (GString     *out,
                  LhMigration *migration,
                  gsize        number_width,
                  gsize        name_width)
{
  g_autofree char *number = g_strdup_printf ("%u", lh_migration_get_number (migration));
  g_autofree char *name = lh_cli_escape (lh_migration_get_name (migration));
  const char *applied_at = lh_migration_get_applied_at (migration);
  const char *problem = lh_migration_get_problem (migration);

  append_padded (out, number, number_width, TRUE);
  g_string_append (out, "  ");
  append_padded (out, name, name_width, FALSE);
  g_string_append (out, "  ");
  g_string_append (out, state_words (lh_migration_get_state (migration)));
  if (applied_at != NULL)
    g_string_append_printf (out, " %s", applied_at);
  if (problem != NULL)
    {
      g_autofree char *escaped = lh_cli_escape (problem);

      g_string_append_printf (out, ": %s", escaped);
    }
  g_string_append_c (out, '\n');
}

/* "2 applied, 1 pending", and the changed and missing ones when there are any. */
static void
append_summary (GString *out,
                guint    counts[])
{
  g_string_append_printf (out, _("%u applied, %u pending"),
                          counts[LH_MIGRATION_APPLIED], counts[LH_MIGRATION_PENDING]);
  if (counts[LH_MIGRATION_CHANGED] > 0)
    g_string_append_printf (out, _(", %u changed"), counts[LH_MIGRATION_CHANGED]);
  if (counts[LH_MIGRATION_MISSING] > 0)
    g_string_append_printf (out, _(", %u missing"), counts[LH_MIGRATION_MISSING]);
  g_string_append_c (out, '\n');
}

/* One line per migration (number, file name, state with the time it was applied, and what
 * keeps a pending one from being applied), then how many there are in each state. */
void
lh_cli_print_migrations (GString    *out,
                         GListModel *migrations)
{
  guint n = g_list_model_get_n_items (migrations);
  guint counts[LH_MIGRATION_MISSING + 1] = { 0 };
  gsize number_width = 0, name_width = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhMigration) migration = g_list_model_get_item (migrations, i);
      g_autofree char *number = g_strdup_printf ("%u", lh_migration_get_number (migration));
      g_autofree char *name = lh_cli_escape (lh_migration_get_name (migration));

      number_width = MAX (number_width, strlen (number));
      name_width = MAX (name_width, (gsize) g_utf8_strlen (name, -1));
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhMigration) migration = g_list_model_get_item (migrations, i);

      append_migration (out, migration, number_width, name_width);
      counts[lh_migration_get_state (migration)]++;
    }
  append_summary (out, counts);
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* A local path, which need not be UTF-8, as JSON can hold it. */
static void
add_path (JsonBuilder *builder,
          const char  *member,
          const char  *path)
{
  g_autofree char *text = g_filename_display_name (path);

  add_string_or_null (builder, member, text);
}

/* 0 means "unknown" in an error's location: null in JSON. */
static void
add_count_or_null (JsonBuilder *builder,
                   const char  *member,
                   guint        value)
{
  json_builder_set_member_name (builder, member);
  if (value > 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_migration (JsonBuilder *builder,
               LhMigration *migration)
{
  GEnumClass *states = g_type_class_ref (LH_TYPE_MIGRATION_STATE);
  GEnumValue *state = g_enum_get_value (states, lh_migration_get_state (migration));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "number");
  json_builder_add_int_value (builder, lh_migration_get_number (migration));
  add_string_or_null (builder, "name", lh_migration_get_name (migration));
  add_string_or_null (builder, "state", state->value_nick);
  add_string_or_null (builder, "applied_at", lh_migration_get_applied_at (migration));
  add_string_or_null (builder, "problem", lh_migration_get_problem (migration));
  json_builder_end_object (builder);
  g_type_class_unref (states);
}

/* {"table", "folder", "migrations": [{"number", "name", "state", "applied_at", "problem"}]} */
char *
lh_cli_migrations_json (LhMigrations *migrations,
                        GListModel   *items)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string_or_null (builder, "table", lh_migrations_get_table (migrations));
  add_path (builder, "folder", lh_migrations_get_folder (migrations));
  json_builder_set_member_name (builder, "migrations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(LhMigration) migration = g_list_model_get_item (items, i);

      add_migration (builder, migration);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return builder_to_json (builder);
}

/* A failed migration as one line: "0003_x.sql, statement 2, line 7, column 5: near …", or
 * the error's message when it is not about one statement of a file. */
char *
lh_cli_migration_error_text (const GError *error)
{
  const char *file, *cause;
  guint statement, line, column;

  if (!lh_migrations_error_get_location (error, &file, &statement, &line, &column) ||
      statement == 0 || line == 0)
    return g_strdup (error->message);
  cause = lh_migrations_error_get_reason (error);
  if (column == 0)
    return g_strdup_printf (_("%s, statement %u, line %u: %s"), file, statement, line, cause);
  return g_strdup_printf (_("%s, statement %u, line %u, column %u: %s"), file, statement, line,
                          column, cause);
}

/* "error": null, or {"file", "statement", "line", "column", "message"}, each null when
 * unknown; "message" is the database's own for a statement it refused. */
static void
add_migration_error (JsonBuilder  *builder,
                     const GError *error)
{
  const char *file = NULL;
  guint statement = 0, line = 0, column = 0;

  json_builder_set_member_name (builder, "error");
  if (error == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  lh_migrations_error_get_location (error, &file, &statement, &line, &column);
  json_builder_begin_object (builder);
  add_string_or_null (builder, "file", file);
  add_count_or_null (builder, "statement", statement);
  add_count_or_null (builder, "line", line);
  add_count_or_null (builder, "column", column);
  add_string_or_null (builder, "message", lh_migrations_error_get_reason (error) != NULL
                                          ? lh_migrations_error_get_reason (error)
                                          : error->message);
  json_builder_end_object (builder);
}

static void
add_strings (JsonBuilder *builder,
             const char  *member,
             GPtrArray   *strings)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < strings->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (strings, i));
  json_builder_end_array (builder);
}

/* {"applied": [file names], "error": null | {…}} */
char *
lh_cli_applied_json (GPtrArray    *applied,
                     const GError *error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_strings (builder, "applied", applied);
  add_migration_error (builder, error);
  json_builder_end_object (builder);
  return builder_to_json (builder);
}

/* {"applied": [file names, on the copy], "changes": [lines] | null, "error": null | {…}};
 * changes is an array of LhSchemaChange, NULL after a failure. */
char *
lh_cli_rehearsed_json (GPtrArray    *applied,
                       GPtrArray    *changes,
                       const GError *error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_strings (builder, "applied", applied);
  json_builder_set_member_name (builder, "changes");
  if (changes == NULL)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_array (builder);
      for (guint i = 0; i < changes->len; i++)
        {
          g_autofree char *line = lh_schema_change_describe (g_ptr_array_index (changes, i));

          json_builder_add_string_value (builder, line);
        }
      json_builder_end_array (builder);
    }
  add_migration_error (builder, error);
  json_builder_end_object (builder);
  return builder_to_json (builder);
}

/* {"path": path} */
char *
lh_cli_path_json (const char *path)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_path (builder, "path", path);
  json_builder_end_object (builder);
  return builder_to_json (builder);
}

/* Backups */

/* Local time in ISO 8601 with its offset, "2026-12-04T14:15:30+01:00": it sorts as text, and
 * date(1) and scripts read it back. */
char *
lh_cli_format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

/* "41.0 kB", with a plain space where g_format_size() puts a no-break one, so that awk and
 * cut see two fields. */
char *
lh_cli_format_size (guint64 size)
{
  g_autofree char *text = g_format_size (size);
  g_auto(GStrv) parts = g_strsplit (text, "\xc2\xa0", -1);

  return g_strjoinv (" ", parts);
}

typedef enum
{
  BACKUP_COLUMN_ID,
  BACKUP_COLUMN_TIME,
  BACKUP_COLUMN_KIND,
  BACKUP_COLUMN_GZIP,
  BACKUP_COLUMN_SIZE,
  BACKUP_COLUMN_VERIFIED,
  BACKUP_COLUMN_NOTE,
  N_BACKUP_COLUMNS
} BackupColumn;

static gboolean
is_safety (LhBackup *backup)
{
  return (lh_backup_get_flags (backup) & LH_BACKUP_SAFETY) != 0;
}

/* The note, or NULL when there is none (an empty one included). */
static const char *
backup_note (LhBackup *backup)
{
  const char *note = lh_backup_get_note (backup);

  return note != NULL && *note != '\0' ? note : NULL;
}

/* "safety" marks a backup a restore took of the database it replaced, "branch: NAME" a
 * branch. */
static char *
note_cell (LhBackup *backup)
{
  if (lh_backup_get_branch_name (backup) != NULL)
    {
      g_autofree char *name = lh_cli_escape (lh_backup_get_branch_name (backup));

      /* TRANSLATORS: a branch's note in `litehouse-cli backup list` */
      return g_strdup_printf (_("branch: %s"), name);
    }
  g_autofree char *note = backup_note (backup) != NULL ? lh_cli_escape (backup_note (backup))
                                                       : NULL;

  if (!is_safety (backup))
    return note != NULL ? g_steal_pointer (&note) : g_strdup ("");
  if (note == NULL)
    return g_strdup (_("safety"));
  /* TRANSLATORS: a safety backup's note in `litehouse-cli backup list` */
  return g_strdup_printf (_("safety: %s"), note);
}

static void
fill_backup_cells (GPtrArray *cells,
                   LhBackup  *backup)
{
  GDateTime *verified = lh_backup_get_verified_at (backup);

  g_ptr_array_add (cells, g_strdup_printf ("%" G_GINT64_FORMAT, lh_backup_get_id (backup)));
  g_ptr_array_add (cells, lh_cli_format_time (lh_backup_get_created_at (backup)));
  g_ptr_array_add (cells, g_strdup (lh_backup_get_kind (backup) == LH_BACKUP_DUMP ? _("dump")
                                    : lh_backup_get_kind (backup) == LH_BACKUP_COMPACT
                                    ? _("compact") : _("exact")));
  g_ptr_array_add (cells, g_strdup ((lh_backup_get_flags (backup) & LH_BACKUP_GZIP) != 0
                                    ? _("yes") : _("no")));
  g_ptr_array_add (cells, lh_cli_format_size (lh_backup_get_size (backup)));
  g_ptr_array_add (cells, verified != NULL ? lh_cli_format_time (verified) : g_strdup (_("no")));
  g_ptr_array_add (cells, note_cell (backup));
}

/* One line of N_BACKUP_COLUMNS cells, two spaces apart, without trailing blanks. */
static void
append_backup_row (GString     *out,
                   char       **cells,
                   const gsize *widths)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint c = 0; c < N_BACKUP_COLUMNS; c++)
    {
      gboolean right = c == BACKUP_COLUMN_ID || c == BACKUP_COLUMN_SIZE;

      if (c > 0)
        g_string_append (line, "  ");
      append_padded (line, cells[c], c + 1 < N_BACKUP_COLUMNS ? widths[c] : 0, right);
    }
  while (line->len > 0 && line->str[line->len - 1] == ' ')
    g_string_truncate (line, line->len - 1);
  g_string_append_c (line, '\n');
  g_string_append (out, line->str);
}

/* A header, one line per backup as the model has them (newest first): id, local time,
 * kind, gzip, size, when last verified, and the note, "safety" for a safety backup; then
 * how many there are and their size. */
void
lh_cli_print_backups (GString    *out,
                      GListModel *backups)
{
  const char *header[N_BACKUP_COLUMNS] = {
    _("id"), _("time"), _("kind"), _("gzip"), _("size"), _("verified"), _("note"),
  };
  guint n = g_list_model_get_n_items (backups);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  gsize widths[N_BACKUP_COLUMNS] = { 0 };
  g_autofree char *total_size = NULL;
  guint64 total = 0;

  for (guint c = 0; c < N_BACKUP_COLUMNS; c++)
    g_ptr_array_add (cells, g_strdup (header[c]));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (backups, i);

      fill_backup_cells (cells, backup);
      total += lh_backup_get_size (backup);
    }
  for (guint i = 0; i < cells->len; i++)
    widths[i % N_BACKUP_COLUMNS] = MAX (widths[i % N_BACKUP_COLUMNS],
                                        (gsize) g_utf8_strlen (g_ptr_array_index (cells, i), -1));

  if (n > 0)
    for (guint row = 0; row <= n; row++)   /* the header, then each backup */
      append_backup_row (out, (char **) cells->pdata + row * N_BACKUP_COLUMNS, widths);

  total_size = lh_cli_format_size (total);
  g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%u backup, %s\n",
                                            "%u backups, %s\n", n), n, total_size);
}

static void
add_time_or_null (JsonBuilder *builder,
                  const char  *member,
                  GDateTime   *time)
{
  g_autofree char *text = time != NULL ? lh_cli_format_time (time) : NULL;

  add_string_or_null (builder, member, text);
}

static void
add_backup (JsonBuilder *builder,
            LhBackup    *backup)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, lh_backup_get_id (backup));
  add_path (builder, "path", lh_backup_get_path (backup));
  add_time_or_null (builder, "created_at", lh_backup_get_created_at (backup));
  add_string_or_null (builder, "kind",
                      lh_backup_get_kind (backup) == LH_BACKUP_DUMP ? "dump"
                      : lh_backup_get_kind (backup) == LH_BACKUP_COMPACT ? "compact" : "exact");
  json_builder_set_member_name (builder, "gzip");
  json_builder_add_boolean_value (builder, (lh_backup_get_flags (backup) & LH_BACKUP_GZIP) != 0);
  json_builder_set_member_name (builder, "safety");
  json_builder_add_boolean_value (builder, is_safety (backup));
  add_string_or_null (builder, "branch", lh_backup_get_branch_name (backup));
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, (gint64) lh_backup_get_size (backup));
  add_time_or_null (builder, "verified_at", lh_backup_get_verified_at (backup));
  add_string_or_null (builder, "note", backup_note (backup));
  json_builder_end_object (builder);
}

/* {"id", "path", "created_at", "kind": "exact" | "compact", "gzip", "safety", "size" (bytes),
 * "verified_at" (null: never), "note" (null: none)}, times as lh_cli_format_time() writes
 * them. */
char *
lh_cli_backup_json (LhBackup *backup)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  add_backup (builder, backup);
  return builder_to_json (builder);
}

/* {"database": path, "backups": [backup, newest first]} */
char *
lh_cli_backups_json (const char *database,
                     GListModel *backups)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_path (builder, "database", database);
  json_builder_set_member_name (builder, "backups");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (backups); i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (backups, i);

      add_backup (builder, backup);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return builder_to_json (builder);
}
