/* test-row-format.c — rows written as TSV and CSV read back field for field by an RFC 4180
 * reader, with NULL apart from empty text; JSON parsed back by json-glib with every value
 * of its type and no column lost to a duplicate name; SQL INSERT statements run on a real
 * database, hostile names included, giving back the very same values and types. */
#include "config.h"

#include <float.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "lh-row-format.h"
#include "lh-test-util.h"

typedef struct
{
  const char * const *names;
  guint               n_columns;
  GPtrArray          *rows;
} Table;

static Table *
table_new (const char * const *names)
{
  Table *table = g_new0 (Table, 1);

  table->names = names;
  table->n_columns = g_strv_length ((char **) names);
  table->rows = g_ptr_array_new ();
  return table;
}

static void
table_free (Table *table)
{
  for (guint r = 0; r < table->rows->len; r++)
    {
      LhValue *values = g_ptr_array_index (table->rows, r);

      for (guint c = 0; c < table->n_columns; c++)
        lh_value_clear (&values[c]);
      g_free (values);
    }
  g_ptr_array_unref (table->rows);
  g_free (table);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_free)

/* Takes one new LhValue per column. They are moved rather than copied, since
 * lh_value_init_copy() copies text with g_strndup(), which stops at a NUL. */
static void
table_add_row (Table *table,
               ...)
{
  LhValue *values = g_new (LhValue, table->n_columns);
  va_list args;

  va_start (args, table);
  for (guint c = 0; c < table->n_columns; c++)
    {
      LhValue *value = va_arg (args, LhValue *);

      values[c] = *value;
      g_free (value);
    }
  va_end (args);
  g_ptr_array_add (table->rows, values);
}

static char *
table_format (Table       *table,
              LhRowFormat  format,
              const char  *table_name,
              gboolean     header)
{
  char *text = lh_row_format_rows (format, table_name, table->names, table->n_columns,
                                   table->rows, header);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  return text;
}

static LhValue *
null (void)
{
  return lh_value_new_null ();
}

static LhValue *
integer (gint64 value)
{
  return lh_value_new_integer (value);
}

static LhValue *
real (double value)
{
  return lh_value_new_real (value);
}

static LhValue *
text (const char *value)
{
  return lh_value_new_text (value, -1);
}

/* Put together by hand: lh_value_new_text() copies with g_strndup(), which stops at a NUL. */
static LhValue *
text_len (const char *value,
          gsize       length)
{
  LhValue *text = lh_value_new_text ("", 0);

  g_free (text->v.text.data);
  text->v.text.data = g_malloc (length + 1);
  memcpy (text->v.text.data, value, length);
  text->v.text.data[length] = '\0';
  text->v.text.length = length;
  return text;
}

static LhValue *
blob (const char *data,
      gsize       size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);

  return lh_value_new_blob (bytes);
}

/* The rows as a spreadsheet reads them (RFC 4180): a quoted field may hold the separator,
 * line breaks and doubled quotes. An empty field not in quotes is NULL, as PostgreSQL
 * reads CSV, so that the test sees NULL and empty text apart. */
static GPtrArray *
parse_delimited (const char *text,
                 char        separator,
                 const char *line_end)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  gsize line_end_length = strlen (line_end);
  const char *p = text;

  while (*p != '\0')
    {
      GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);

      for (;;)
        {
          GString *field = g_string_new (NULL);
          gboolean quoted = *p == '"';

          if (quoted)
            {
              for (p++; !(*p == '"' && p[1] != '"'); p++)
                {
                  g_assert_cmpint (*p, !=, '\0');
                  if (*p == '"')
                    p++;
                  g_string_append_c (field, *p);
                }
              p++;
            }
          else
            while (*p != separator && strncmp (p, line_end, line_end_length) != 0)
              {
                g_assert_cmpint (*p, !=, '\0');
                g_string_append_c (field, *p++);
              }
          g_ptr_array_add (fields, g_string_free (field, !quoted && field->len == 0));

          if (*p != separator)
            break;
          p++;
        }
      g_assert_cmpint (strncmp (p, line_end, line_end_length), ==, 0);
      p += line_end_length;
      g_ptr_array_add (rows, fields);
    }
  return rows;
}

static void
assert_fields (GPtrArray          *fields,
               const char * const *expected,
               guint               n_expected)
{
  g_assert_cmpuint (fields->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpstr (g_ptr_array_index (fields, i), ==, expected[i]);
}

static const char * const people_columns[] = { "id", "name", "note", NULL };

static Table *
people_new (void)
{
  Table *table = table_new (people_columns);

  table_add_row (table, integer (1), text ("plain"), null ());
  table_add_row (table, integer (-42), text (""), text ("NULL"));
  table_add_row (table, integer (G_MAXINT64), text ("tab\there"), text ("say \"hi\""));
  table_add_row (table, real (0.1), text ("line\nbreak"), text ("crlf\r\n"));
  table_add_row (table, real (1e300), text ("héllo 🌍"), text ("comma, fine"));
  table_add_row (table, real (12.0), blob ("\0\xff\0", 3), real (-2.5));
  table_add_row (table, integer (G_MININT64), text (" padded "), text ("\"quoted\""));
  return table;
}

static void
test_tsv (void)
{
  g_autoptr(Table) table = people_new ();
  g_autofree char *with_header = table_format (table, LH_ROW_FORMAT_TSV, NULL, TRUE);
  g_autofree char *without_header = table_format (table, LH_ROW_FORMAT_TSV, NULL, FALSE);
  const char *rows =
    "1\tplain\t\n"
    "-42\t\tNULL\n"
    "9223372036854775807\t\"tab\there\"\t\"say \"\"hi\"\"\"\n"
    "0.1\t\"line\nbreak\"\t\"crlf\r\n\"\n"
    "1e+300\théllo 🌍\tcomma, fine\n"
    "12.0\tAP8A\t-2.5\n"
    "-9223372036854775808\t padded \t\"\"\"quoted\"\"\"\n";
  g_autofree char *expected = g_strconcat ("id\tname\tnote\n", rows, NULL);
  g_autoptr(GPtrArray) parsed = parse_delimited (with_header, '\t', "\n");

  g_assert_cmpstr (with_header, ==, expected);
  g_assert_cmpstr (without_header, ==, rows);

  /* A spreadsheet gets every text back whole; NULL and empty text are both empty cells. */
  g_assert_cmpuint (parsed->len, ==, 8);
  assert_fields (parsed->pdata[0], people_columns, 3);
  assert_fields (parsed->pdata[1], (const char *[]) { "1", "plain", NULL }, 3);
  assert_fields (parsed->pdata[2], (const char *[]) { "-42", NULL, "NULL" }, 3);
  assert_fields (parsed->pdata[3], (const char *[]) { "9223372036854775807", "tab\there",
                                                      "say \"hi\"" }, 3);
  assert_fields (parsed->pdata[4], (const char *[]) { "0.1", "line\nbreak", "crlf\r\n" }, 3);
  assert_fields (parsed->pdata[7], (const char *[]) { "-9223372036854775808", " padded ",
                                                      "\"quoted\"" }, 3);
}

static void
test_csv (void)
{
  g_autoptr(Table) table = people_new ();
  g_autofree char *with_header = table_format (table, LH_ROW_FORMAT_CSV, NULL, TRUE);
  g_autofree char *without_header = table_format (table, LH_ROW_FORMAT_CSV, NULL, FALSE);
  const char *rows =
    "1,plain,\r\n"
    "-42,\"\",NULL\r\n"
    "9223372036854775807,tab\there,\"say \"\"hi\"\"\"\r\n"
    "0.1,\"line\nbreak\",\"crlf\r\n\"\r\n"
    "1e+300,héllo 🌍,\"comma, fine\"\r\n"
    "12.0,AP8A,-2.5\r\n"
    "-9223372036854775808,\" padded \",\"\"\"quoted\"\"\"\r\n";
  g_autofree char *expected = g_strconcat ("id,name,note\r\n", rows, NULL);
  g_autoptr(GPtrArray) parsed = parse_delimited (with_header, ',', "\r\n");

  g_assert_cmpstr (with_header, ==, expected);
  g_assert_cmpstr (without_header, ==, rows);

  /* Empty text is quoted, so that it reads back apart from NULL. */
  g_assert_cmpuint (parsed->len, ==, 8);
  assert_fields (parsed->pdata[0], people_columns, 3);
  assert_fields (parsed->pdata[1], (const char *[]) { "1", "plain", NULL }, 3);
  assert_fields (parsed->pdata[2], (const char *[]) { "-42", "", "NULL" }, 3);
  assert_fields (parsed->pdata[3], (const char *[]) { "9223372036854775807", "tab\there",
                                                      "say \"hi\"" }, 3);
  assert_fields (parsed->pdata[4], (const char *[]) { "0.1", "line\nbreak", "crlf\r\n" }, 3);
  assert_fields (parsed->pdata[5], (const char *[]) { "1e+300", "héllo 🌍", "comma, fine" }, 3);
  assert_fields (parsed->pdata[7], (const char *[]) { "-9223372036854775808", " padded ",
                                                      "\"quoted\"" }, 3);
}

static void
test_delimited_hostile_names (void)
{
  static const char * const columns[] = { "a,b", "say \"x\"", "tab\tbed", "", NULL };
  g_autoptr(Table) table = table_new (columns);
  g_autofree char *tsv = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(GPtrArray) parsed = NULL;

  table_add_row (table, integer (1), integer (2), integer (3), integer (4));
  tsv = table_format (table, LH_ROW_FORMAT_TSV, NULL, TRUE);
  csv = table_format (table, LH_ROW_FORMAT_CSV, NULL, TRUE);

  g_assert_cmpstr (tsv, ==, "a,b\t\"say \"\"x\"\"\"\t\"tab\tbed\"\t\n1\t2\t3\t4\n");
  g_assert_cmpstr (csv, ==, "\"a,b\",\"say \"\"x\"\"\",tab\tbed,\"\"\r\n1,2,3,4\r\n");
  parsed = parse_delimited (csv, ',', "\r\n");
  assert_fields (parsed->pdata[0], columns, 4);
}

/* Reals as short as they can be while reading back the same; infinities as SQLite writes
 * them as text; NaN, which SQLite stores as NULL, as an empty field. */
static void
test_delimited_numbers (void)
{
  static const char * const columns[] = { "x", NULL };
  g_autoptr(Table) table = table_new (columns);
  g_autofree char *tsv = NULL;

  table_add_row (table, real (1.0 / 3.0));
  table_add_row (table, real (0.1 + 0.2));
  table_add_row (table, real (-0.0));
  table_add_row (table, real (1e16));
  table_add_row (table, real (INFINITY));
  table_add_row (table, real (-INFINITY));
  table_add_row (table, real (NAN));
  table_add_row (table, integer (0));
  tsv = table_format (table, LH_ROW_FORMAT_TSV, NULL, FALSE);

  g_assert_cmpstr (tsv, ==, "0.3333333333333333\n0.30000000000000004\n-0.0\n1e+16\n"
                            "Inf\n-Inf\n\n0\n");
}

/* Bytes that are not UTF-8 and NUL, which no text field can carry, become U+FFFD; blobs,
 * the empty one too, are base64. */
static void
test_delimited_invalid_text (void)
{
  static const char * const columns[] = { "t", "b", NULL };
  g_autoptr(Table) table = table_new (columns);
  g_autofree char *tsv = NULL;
  g_autofree char *csv = NULL;

  table_add_row (table, text_len ("a\0b", 3), blob ("", 0));
  table_add_row (table, text ("bad \xff\xfe end"), blob ("hello", 5));
  tsv = table_format (table, LH_ROW_FORMAT_TSV, NULL, FALSE);
  csv = table_format (table, LH_ROW_FORMAT_CSV, NULL, FALSE);

  g_assert_cmpstr (tsv, ==, "a\xef\xbf\xbd" "b\t\nbad \xef\xbf\xbd\xef\xbf\xbd end\taGVsbG8=\n");
  g_assert_cmpstr (csv, ==, "a\xef\xbf\xbd" "b,\"\"\r\nbad \xef\xbf\xbd\xef\xbf\xbd end,"
                            "aGVsbG8=\r\n");
}

static JsonArray *
parse_json (JsonParser *parser,
            const char *json)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (JSON_NODE_TYPE (json_parser_get_root (parser)), ==, JSON_NODE_ARRAY);
  return json_node_get_array (json_parser_get_root (parser));
}

static void
assert_json_members (JsonObject         *object,
                     const char * const *expected)
{
  GList *members = json_object_get_members (object);
  guint i = 0;

  for (GList *l = members; l != NULL; l = l->next, i++)
    g_assert_cmpstr (l->data, ==, expected[i]);
  g_assert_null (expected[i]);
  g_list_free (members);
}

static void
test_json_layout (void)
{
  static const char * const columns[] = { "id", "name", "score", NULL };
  g_autoptr(Table) table = table_new (columns);
  g_autoptr(Table) empty = table_new (columns);
  g_autofree char *json = NULL;
  g_autofree char *json_no_header = NULL;
  g_autofree char *none = NULL;

  table_add_row (table, integer (1), text ("Ada"), real (0.1));
  table_add_row (table, integer (2), null (), real (12.0));
  json = table_format (table, LH_ROW_FORMAT_JSON, NULL, TRUE);
  json_no_header = table_format (table, LH_ROW_FORMAT_JSON, NULL, FALSE);
  none = table_format (empty, LH_ROW_FORMAT_JSON, NULL, TRUE);

  g_assert_cmpstr (json, ==,
                   "[\n"
                   "  {\n"
                   "    \"id\": 1,\n"
                   "    \"name\": \"Ada\",\n"
                   "    \"score\": 0.1\n"
                   "  },\n"
                   "  {\n"
                   "    \"id\": 2,\n"
                   "    \"name\": null,\n"
                   "    \"score\": 12.0\n"
                   "  }\n"
                   "]\n");
  g_assert_cmpstr (json_no_header, ==, json);
  g_assert_cmpstr (none, ==, "[]\n");
}

static void
test_json_values (void)
{
  g_autoptr(Table) table = people_new ();
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *array;
  JsonObject *object;

  table_add_row (table, real (INFINITY), real (NAN), text ("\xff\x01\x1f\\ /"));
  table_add_row (table, real (1.0 / 3.0), text_len ("a\0b", 3), blob ("", 0));
  json = table_format (table, LH_ROW_FORMAT_JSON, NULL, TRUE);
  array = parse_json (parser, json);
  g_assert_cmpuint (json_array_get_length (array), ==, 9);

  object = json_array_get_object_element (array, 0);
  assert_json_members (object, people_columns);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "id")), ==,
                   G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (object, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "plain");
  g_assert_true (json_object_get_null_member (object, "note"));

  object = json_array_get_object_element (array, 1);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (object, "note"), ==, "NULL");

  object = json_array_get_object_element (array, 2);
  g_assert_cmpint (json_object_get_int_member (object, "id"), ==, G_MAXINT64);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "tab\there");
  g_assert_cmpstr (json_object_get_string_member (object, "note"), ==, "say \"hi\"");

  object = json_array_get_object_element (array, 3);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "id")), ==,
                   G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_object_get_double_member (object, "id"), ==, 0.1);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "line\nbreak");
  g_assert_cmpstr (json_object_get_string_member (object, "note"), ==, "crlf\r\n");

  object = json_array_get_object_element (array, 4);
  g_assert_cmpfloat (json_object_get_double_member (object, "id"), ==, 1e300);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "héllo 🌍");

  /* 12.0 stays a real, and a blob is its bytes in base64. */
  object = json_array_get_object_element (array, 5);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "id")), ==,
                   G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_object_get_double_member (object, "id"), ==, 12.0);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "AP8A");
  g_assert_cmpfloat (json_object_get_double_member (object, "note"), ==, -2.5);

  object = json_array_get_object_element (array, 6);
  g_assert_cmpint (json_object_get_int_member (object, "id"), ==, G_MININT64);

  /* JSON has no infinity or NaN; text that is not UTF-8 is repaired, control characters
   * are escaped. */
  object = json_array_get_object_element (array, 7);
  g_assert_true (json_object_get_null_member (object, "id"));
  g_assert_true (json_object_get_null_member (object, "name"));
  g_assert_cmpstr (json_object_get_string_member (object, "note"), ==,
                   "\xef\xbf\xbd\x01\x1f\\ /");

  /* 1/3 comes back as the same double; a NUL inside text survives as \u0000. */
  object = json_array_get_object_element (array, 8);
  g_assert_cmpfloat (json_object_get_double_member (object, "id"), ==, 1.0 / 3.0);
  g_assert_nonnull (strstr (json, "\"name\": \"a\\u0000b\""));
  g_assert_cmpstr (json_object_get_string_member (object, "note"), ==, "");
}

/* SELECT a.name, b.name: the second "name" must not overwrite the first, and a suffix
 * must not take the name of a real column. */
static void
test_json_duplicate_columns (void)
{
  static const char * const columns[] = { "id", "name", "name", "name_2", "name", "", "", NULL };
  g_autoptr(Table) table = table_new (columns);
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  table_add_row (table, integer (1), text ("first"), text ("second"), text ("real name_2"),
                 text ("third"), integer (5), integer (6));
  json = table_format (table, LH_ROW_FORMAT_JSON, NULL, TRUE);
  object = json_array_get_object_element (parse_json (parser, json), 0);

  assert_json_members (object, (const char *[]) { "id", "name", "name_3", "name_2", "name_4",
                                                  "", "_2", NULL });
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "first");
  g_assert_cmpstr (json_object_get_string_member (object, "name_3"), ==, "second");
  g_assert_cmpstr (json_object_get_string_member (object, "name_2"), ==, "real name_2");
  g_assert_cmpstr (json_object_get_string_member (object, "name_4"), ==, "third");
  g_assert_cmpint (json_object_get_int_member (object, ""), ==, 5);
  g_assert_cmpint (json_object_get_int_member (object, "_2"), ==, 6);
}

static void
test_json_hostile_names (void)
{
  static const char * const columns[] = { "say \"hi\"", "back\\slash", "new\nline", NULL };
  g_autoptr(Table) table = table_new (columns);
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  table_add_row (table, integer (1), integer (2), integer (3));
  json = table_format (table, LH_ROW_FORMAT_JSON, NULL, TRUE);
  object = json_array_get_object_element (parse_json (parser, json), 0);

  assert_json_members (object, columns);
  g_assert_cmpint (json_object_get_int_member (object, "new\nline"), ==, 3);
}

static void
assert_literal (LhValue    *value,
                const char *expected)
{
  g_autoptr(LhValue) owned = value;
  g_autofree char *literal = lh_value_to_sql_literal (owned);

  g_assert_cmpstr (literal, ==, expected);
}

static void
test_sql_literal (void)
{
  assert_literal (null (), "NULL");
  assert_literal (integer (42), "42");
  assert_literal (integer (-42), "-42");
  assert_literal (integer (G_MININT64), "-9223372036854775808");
  assert_literal (real (1.5), "1.5");
  assert_literal (real (12.0), "12.0");
  assert_literal (real (0.1), "0.1");
  assert_literal (real (1e300), "1e+300");
  assert_literal (real (-0.0), "-0.0");
  assert_literal (real (INFINITY), "9e999");
  assert_literal (real (-INFINITY), "-9e999");
  assert_literal (real (NAN), "NULL");
  assert_literal (text ("it's"), "'it''s'");
  assert_literal (text (""), "''");
  assert_literal (text ("NULL"), "'NULL'");
  assert_literal (text ("two\nlines"), "'two\nlines'");
  assert_literal (text_len ("a\0b", 3), "CAST(X'610062' AS TEXT)");
  assert_literal (text ("\xff\xfe"), "CAST(X'FFFE' AS TEXT)");
  assert_literal (blob ("\0\xff", 2), "X'00FF'");
  assert_literal (blob ("", 0), "X''");
}

static void
test_sql_statements (void)
{
  static const char * const columns[] = { "id", "a\"b", "\"; DROP TABLE x; --", NULL };
  g_autoptr(Table) table = table_new (columns);
  g_autoptr(Table) empty = table_new (columns);
  g_autofree char *hostile = NULL;
  g_autofree char *unnamed = NULL;
  g_autofree char *none = NULL;

  table_add_row (table, integer (1), text ("it's"), null ());
  table_add_row (table, real (2.5), blob ("\x01", 1), text ("x');\nDROP TABLE x; --"));
  hostile = table_format (table, LH_ROW_FORMAT_SQL, "\"; DROP TABLE x; --", TRUE);
  unnamed = table_format (table, LH_ROW_FORMAT_SQL, NULL, FALSE);
  none = table_format (empty, LH_ROW_FORMAT_SQL, "t", TRUE);

  g_assert_cmpstr (hostile, ==,
                   "INSERT INTO \"\"\"; DROP TABLE x; --\" (\"id\", \"a\"\"b\", "
                   "\"\"\"; DROP TABLE x; --\") VALUES (1, 'it''s', NULL);\n"
                   "INSERT INTO \"\"\"; DROP TABLE x; --\" (\"id\", \"a\"\"b\", "
                   "\"\"\"; DROP TABLE x; --\") VALUES (2.5, X'01', 'x'');\nDROP TABLE x; --');\n");
  g_assert_true (g_str_has_prefix (unnamed, "INSERT INTO \"results\" (\"id\", "));
  g_assert_cmpstr (none, ==, "");
}

typedef struct
{
  char              *dir;
  LhLocalConnection *connection;
} Fixture;

#define HOSTILE_TABLE "\"; DROP TABLE x; --"
#define HOSTILE_COLUMN "va\"l'; --ue"

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *table = lh_sql_quote_identifier (HOSTILE_TABLE);
  g_autofree char *column = lh_sql_quote_identifier (HOSTILE_COLUMN);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;

  fixture->dir = lh_test_make_dir ();
  path = g_build_filename (fixture->dir, "rows.db", NULL);
  /* No declared types, so that no column affinity converts what the INSERTs give. */
  sql = g_strdup_printf ("CREATE TABLE x (keep); INSERT INTO x VALUES (1);"
                         "CREATE TABLE %s (\"row id\", %s);", table, column);
  lh_test_make_db (path, sql);
  fixture->connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->connection);
  lh_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
}

/* The bytes of a text or blob as SQLite's hex() spells them. */
static char *
hex_of (const LhValue *value)
{
  const guint8 *data;
  gsize size;
  GString *hex = g_string_new (NULL);

  if (value->kind == LH_VALUE_TEXT)
    {
      data = (const guint8 *) value->v.text.data;
      size = value->v.text.length;
    }
  else
    data = g_bytes_get_data (value->v.blob, &size);
  for (gsize i = 0; i < size; i++)
    g_string_append_printf (hex, "%02X", data[i]);
  return g_string_free (hex, FALSE);
}

/* Text and blobs are compared as SQLite stores them, through hex(), because reading a
 * text back into an LhValue copies it with g_strndup(), which stops at a NUL. Reals are
 * compared bit for bit, so that -0.0 is not 0.0. */
static void
assert_stored_value (LhResultSet   *result,
                     guint          row,
                     const LhValue *expected)
{
  const LhValue *got = lh_result_set_get_value (result, row, 1);

  g_assert_cmpstr (lh_result_set_get_value (result, row, 0)->v.text.data, ==,
                   lh_value_get_kind_name (expected));
  switch (expected->kind)
    {
    case LH_VALUE_NULL:
      break;
    case LH_VALUE_INTEGER:
      g_assert_cmpint (got->v.integer, ==, expected->v.integer);
      break;
    case LH_VALUE_REAL:
      g_assert_cmpmem (&got->v.real, sizeof (double), &expected->v.real, sizeof (double));
      break;
    case LH_VALUE_TEXT:
    case LH_VALUE_BLOB:
      {
        g_autofree char *hex = hex_of (expected);

        g_assert_cmpstr (lh_result_set_get_value (result, row, 2)->v.text.data, ==, hex);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* What SQLite stores from the INSERTs is what was written out: the same values of the same
 * types, byte for byte, whatever the names of the table and its columns. */
static void
test_sql_round_trip (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char * const columns[] = { "row id", HOSTILE_COLUMN, NULL };
  LhConnection *connection = LH_CONNECTION (fixture->connection);
  g_autoptr(Table) table = table_new (columns);
  g_autofree char *sql = NULL;
  g_autofree char *query = NULL;
  g_autofree char *quoted_table = lh_sql_quote_identifier (HOSTILE_TABLE);
  g_autofree char *quoted_column = lh_sql_quote_identifier (HOSTILE_COLUMN);
  g_autoptr(GPtrArray) statements = NULL;
  g_autoptr(LhResultSet) result = NULL;
  g_autoptr(LhResultSet) kept = NULL;
  g_autoptr(GError) error = NULL;
  guint8 all_bytes[256];
  LhValue *values[] = {
    null (), text (""), text ("NULL"), integer (0), integer (-1), integer (G_MININT64),
    integer (G_MAXINT64), real (0.1), real (-0.1), real (1e300), real (12.0), real (-0.0),
    real (1.0 / 3.0), real (DBL_MAX), real (DBL_MIN), real (5e-324), real (INFINITY),
    real (-INFINITY), text ("it's"), text ("line\nbreak\r\n"), text ("tab\there"),
    text ("héllo 🌍"), text (HOSTILE_TABLE), text ("x');\nDROP TABLE x; --"),
    text_len ("a\0b", 3), text ("bad \xff\xfe"), blob ("\0\xff\0", 3), blob ("", 0),
  };

  for (guint i = 0; i < G_N_ELEMENTS (all_bytes); i++)
    all_bytes[i] = i;
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    table_add_row (table, integer (i), values[i]);
  table_add_row (table, integer (G_N_ELEMENTS (values)), blob ((char *) all_bytes, 256));

  sql = table_format (table, LH_ROW_FORMAT_SQL, HOSTILE_TABLE, TRUE);
  statements = lh_test_run_script (connection, sql, NULL);
  g_assert_cmpuint (statements->len, ==, table->rows->len);
  for (guint i = 0; i < statements->len; i++)
    {
      LhStatementResult *statement = g_ptr_array_index (statements, i);

      g_assert_no_error (statement->error);
      g_assert_cmpint (lh_result_set_get_changes (statement->result), ==, 1);
    }

  query = g_strdup_printf ("SELECT typeof(%s), %s, hex(%s) FROM %s ORDER BY \"row id\"",
                           quoted_column, quoted_column, quoted_column, quoted_table);
  result = lh_test_execute (connection, query, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lh_result_set_get_n_rows (result), ==, table->rows->len);
  for (guint r = 0; r < table->rows->len; r++)
    {
      const LhValue *expected = &((const LhValue *) g_ptr_array_index (table->rows, r))[1];

      g_test_message ("row %u: %s", r, lh_value_get_kind_name (expected));
      assert_stored_value (result, r, expected);
    }

  kept = lh_test_execute (connection, "SELECT keep FROM x", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lh_result_set_get_n_rows (kept), ==, 1);
}

/* NaN has no SQL literal; SQLite would store it as NULL, and so does the INSERT. */
static void
test_sql_nan (Fixture       *fixture,
              gconstpointer  data)
{
  static const char * const columns[] = { "row id", HOSTILE_COLUMN, NULL };
  LhConnection *connection = LH_CONNECTION (fixture->connection);
  g_autoptr(Table) table = table_new (columns);
  g_autofree char *sql = NULL;
  g_autofree char *quoted_table = lh_sql_quote_identifier (HOSTILE_TABLE);
  g_autofree char *quoted_column = lh_sql_quote_identifier (HOSTILE_COLUMN);
  g_autofree char *query = g_strdup_printf ("SELECT typeof(%s) FROM %s", quoted_column,
                                            quoted_table);
  g_autoptr(GPtrArray) statements = NULL;
  g_autoptr(LhResultSet) result = NULL;
  g_autoptr(GError) error = NULL;

  table_add_row (table, integer (1), real (NAN));
  sql = table_format (table, LH_ROW_FORMAT_SQL, HOSTILE_TABLE, TRUE);
  statements = lh_test_run_script (connection, sql, NULL);
  g_assert_cmpuint (statements->len, ==, 1);
  g_assert_no_error (((LhStatementResult *) g_ptr_array_index (statements, 0))->error);

  result = lh_test_execute (connection, query, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lh_result_set_get_value (result, 0, 0)->v.text.data, ==, "null");
}

static void
test_mime_types (void)
{
  g_assert_cmpstr (lh_row_format_get_mime_type (LH_ROW_FORMAT_TSV), ==,
                   "text/tab-separated-values");
  g_assert_cmpstr (lh_row_format_get_mime_type (LH_ROW_FORMAT_CSV), ==, "text/csv");
  g_assert_cmpstr (lh_row_format_get_mime_type (LH_ROW_FORMAT_JSON), ==, "application/json");
  g_assert_cmpstr (lh_row_format_get_mime_type (LH_ROW_FORMAT_SQL), ==, "application/sql");
  g_assert_cmpstr (lh_row_format_get_extension (LH_ROW_FORMAT_TSV), ==, "tsv");
  g_assert_cmpstr (lh_row_format_get_extension (LH_ROW_FORMAT_CSV), ==, "csv");
  g_assert_cmpstr (lh_row_format_get_extension (LH_ROW_FORMAT_JSON), ==, "json");
  g_assert_cmpstr (lh_row_format_get_extension (LH_ROW_FORMAT_SQL), ==, "sql");
}

static void
test_header_only (void)
{
  g_autoptr(Table) empty = table_new (people_columns);
  g_autofree char *tsv = table_format (empty, LH_ROW_FORMAT_TSV, NULL, TRUE);
  g_autofree char *csv = table_format (empty, LH_ROW_FORMAT_CSV, NULL, TRUE);
  g_autofree char *bare = table_format (empty, LH_ROW_FORMAT_CSV, NULL, FALSE);

  g_assert_cmpstr (tsv, ==, "id\tname\tnote\n");
  g_assert_cmpstr (csv, ==, "id,name,note\r\n");
  g_assert_cmpstr (bare, ==, "");
}

/* Rows written a batch at a time (an export of a paged result) give the same text as
 * all of them at once, in every format, with and without rows. */
static void
test_writer_batches (void)
{
  g_autoptr(Table) people = people_new ();
  g_autoptr(Table) empty = table_new (people_columns);

  for (LhRowFormat format = LH_ROW_FORMAT_TSV; format <= LH_ROW_FORMAT_SQL; format++)
    for (guint t = 0; t < 2; t++)
      {
        Table *table = t == 0 ? people : empty;
        g_autofree char *whole = table_format (table, format, "people", TRUE);
        g_autoptr(LhRowWriter) writer = lh_row_writer_new (format, "people", table->names,
                                                           table->n_columns, TRUE);
        g_autoptr(GString) out = g_string_new (NULL);
        g_autoptr(GPtrArray) batch = g_ptr_array_new ();

        for (guint r = 0; r < table->rows->len; r++)
          {
            g_ptr_array_add (batch, g_ptr_array_index (table->rows, r));
            /* Batches of two, with an empty one after the first. */
            if (batch->len == 2 || r + 1 == table->rows->len)
              {
                lh_row_writer_add (writer, out, batch);
                g_ptr_array_set_size (batch, 0);
                if (r == 1)
                  lh_row_writer_add (writer, out, batch);
              }
          }
        lh_row_writer_finish (writer, out);
        g_assert_cmpstr (out->str, ==, whole);
      }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/row-format/writer-batches", test_writer_batches);

  g_test_add_func ("/row-format/tsv", test_tsv);
  g_test_add_func ("/row-format/csv", test_csv);
  g_test_add_func ("/row-format/delimited-hostile-names", test_delimited_hostile_names);
  g_test_add_func ("/row-format/delimited-numbers", test_delimited_numbers);
  g_test_add_func ("/row-format/delimited-invalid-text", test_delimited_invalid_text);
  g_test_add_func ("/row-format/header-only", test_header_only);
  g_test_add_func ("/row-format/json-layout", test_json_layout);
  g_test_add_func ("/row-format/json-values", test_json_values);
  g_test_add_func ("/row-format/json-duplicate-columns", test_json_duplicate_columns);
  g_test_add_func ("/row-format/json-hostile-names", test_json_hostile_names);
  g_test_add_func ("/row-format/sql-literal", test_sql_literal);
  g_test_add_func ("/row-format/sql-statements", test_sql_statements);
  g_test_add ("/row-format/sql-round-trip", Fixture, NULL, fixture_set_up, test_sql_round_trip,
              fixture_tear_down);
  g_test_add ("/row-format/sql-nan", Fixture, NULL, fixture_set_up, test_sql_nan,
              fixture_tear_down);
  g_test_add_func ("/row-format/mime-types", test_mime_types);

  return g_test_run ();
}
