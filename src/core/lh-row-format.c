/* lh-row-format.c — the text forms of rows of LhValue. TSV and CSV are what spreadsheets
 * read back: a field is quoted CSV-style only when it must be, NULL is an empty field and a
 * blob is base64. JSON is an array of objects whose values keep their SQLite type. SQL is
 * INSERT statements whose literals give SQLite back the very same values and types. All of
 * it is valid UTF-8: text that is not is repaired, except in SQL, where it is written in
 * hex so that its bytes survive. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "lh-row-format.h"
#include "lh-script.h"

static const struct
{
  const char *mime_type;
  const char *extension;
} format_info[] = {
  [LH_ROW_FORMAT_TSV] = { "text/tab-separated-values", "tsv" },
  [LH_ROW_FORMAT_CSV] = { "text/csv", "csv" },
  [LH_ROW_FORMAT_JSON] = { "application/json", "json" },
  [LH_ROW_FORMAT_SQL] = { "application/sql", "sql" },
};

/* The shortest text that reads back as the same double, with ".0" so that a whole number
 * still reads as a real. Not lh_value_to_display_string(): what is exported must not change
 * when the display does. Finite values only. */
static void
append_real (GString *out,
             double   real)
{
  static const char * const formats[] = { "%.15g", "%.16g", "%.17g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], real);
      if (g_ascii_strtod (buf, NULL) == real)
        break;
    }
  g_string_append (out, buf);
  if (strpbrk (buf, ".e") == NULL)
    g_string_append (out, ".0");
}

static void
append_hex (GString      *out,
            const guint8 *data,
            gsize         size)
{
  static const char digits[] = "0123456789ABCDEF";

  for (gsize i = 0; i < size; i++)
    {
      g_string_append_c (out, digits[data[i] >> 4]);
      g_string_append_c (out, digits[data[i] & 0xf]);
    }
}

static char *
blob_to_base64 (GBytes *blob)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (blob, &size);

  return g_base64_encode (data, size);
}

/* Whether a field must be quoted for a reader to get it back whole. CSV also quotes an
 * empty text, so that it differs from NULL as in PostgreSQL's CSV, and spaces at either
 * end, which some readers trim. */
static gboolean
needs_quotes (const char  *text,
              LhRowFormat  format)
{
  gsize length = strlen (text);

  if (format == LH_ROW_FORMAT_TSV)
    return strpbrk (text, "\t\"\r\n") != NULL;

  return length == 0
         || g_ascii_isspace (text[0])
         || g_ascii_isspace (text[length - 1])
         || strpbrk (text, ",\"\r\n") != NULL;
}

static void
append_field (GString     *out,
              const char  *text,
              LhRowFormat  format)
{
  if (!needs_quotes (text, format))
    {
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* NULL, and NaN which SQLite stores as NULL, are an empty field; infinities are written as
 * SQLite itself turns them into text. Blobs are base64, the densest form a cell holds as
 * plain text. A NUL in text becomes U+FFFD, as bytes that are not UTF-8 do, since no text
 * field can carry it. */
static void
append_delimited_value (GString       *out,
                        const LhValue *value,
                        LhRowFormat    format)
{
  switch (value->kind)
    {
    case LH_VALUE_NULL:
      break;
    case LH_VALUE_INTEGER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->v.integer);
      break;
    case LH_VALUE_REAL:
      if (isinf (value->v.real))
        g_string_append (out, value->v.real > 0 ? "Inf" : "-Inf");
      else if (!isnan (value->v.real))
        append_real (out, value->v.real);
      break;
    case LH_VALUE_TEXT:
      {
        g_autofree char *text = g_utf8_make_valid (value->v.text.data, value->v.text.length);

        append_field (out, text, format);
      }
      break;
    case LH_VALUE_BLOB:
      {
        g_autofree char *encoded = blob_to_base64 (value->v.blob);

        append_field (out, encoded, format);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* CSV lines end as RFC 4180 says, TSV lines as text on the clipboard does; the last line
 * ends like the others, as in Excel's own copies. */
static void
append_delimited_header (GString            *out,
                         LhRowFormat         format,
                         const char * const *column_names,
                         guint               n_columns)
{
  char separator = format == LH_ROW_FORMAT_CSV ? ',' : '\t';

  for (guint c = 0; c < n_columns; c++)
    {
      g_autofree char *name = g_utf8_make_valid (column_names[c], -1);

      if (c > 0)
        g_string_append_c (out, separator);
      append_field (out, name, format);
    }
  g_string_append (out, format == LH_ROW_FORMAT_CSV ? "\r\n" : "\n");
}

static void
append_delimited_rows (GString     *out,
                       LhRowFormat  format,
                       guint        n_columns,
                       GPtrArray   *rows)
{
  char separator = format == LH_ROW_FORMAT_CSV ? ',' : '\t';
  const char *line_end = format == LH_ROW_FORMAT_CSV ? "\r\n" : "\n";

  for (guint r = 0; r < rows->len; r++)
    {
      const LhValue *values = g_ptr_array_index (rows, r);

      for (guint c = 0; c < n_columns; c++)
        {
          if (c > 0)
            g_string_append_c (out, separator);
          append_delimited_value (out, &values[c], format);
        }
      g_string_append (out, line_end);
    }
}

/* json-glib escapes the strings, but the rest of the JSON is written here: the generator of
 * json-glib 1.6 prints 0.1 as 0.10000000000000001 and a member as "a" : 1, and a string
 * node ends at a NUL byte, which JSON can carry as \u0000. */
static void
append_json_piece (GString       *out,
                   JsonGenerator *generator,
                   const char    *text,
                   gsize          length)
{
  g_autofree char *valid = g_utf8_make_valid (text, length);
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), valid);
  g_autofree char *quoted = NULL;
  gsize quoted_length;

  json_generator_set_root (generator, node);
  quoted = json_generator_to_data (generator, &quoted_length);
  g_string_append_len (out, quoted + 1, quoted_length - 2);
}

static void
append_json_string (GString       *out,
                    JsonGenerator *generator,
                    const char    *text,
                    gsize          length)
{
  const char *end = text + length;
  const char *nul;

  g_string_append_c (out, '"');
  while ((nul = memchr (text, '\0', end - text)) != NULL)
    {
      append_json_piece (out, generator, text, nul - text);
      g_string_append (out, "\\u0000");
      text = nul + 1;
    }
  append_json_piece (out, generator, text, end - text);
  g_string_append_c (out, '"');
}

/* JSON has no infinity or NaN, so those are null; blobs are base64 strings. */
static void
append_json_value (GString       *out,
                   JsonGenerator *generator,
                   const LhValue *value)
{
  switch (value->kind)
    {
    case LH_VALUE_NULL:
      g_string_append (out, "null");
      break;
    case LH_VALUE_INTEGER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->v.integer);
      break;
    case LH_VALUE_REAL:
      if (isfinite (value->v.real))
        append_real (out, value->v.real);
      else
        g_string_append (out, "null");
      break;
    case LH_VALUE_TEXT:
      append_json_string (out, generator, value->v.text.data, value->v.text.length);
      break;
    case LH_VALUE_BLOB:
      {
        g_autofree char *encoded = blob_to_base64 (value->v.blob);

        g_string_append_printf (out, "\"%s\"", encoded);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The first "name_N" (N from 2) that no column is called and no other key took; the
 * returned string belongs to taken. */
static const char *
take_suffixed_key (GHashTable *taken,
                   const char *name)
{
  for (guint n = 2;; n++)
    {
      char *key = g_strdup_printf ("%s_%u", name, n);

      if (!g_hash_table_contains (taken, key))
        {
          g_hash_table_add (taken, key);
          return key;
        }
      g_free (key);
    }
}

/* The quoted member names of the row objects. A name seen again (SELECT a.id, b.id) gets a
 * suffix rather than overwriting the first value; a suffix never takes the name of a real
 * column, so that every column keeps its own name. */
static GPtrArray *
json_keys (const char * const *column_names,
           guint               n_columns,
           JsonGenerator      *generator)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);

  for (guint c = 0; c < n_columns; c++)
    {
      char *name = g_utf8_make_valid (column_names[c], -1);

      g_ptr_array_add (names, name);
      g_hash_table_add (taken, g_strdup (name));
    }

  for (guint c = 0; c < n_columns; c++)
    {
      const char *name = g_ptr_array_index (names, c);
      const char *key = g_hash_table_add (seen, (gpointer) name) ? name
                                                                 : take_suffixed_key (taken, name);
      GString *quoted = g_string_new (NULL);

      append_json_string (quoted, generator, key, strlen (key));
      g_ptr_array_add (keys, g_string_free (quoted, FALSE));
    }
  return keys;
}

/* Laid out as JSON.stringify (rows, null, 2) does, with a final line break; first tells
 * whether these are the array's first rows. */
static void
append_json_rows (GString       *out,
                  JsonGenerator *generator,
                  GPtrArray     *keys,
                  GPtrArray     *rows,
                  gboolean       first)
{
  for (guint r = 0; r < rows->len; r++)
    {
      const LhValue *values = g_ptr_array_index (rows, r);

      g_string_append (out, r == 0 && first ? "\n  {" : ",\n  {");
      for (guint c = 0; c < keys->len; c++)
        {
          g_string_append (out, c == 0 ? "\n    " : ",\n    ");
          g_string_append (out, g_ptr_array_index (keys, c));
          g_string_append (out, ": ");
          append_json_value (out, generator, &values[c]);
        }
      g_string_append (out, "\n  }");
    }
}

/* Text that is not UTF-8, or holds a NUL that would end a quoted literal, is written in hex
 * so that SQLite stores exactly its bytes (in a UTF-8 database, as nearly all are). */
static void
append_sql_text (GString    *out,
                 const char *text,
                 gsize       length)
{
  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_string_append (out, "CAST(X'");
      append_hex (out, (const guint8 *) text, length);
      g_string_append (out, "' AS TEXT)");
      return;
    }

  g_string_append_c (out, '\'');
  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '\'')
        g_string_append_c (out, '\'');
      g_string_append_c (out, text[i]);
    }
  g_string_append_c (out, '\'');
}

/* SQLite has no literal for infinity but reads one too large as it, as its own .dump
 * relies on; NaN it stores as NULL. */
static void
append_sql_literal (GString       *out,
                    const LhValue *value)
{
  switch (value->kind)
    {
    case LH_VALUE_NULL:
      g_string_append (out, "NULL");
      break;
    case LH_VALUE_INTEGER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->v.integer);
      break;
    case LH_VALUE_REAL:
      if (isnan (value->v.real))
        g_string_append (out, "NULL");
      else if (isinf (value->v.real))
        g_string_append (out, value->v.real > 0 ? "9e999" : "-9e999");
      else
        append_real (out, value->v.real);
      break;
    case LH_VALUE_TEXT:
      append_sql_text (out, value->v.text.data, value->v.text.length);
      break;
    case LH_VALUE_BLOB:
      {
        gsize size;
        const guint8 *data = g_bytes_get_data (value->v.blob, &size);

        g_string_append (out, "X'");
        append_hex (out, data, size);
        g_string_append_c (out, '\'');
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static GString *
sql_insert_prefix (const char         *table_name,
                   const char * const *column_names,
                   guint               n_columns)
{
  g_autofree char *table = g_utf8_make_valid (table_name != NULL ? table_name : "results", -1);
  GString *prefix = g_string_new ("INSERT INTO ");

  lh_sql_append_identifier (prefix, table);
  g_string_append (prefix, " (");
  for (guint c = 0; c < n_columns; c++)
    {
      g_autofree char *name = g_utf8_make_valid (column_names[c], -1);

      if (c > 0)
        g_string_append (prefix, ", ");
      lh_sql_append_identifier (prefix, name);
    }
  g_string_append (prefix, ") VALUES (");
  return prefix;
}

static void
append_sql_rows (GString   *out,
                 GString   *prefix,
                 guint      n_columns,
                 GPtrArray *rows)
{
  for (guint r = 0; r < rows->len; r++)
    {
      const LhValue *values = g_ptr_array_index (rows, r);

      g_string_append_len (out, prefix->str, prefix->len);
      for (guint c = 0; c < n_columns; c++)
        {
          if (c > 0)
            g_string_append (out, ", ");
          append_sql_literal (out, &values[c]);
        }
      g_string_append (out, ");\n");
    }
}

struct _LhRowWriter
{
  LhRowFormat    format;
  guint          n_columns;
  GStrv          column_names;
  gboolean       header;
  gboolean       started;
  gboolean       any_rows;
  JsonGenerator *generator;
  GPtrArray     *keys;      /* JSON's quoted member names */
  GString       *prefix;    /* SQL's INSERT INTO t (…) VALUES ( */
};

/* Writes rows in format a batch at a time (see lh_row_format_rows() for the arguments),
 * for results too big to hold as one text. */
LhRowWriter *
lh_row_writer_new (LhRowFormat         format,
                   const char         *table_name,
                   const char * const *column_names,
                   guint               n_columns,
                   gboolean            header)
{
  LhRowWriter *self;

  g_return_val_if_fail (column_names != NULL, NULL);
  g_return_val_if_fail (n_columns > 0, NULL);
  g_return_val_if_fail ((guint) format <= LH_ROW_FORMAT_SQL, NULL);

  self = g_new0 (LhRowWriter, 1);
  self->format = format;
  self->n_columns = n_columns;
  self->column_names = g_new0 (char *, n_columns + 1);
  for (guint c = 0; c < n_columns; c++)
    self->column_names[c] = g_strdup (column_names[c]);
  self->header = header;
  if (format == LH_ROW_FORMAT_JSON)
    {
      self->generator = json_generator_new ();
      self->keys = json_keys (column_names, n_columns, self->generator);
    }
  else if (format == LH_ROW_FORMAT_SQL)
    self->prefix = sql_insert_prefix (table_name, column_names, n_columns);
  return self;
}

static void
writer_start (LhRowWriter *self,
              GString     *out)
{
  if (self->started)
    return;
  self->started = TRUE;
  if (self->format == LH_ROW_FORMAT_JSON)
    g_string_append_c (out, '[');
  else if (self->header && self->format != LH_ROW_FORMAT_SQL)
    append_delimited_header (out, self->format, (const char * const *) self->column_names,
                             self->n_columns);
}

/* Appends the text of rows (pointers to their values) to out. */
void
lh_row_writer_add (LhRowWriter *self,
                   GString     *out,
                   GPtrArray   *rows)
{
  g_return_if_fail (self != NULL && out != NULL && rows != NULL);

  writer_start (self, out);
  switch (self->format)
    {
    case LH_ROW_FORMAT_TSV:
    case LH_ROW_FORMAT_CSV:
      append_delimited_rows (out, self->format, self->n_columns, rows);
      break;
    case LH_ROW_FORMAT_JSON:
      append_json_rows (out, self->generator, self->keys, rows, !self->any_rows);
      break;
    case LH_ROW_FORMAT_SQL:
      append_sql_rows (out, self->prefix, self->n_columns, rows);
      break;
    default:
      g_return_if_reached ();
    }
  self->any_rows = self->any_rows || rows->len > 0;
}

/* Appends what comes after the last row (JSON's closing bracket). */
void
lh_row_writer_finish (LhRowWriter *self,
                      GString     *out)
{
  g_return_if_fail (self != NULL && out != NULL);

  writer_start (self, out);
  if (self->format == LH_ROW_FORMAT_JSON)
    g_string_append (out, self->any_rows ? "\n]\n" : "]\n");
}

void
lh_row_writer_free (LhRowWriter *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->column_names);
  g_clear_object (&self->generator);
  g_clear_pointer (&self->keys, g_ptr_array_unref);
  if (self->prefix != NULL)
    g_string_free (self->prefix, TRUE);
  g_free (self);
}

/**
 * lh_row_format_rows:
 * @format: the text form to write
 * @table_name: (nullable): the one table (a name, not schema.table) SQL inserts into;
 *   "results" when %NULL; the other formats ignore it
 * @column_names: the @n_columns column names, in order
 * @n_columns: how many columns each row has, at least one
 * @rows: (element-type LhValue): for each row, a pointer to its @n_columns values
 * @header: whether TSV and CSV start with a line of column names; JSON and SQL always
 *   name the columns
 *
 * Returns: (transfer full): the rows as valid UTF-8 text, every row's line ending with a
 *   line break (the JSON array with one after its closing bracket)
 */
char *
lh_row_format_rows (LhRowFormat         format,
                    const char         *table_name,
                    const char * const *column_names,
                    guint               n_columns,
                    GPtrArray          *rows,
                    gboolean            header)
{
  LhRowWriter *writer;
  GString *out;

  g_return_val_if_fail (column_names != NULL, NULL);
  g_return_val_if_fail (n_columns > 0, NULL);
  g_return_val_if_fail (rows != NULL, NULL);

  writer = lh_row_writer_new (format, table_name, column_names, n_columns, header);
  g_return_val_if_fail (writer != NULL, NULL);
  out = g_string_new (NULL);
  lh_row_writer_add (writer, out, rows);
  lh_row_writer_finish (writer, out);
  lh_row_writer_free (writer);
  return g_string_free (out, FALSE);
}

const char *
lh_row_format_get_mime_type (LhRowFormat format)
{
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (format_info), NULL);

  return format_info[format].mime_type;
}

/* The file name extension, without the dot. */
const char *
lh_row_format_get_extension (LhRowFormat format)
{
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (format_info), NULL);

  return format_info[format].extension;
}

/* The SQL literal SQLite reads back as the same value of the same type: NULL, 42, 1.5,
 * 12.0, 'it''s', X'00FF'. */
char *
lh_value_to_sql_literal (const LhValue *value)
{
  GString *out;

  g_return_val_if_fail (value != NULL, NULL);

  out = g_string_new (NULL);
  append_sql_literal (out, value);
  return g_string_free (out, FALSE);
}
