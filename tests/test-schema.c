/* test-schema.c — LhSchema lists tables, views, indexes and triggers by kind and name,
 * hostile names included, and leaves SQLite's internal objects out. */
#include "config.h"

#include "lh-test-util.h"

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_load (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "schema.db", NULL);
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *objects;
  const char *expected[][2] = {
    { "table", "\"; DROP TABLE x; --" },
    { "table", "order items" },
    { "table", "users" },
    { "view", "active users" },
    { "index", "users_by_email" },
    { "trigger", "users_touch" },
  };

  lh_test_make_db (path,
                   "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT UNIQUE);"
                   "CREATE TABLE \"order items\" (id INTEGER PRIMARY KEY, user_id INTEGER"
                   " REFERENCES users (id));"
                   "CREATE TABLE \"\"\"; DROP TABLE x; --\" (a);"
                   "CREATE VIEW \"active users\" AS SELECT * FROM users;"
                   "CREATE INDEX users_by_email ON users (email);"
                   "CREATE TRIGGER users_touch AFTER INSERT ON users BEGIN SELECT 1; END;"
                   "INSERT INTO users (email) VALUES ('a@example.org');");
  connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_no_error (error);

  lh_schema_load_async (LH_CONNECTION (connection), NULL, load_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  schema = lh_schema_load_finish (result, &error);
  g_assert_no_error (error);

  objects = lh_schema_get_objects (schema);
  g_assert_cmpuint (g_list_model_get_n_items (objects), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(LhSchemaObject) object = g_list_model_get_item (objects, i);
      static const char * const kinds[] = { "table", "view", "virtual table", "index", "trigger" };

      g_assert_cmpstr (kinds[lh_schema_object_get_kind (object)], ==, expected[i][0]);
      g_assert_cmpstr (lh_schema_object_get_name (object), ==, expected[i][1]);
    }
  g_assert_cmpuint (lh_schema_count (schema, LH_SCHEMA_OBJECT_TABLE), ==, 3);
  g_assert_cmpuint (lh_schema_count (schema, LH_SCHEMA_OBJECT_VIEW), ==, 1);
  g_assert_cmpuint (lh_schema_count (schema, LH_SCHEMA_OBJECT_INDEX), ==, 1);
  g_assert_cmpuint (lh_schema_count (schema, LH_SCHEMA_OBJECT_TRIGGER), ==, 1);

  g_clear_object (&connection);
  lh_test_remove_dir (dir);
}

static LhSchemaColumn *
column_at (LhSchemaObject *object,
           guint           index)
{
  g_autoptr(LhSchemaColumn) column = g_list_model_get_item (lh_schema_object_get_columns (object), index);

  g_assert_nonnull (column);
  return column;
}

/* Columns with their types, keys, defaults and generated flags; foreign keys, composite
 * included; WITHOUT ROWID and virtual tables; a table whose columns take every name of
 * the rowid; indexes and triggers of a table. */
static void
test_details (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "details.db", NULL);
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autoptr(LhSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) indexes = NULL;
  g_autoptr(GListModel) triggers = NULL;
  g_auto(GStrv) key = NULL;
  g_autofree char *rowid = NULL;
  LhSchemaObject *object;
  LhSchemaColumn *column;
  LhSchemaForeignKey *fk;

  lh_test_make_db (path,
                   "CREATE TABLE teams (id INTEGER PRIMARY KEY, org TEXT, slug TEXT,"
                   "  UNIQUE (org, slug));"
                   "CREATE TABLE members (team_org TEXT NOT NULL DEFAULT 'acme', team_slug TEXT,"
                   "  user_id INTEGER REFERENCES users ON DELETE CASCADE,"
                   "  shout TEXT GENERATED ALWAYS AS (upper(team_slug)) STORED,"
                   "  FOREIGN KEY (team_org, team_slug) REFERENCES teams (org, slug),"
                   "  PRIMARY KEY (team_slug, user_id)) WITHOUT ROWID;"
                   "CREATE TABLE odd (rowid TEXT, _rowid_ TEXT, oid TEXT, \"quote\"\"d\" INT);"
                   "CREATE VIRTUAL TABLE docs USING fts5 (body);"
                   "CREATE INDEX members_by_user ON members (user_id);"
                   "CREATE TRIGGER members_touch AFTER UPDATE ON members BEGIN SELECT 1; END;");
  connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_no_error (error);
  schema = lh_test_load_schema (LH_CONNECTION (connection));

  object = lh_schema_lookup (schema, "MEMBERS");
  g_assert_nonnull (object);
  g_assert_true (lh_schema_object_get_without_rowid (object));
  g_assert_null (lh_schema_object_dup_rowid_name (object));
  key = lh_schema_object_dup_primary_key (object);
  g_assert_cmpstrv (key, ((const char * const []) { "team_slug", "user_id", NULL }));
  g_assert_cmpuint (g_list_model_get_n_items (lh_schema_object_get_columns (object)), ==, 4);
  column = column_at (object, 0);
  g_assert_cmpstr (lh_schema_column_get_name (column), ==, "team_org");
  g_assert_cmpstr (lh_schema_column_get_declared_type (column), ==, "TEXT");
  g_assert_true (lh_schema_column_get_not_null (column));
  g_assert_cmpstr (lh_schema_column_get_default (column), ==, "'acme'");
  g_assert_cmpuint (lh_schema_column_get_primary_key (column_at (object, 2)), ==, 2);
  g_assert_cmpint (lh_schema_column_get_hidden (column_at (object, 3)), ==, LH_COLUMN_GENERATED_STORED);

  g_assert_cmpuint (g_list_model_get_n_items (lh_schema_object_get_foreign_keys (object)), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      fk = g_list_model_get_item (lh_schema_object_get_foreign_keys (object), i);
      if (g_str_equal (lh_schema_foreign_key_get_table (fk), "teams"))
        {
          g_assert_cmpuint (lh_schema_foreign_key_get_n_columns (fk), ==, 2);
          g_assert_cmpstr (lh_schema_foreign_key_get_from (fk, 1), ==, "team_slug");
          g_assert_cmpstr (lh_schema_foreign_key_get_to (fk, 1), ==, "slug");
        }
      else
        {
          g_assert_cmpstr (lh_schema_foreign_key_get_table (fk), ==, "users");
          g_assert_null (lh_schema_foreign_key_get_to (fk, 0));
          g_assert_cmpstr (lh_schema_foreign_key_get_on_delete (fk), ==, "CASCADE");
        }
      g_object_unref (fk);
    }

  indexes = lh_schema_dup_related (schema, object, LH_SCHEMA_OBJECT_INDEX);
  triggers = lh_schema_dup_related (schema, object, LH_SCHEMA_OBJECT_TRIGGER);
  g_assert_cmpuint (g_list_model_get_n_items (indexes), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (triggers), ==, 1);

  object = lh_schema_lookup (schema, "teams");
  rowid = lh_schema_object_dup_rowid_name (object);
  g_assert_cmpstr (rowid, ==, "rowid");
  g_clear_pointer (&rowid, g_free);
  object = lh_schema_lookup (schema, "odd");
  rowid = lh_schema_object_dup_rowid_name (object);
  g_assert_null (rowid);
  g_assert_cmpstr (lh_schema_column_get_name (column_at (object, 3)), ==, "quote\"d");

  object = lh_schema_lookup (schema, "docs");
  g_assert_cmpint (lh_schema_object_get_kind (object), ==, LH_SCHEMA_OBJECT_VIRTUAL_TABLE);
  g_assert_cmpint (lh_schema_column_get_hidden (column_at (object, 1)), ==, LH_COLUMN_HIDDEN);
  g_assert_cmpuint (lh_schema_count (schema, LH_SCHEMA_OBJECT_VIRTUAL_TABLE), ==, 1);

  g_clear_object (&connection);
  lh_test_remove_dir (dir);
}

/* An attached database, under a name that needs quoting, is read too: its objects are
 * found by database and name, a pager reads its rows and an edit set writes into its file. */
static void
test_attached (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "main.db", NULL);
  g_autofree char *other = g_build_filename (dir, "other.db", NULL);
  g_autofree char *attach = NULL;
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autoptr(LhSchema) schema = NULL;
  g_autoptr(LhResultSet) result = NULL;
  g_autoptr(LhTablePager) pager = NULL;
  g_autoptr(LhEditSet) edits = NULL;
  g_autoptr(LhPagerRow) row = NULL;
  g_autoptr(LhValue) value = lh_value_new_text ("changed", -1);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  LhSchemaObject *object;

  lh_test_make_db (path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);");
  lh_test_make_db (other, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, main_id INTEGER"
                          " REFERENCES notes);"
                          "CREATE INDEX notes_body ON notes (body);"
                          "INSERT INTO notes VALUES (1, 'archived', NULL), (2, 'old', 1);");
  connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_no_error (error);
  attach = g_strdup_printf ("ATTACH '%s' AS \"ar\"\"ch @NAME@ive\"", other);
  result = lh_test_execute (LH_CONNECTION (connection), attach, NULL, NULL, &error);
  g_assert_no_error (error);

  schema = lh_test_load_schema (LH_CONNECTION (connection));
  g_assert_cmpuint (lh_schema_get_n_databases (schema), ==, 2);
  g_assert_cmpstr (lh_schema_get_database (schema, 1), ==, "ar\"ch @NAME@ive");
  g_assert_cmpuint (lh_schema_count (schema, LH_SCHEMA_OBJECT_TABLE), ==, 1);
  object = lh_schema_lookup_in (schema, "ar\"ch @NAME@ive", "notes");
  g_assert_nonnull (object);
  g_assert_true (object != lh_schema_lookup (schema, "notes"));
  g_assert_cmpuint (g_list_model_get_n_items (lh_schema_object_get_columns (object)), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (lh_schema_object_get_foreign_keys (object)), ==, 1);
  {
    g_autofree char *qualified = lh_schema_object_dup_qualified_name (object);
    g_autoptr(GListModel) indexes = lh_schema_dup_related (schema, object, LH_SCHEMA_OBJECT_INDEX);

    g_assert_cmpstr (qualified, ==, "\"ar\"\"ch @NAME@ive\".\"notes\"");
    g_assert_cmpuint (g_list_model_get_n_items (indexes), ==, 1);
  }

  pager = lh_table_pager_new (LH_CONNECTION (connection), object);
  lh_table_pager_apply (pager);
  lh_test_pager_wait (pager);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pager)), ==, 2);
  row = lh_test_pager_row (pager, 1);
  edits = lh_edit_set_new (pager);
  lh_edit_set_set_value (edits, row, 1, value);
  g_assert_true (lh_test_apply_edits (edits, &error));
  g_assert_no_error (error);
  g_clear_object (&connection);

  after = lh_test_query_text (other, "SELECT body FROM notes ORDER BY id");
  g_assert_cmpstr (after, ==, "archived\nchanged\n");
  g_clear_pointer (&after, g_free);
  after = lh_test_query_text (path, "SELECT count(*) FROM notes");
  g_assert_cmpstr (after, ==, "0\n");
  lh_test_remove_dir (dir);
}

/* Triggers have a namespace of their own: one named like its table hides nothing. */
static void
test_trigger_named_like_table (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "t.db", NULL);
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autoptr(LhSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  LhSchemaObject *table;

  lh_test_make_db (path, "CREATE TABLE t (k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
                         "CREATE TRIGGER t AFTER INSERT ON t BEGIN SELECT 1; END;");
  connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_no_error (error);
  schema = lh_test_load_schema (LH_CONNECTION (connection));
  table = lh_schema_lookup (schema, "t");
  g_assert_cmpint (lh_schema_object_get_kind (table), ==, LH_SCHEMA_OBJECT_TABLE);
  g_assert_true (lh_schema_object_get_without_rowid (table));
  g_assert_cmpuint (g_list_model_get_n_items (lh_schema_object_get_columns (table)), ==, 2);
  g_assert_cmpuint (lh_schema_count (schema, LH_SCHEMA_OBJECT_TRIGGER), ==, 1);
  g_clear_object (&connection);
  lh_test_remove_dir (dir);
}

/* D1's own tables (_cf_KV in wrangler's local files, on D1 itself) are not the user's. */
static void
test_d1_internal_tables (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "d1.sqlite", NULL);
  g_autoptr(LhLocalConnection) connection = NULL;
  g_autoptr(LhSchema) schema = NULL;
  g_autoptr(GError) error = NULL;

  lh_test_make_db (path, "CREATE TABLE _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID;"
                         "CREATE TABLE _cf_METADATA (key INTEGER PRIMARY KEY, value BLOB);"
                         "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                         "CREATE TABLE cf_ok (x);");
  connection = lh_test_open (path, LH_LOCAL_OPEN_NONE, 200, &error);
  g_assert_no_error (error);
  schema = lh_test_load_schema (LH_CONNECTION (connection));
  g_assert_cmpuint (lh_schema_count (schema, LH_SCHEMA_OBJECT_TABLE), ==, 2);
  g_assert_null (lh_schema_lookup (schema, "_cf_KV"));
  g_assert_nonnull (lh_schema_lookup (schema, "notes"));
  g_assert_nonnull (lh_schema_lookup (schema, "cf_ok"));
  g_clear_object (&connection);
  lh_test_remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/schema/load", test_load);
  g_test_add_func ("/schema/details", test_details);
  g_test_add_func ("/schema/attached", test_attached);
  g_test_add_func ("/schema/trigger-named-like-table", test_trigger_named_like_table);
  g_test_add_func ("/schema/d1-internal-tables", test_d1_internal_tables);
  return g_test_run ();
}
