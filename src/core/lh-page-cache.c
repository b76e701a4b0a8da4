/* lh-page-cache.c — dropping the least recently used pages of a pager's cache. */
#include "config.h"

#include "lh-page-cache.h"

/* Removes the pages used longest ago until max_pages are left; their values' destroy
 * function frees them. */
void
lh_page_cache_evict (GHashTable *pages,
                     guint       max_pages)
{
  while (g_hash_table_size (pages) > max_pages)
    {
      GHashTableIter iter;
      gpointer key, value;
      gpointer oldest_key = NULL;
      guint64 oldest = G_MAXUINT64;

      g_hash_table_iter_init (&iter, pages);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (((LhCachedPage *) value)->last_used < oldest)
          {
            oldest = ((LhCachedPage *) value)->last_used;
            oldest_key = key;
          }
      g_hash_table_remove (pages, oldest_key);
    }
}
