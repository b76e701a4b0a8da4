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
      static const char * const kinds[] = { "table", "view", "index", "trigger" };

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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/schema/load", test_load);
  return g_test_run ();
}
