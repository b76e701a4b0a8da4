/* lh-value.h — one SQLite value (null, integer, real, text or blob), as it travels
 * between a connection, a result set and the widgets that show it. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  LH_VALUE_NULL,
  LH_VALUE_INTEGER,
  LH_VALUE_REAL,
  LH_VALUE_TEXT,
  LH_VALUE_BLOB,
} LhValueKind;

/* A column's type affinity, from its declared type by SQLite's rules. */
typedef enum
{
  LH_AFFINITY_BLOB,
  LH_AFFINITY_TEXT,
  LH_AFFINITY_NUMERIC,
  LH_AFFINITY_INTEGER,
  LH_AFFINITY_REAL,
} LhAffinity;

typedef struct _LhValue LhValue;

struct _LhValue
{
  LhValueKind kind;
  union {
    gint64   integer;
    double   real;
    struct {
      char  *data;
      gsize  length;
    } text;
    GBytes  *blob;
  } v;
};

#define LH_TYPE_VALUE (lh_value_get_type ())

GType        lh_value_get_type          (void) G_GNUC_CONST;
LhValue     *lh_value_new_null          (void);
LhValue     *lh_value_new_integer       (gint64         integer);
LhValue     *lh_value_new_real          (double         real);
LhValue     *lh_value_new_text          (const char    *text,
                                         gssize         length);
LhValue     *lh_value_new_blob          (GBytes        *blob);
char        *lh_value_dup_text_bytes    (const char    *text,
                                         gsize          length);
LhValue     *lh_value_new_from_input    (const char    *text,
                                         const char    *declared_type);
LhValue     *lh_value_copy              (const LhValue *self);
void         lh_value_free              (LhValue       *self);
void         lh_value_init_copy         (LhValue       *dest,
                                         const LhValue *src);
void         lh_value_clear             (LhValue       *self);
LhValueKind  lh_value_get_kind          (const LhValue *self);
const char  *lh_value_get_kind_name     (const LhValue *self);
char        *lh_value_to_display_string (const LhValue *self,
                                         gsize          max_chars);
gboolean     lh_value_equal             (const LhValue *a,
                                         const LhValue *b);
LhAffinity   lh_affinity_from_type      (const char    *declared_type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhValue, lh_value_free)

G_END_DECLS
