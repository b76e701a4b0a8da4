/* lh-page-cache.h — what the table and query pagers share about their caches of pages:
 * a hash table of page structs that each start with an LhCachedPage, the least recently
 * used of them dropped past a bound. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 last_used;
} LhCachedPage;

void lh_page_cache_evict (GHashTable *pages,
                          guint       max_pages);

G_END_DECLS
