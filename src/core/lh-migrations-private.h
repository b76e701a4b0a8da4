/* lh-migrations-private.h — what lh-migration-rehearsal.c needs of LhMigrations: its
 * copies keep their checksums in a throwaway catalog, never in Litehouse's own. */
#pragma once

#include "lh-migrations.h"

G_BEGIN_DECLS

void lh_migrations_set_catalog_path (LhMigrations *self,
                                     const char   *path);

G_END_DECLS
