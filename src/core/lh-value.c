/* lh-value.c — LhValue: construction, copying and the text a grid or a terminal shows
 * for each kind of SQLite value. */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "lh-value.h"

G_DEFINE_BOXED_TYPE (LhValue, lh_value, lh_value_copy, lh_value_free)

static LhValue *
lh_value_new (LhValueKind kind)
{
  LhValue *self = g_new0 (LhValue, 1);

  self->kind = kind;
  return self;
}

LhValue *
lh_value_new_null (void)
{
  return lh_value_new (LH_VALUE_NULL);
}

LhValue *
lh_value_new_integer (gint64 integer)
{
  LhValue *self = lh_value_new (LH_VALUE_INTEGER);

  self->v.integer = integer;
  return self;
}

LhValue *
lh_value_new_real (double real)
{
  LhValue *self = lh_value_new (LH_VALUE_REAL);

  self->v.real = real;
  return self;
}

/* length bytes of text and a terminating NUL: text may hold NULs of its own. */
char *
lh_value_dup_text_bytes (const char *text,
                         gsize       length)
{
  char *copy = g_malloc (length + 1);

  memcpy (copy, text, length);
  copy[length] = '\0';
  return copy;
}

LhValue *
lh_value_new_text (const char *text,
                   gssize      length)
{
  LhValue *self = lh_value_new (LH_VALUE_TEXT);

  if (length < 0)
    length = strlen (text);
  self->v.text.data = lh_value_dup_text_bytes (text, length);
  self->v.text.length = length;
  return self;
}

LhValue *
lh_value_new_blob (GBytes *blob)
{
  LhValue *self = lh_value_new (LH_VALUE_BLOB);

  self->v.blob = g_bytes_ref (blob);
  return self;
}

void
lh_value_init_copy (LhValue       *dest,
                    const LhValue *src)
{
  *dest = *src;
  if (src->kind == LH_VALUE_TEXT)
    dest->v.text.data = lh_value_dup_text_bytes (src->v.text.data, src->v.text.length);
  else if (src->kind == LH_VALUE_BLOB)
    dest->v.blob = g_bytes_ref (src->v.blob);
}

LhValue *
lh_value_copy (const LhValue *self)
{
  LhValue *copy = g_new (LhValue, 1);

  lh_value_init_copy (copy, self);
  return copy;
}

void
lh_value_clear (LhValue *self)
{
  if (self->kind == LH_VALUE_TEXT)
    g_clear_pointer (&self->v.text.data, g_free);
  else if (self->kind == LH_VALUE_BLOB)
    g_clear_pointer (&self->v.blob, g_bytes_unref);
  self->kind = LH_VALUE_NULL;
}

void
lh_value_free (LhValue *self)
{
  if (self == NULL)
    return;
  lh_value_clear (self);
  g_free (self);
}

LhValueKind
lh_value_get_kind (const LhValue *self)
{
  return self->kind;
}

const char *
lh_value_get_kind_name (const LhValue *self)
{
  static const char * const names[] = { "null", "integer", "real", "text", "blob" };

  return names[self->kind];
}

static char *
truncate_text (const char *text,
               gsize       length,
               gsize       max_chars)
{
  const char *end = text + length;
  const char *p = text;
  gsize n = 0;

  if (max_chars == 0)
    return g_utf8_make_valid (text, length);

  while (p < end && n < max_chars)
    {
      p = g_utf8_find_next_char (p, end);
      if (p == NULL)
        p = end;
      n++;
    }

  if (p >= end)
    return g_utf8_make_valid (text, length);

  {
    g_autofree char *head = g_utf8_make_valid (text, p - text);

    return g_strconcat (head, "…", NULL);
  }
}

/* What a person reads for this value: NULL and blobs are spelled out by the
 * caller's widgets with their own styling, so only their plain words are here. */
char *
lh_value_to_display_string (const LhValue *self,
                            gsize          max_chars)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (self->kind)
    {
    case LH_VALUE_NULL:
      return g_strdup ("NULL");
    case LH_VALUE_INTEGER:
      return g_strdup_printf ("%" G_GINT64_FORMAT, self->v.integer);
    case LH_VALUE_REAL:
      /* The shortest form that reads back as the same double, as the sqlite3 shell does. */
      g_ascii_formatd (buf, sizeof buf, "%.15g", self->v.real);
      if (g_ascii_strtod (buf, NULL) != self->v.real)
        g_ascii_formatd (buf, sizeof buf, "%.17g", self->v.real);
      /* A real stays recognisable as one: 12.0, not 12. */
      if (strpbrk (buf, ".eEn") == NULL)
        return g_strconcat (buf, ".0", NULL);
      return g_strdup (buf);
    case LH_VALUE_TEXT:
      return truncate_text (self->v.text.data, self->v.text.length, max_chars);
    case LH_VALUE_BLOB:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "BLOB (%llu byte)",
                                           "BLOB (%llu bytes)", g_bytes_get_size (self->v.blob)),
                              (unsigned long long) g_bytes_get_size (self->v.blob));
    default:
      g_assert_not_reached ();
    }
}

/* SQLite's column affinity rules (datatype3.html, 3.1), in their order. */
LhAffinity
lh_affinity_from_type (const char *declared_type)
{
  g_autofree char *upper = g_ascii_strup (declared_type != NULL ? declared_type : "", -1);

  if (strstr (upper, "INT") != NULL)
    return LH_AFFINITY_INTEGER;
  if (strstr (upper, "CHAR") != NULL || strstr (upper, "CLOB") != NULL ||
      strstr (upper, "TEXT") != NULL)
    return LH_AFFINITY_TEXT;
  if (*upper == '\0' || strstr (upper, "BLOB") != NULL)
    return LH_AFFINITY_BLOB;
  if (strstr (upper, "REAL") != NULL || strstr (upper, "FLOA") != NULL ||
      strstr (upper, "DOUB") != NULL)
    return LH_AFFINITY_REAL;
  return LH_AFFINITY_NUMERIC;
}

/* What a person typed into a cell of a column of declared_type: text for a column with
 * text affinity; otherwise an integer or a real when the whole text is one, as SQLite
 * itself would store it in an INTEGER, REAL or NUMERIC column, and text when not. Columns
 * with no affinity get the same, so that typing 42 into an untyped column stores 42. */
LhValue *
lh_value_new_from_input (const char *text,
                         const char *declared_type)
{
  gint64 integer;
  double real;
  char *end = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  if (lh_affinity_from_type (declared_type) == LH_AFFINITY_TEXT || *text == '\0' ||
      g_ascii_isspace (*text))
    return lh_value_new_text (text, -1);
  if (g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &integer, NULL))
    return lh_value_new_integer (integer);
  real = g_ascii_strtod (text, &end);
  if (end != NULL && *end == '\0' && isfinite (real) &&
      strpbrk (text, "xXnN") == NULL)   /* not hex, inf or nan */
    return lh_value_new_real (real);
  return lh_value_new_text (text, -1);
}

/* Same kind and same value; reals compare as numbers, so 0.0 equals -0.0. */
gboolean
lh_value_equal (const LhValue *a,
                const LhValue *b)
{
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case LH_VALUE_INTEGER:
      return a->v.integer == b->v.integer;
    case LH_VALUE_REAL:
      return a->v.real == b->v.real;
    case LH_VALUE_TEXT:
      return a->v.text.length == b->v.text.length &&
             memcmp (a->v.text.data, b->v.text.data, a->v.text.length) == 0;
    case LH_VALUE_BLOB:
      return g_bytes_equal (a->v.blob, b->v.blob);
    case LH_VALUE_NULL:
    default:
      return TRUE;
    }
}
