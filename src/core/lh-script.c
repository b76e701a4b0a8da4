/* lh-script.c — splitting SQL text into statements and running them in order.
 *
 * The split reads the text once with SQLite's own rules: its tokens (strings, quoted
 * names, comments, parameters such as $a(x;y)) and the state machine of
 * sqlite3_complete(), which knows that a semicolon inside CREATE TRIGGER … BEGIN … END
 * does not end the statement. It needs no database, so it works for remote ones too. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "lh-error.h"
#include "lh-script.h"

struct _LhScript
{
  GObject parent_instance;

  /* owned */
  char       *text;
  GArray     *spans;
  GHashTable *values;   /* parameter key → LhValue, or NULL */
};

typedef struct
{
  LhConnection *connection;
  GPtrArray    *results;
  guint         next;
  guint         max_rows;
} RunData;

G_DEFINE_FINAL_TYPE (LhScript, lh_script, G_TYPE_OBJECT)

typedef enum
{
  TOKEN_BLANK,
  TOKEN_SEMI,
  TOKEN_WORD,
  TOKEN_OTHER,
} TokenKind;

/* SQLite's IdChar(): what may continue an identifier or keyword. */
static gboolean
is_id_char (guchar c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '$' || c >= 0x80;
}

static const char *
skip_quoted (const char *p,
             const char *end,
             char        close)
{
  /* A doubled closing quote stays inside: the loop closes and reopens. An unterminated
   * run ends with the text. */
  for (p++; p < end && *p != close; p++)
    ;
  return MIN (p + 1, end);
}

/* A parameter such as :name, @name, $name, $a::b(x;y): SQLite reads it as one token, which
 * may hold what elsewhere would be a semicolon, a quote or a comment. */
static const char *
skip_variable (const char *p,
               const char *end)
{
  for (p++; p < end; p++)
    {
      if (is_id_char (*p))
        continue;
      if (*p == ':' && p + 1 < end && p[1] == ':')
        {
          p++;
          continue;
        }
      if (*p == '(')
        {
          while (p < end && *p != ')' && !g_ascii_isspace (*p))
            p++;
          return MIN (p + 1, end);
        }
      break;
    }
  return p;
}

/* Returns the position just past the token, whitespace or comment that starts at p. */
static const char *
next_token (const char *p,
            const char *end,
            TokenKind  *kind)
{
  guchar c = *p;

  *kind = TOKEN_OTHER;
  switch (c)
    {
    case ' ': case '\t': case '\n': case '\r': case '\f':
      *kind = TOKEN_BLANK;
      return p + 1;
    case ';':
      *kind = TOKEN_SEMI;
      return p + 1;
    case '-':
      if (p + 1 < end && p[1] == '-')
        {
          *kind = TOKEN_BLANK;
          while (p < end && *p != '\n')
            p++;
          return p;
        }
      return p + 1;
    case '/':
      if (p + 1 < end && p[1] == '*')
        {
          *kind = TOKEN_BLANK;
          for (p += 2; p + 1 < end && !(p[0] == '*' && p[1] == '/'); p++)
            ;
          return MIN (p + 2, end);
        }
      return p + 1;
    case '\'': case '"': case '`':
      return skip_quoted (p, end, c);
    case '[':
      return skip_quoted (p, end, ']');
    case '$': case '@': case ':': case '#':
      if (p + 1 < end && is_id_char (p[1]))
        return skip_variable (p, end);
      return p + 1;
    default:
      if (is_id_char (c))
        {
          *kind = g_ascii_isdigit (c) || c == '$' ? TOKEN_OTHER : TOKEN_WORD;
          while (p < end && is_id_char (*p))
            p++;
          return p;
        }
      return p + 1;
    }
}

/* The states and tokens of sqlite3_complete(): a semicolon ends a statement unless the
 * statement is CREATE [TEMP] TRIGGER, whose body ends only at "; END ;". */
typedef enum
{
  STATE_START,
  STATE_NORMAL,
  STATE_EXPLAIN,
  STATE_CREATE,
  STATE_TRIGGER,
  STATE_TRIGGER_SEMI,
  STATE_TRIGGER_END,
} SplitState;

typedef enum
{
  TK_SEMI,
  TK_OTHER,
  TK_EXPLAIN,
  TK_CREATE,
  TK_TEMP,
  TK_TRIGGER,
  TK_END,
} CompleteToken;

static CompleteToken
classify_word (const char *word,
               gsize       length)
{
  static const struct { const char *word; CompleteToken token; } keywords[] = {
    { "explain", TK_EXPLAIN },
    { "create", TK_CREATE },
    { "temp", TK_TEMP },
    { "temporary", TK_TEMP },
    { "trigger", TK_TRIGGER },
    { "end", TK_END },
  };

  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    if (strlen (keywords[i].word) == length &&
        g_ascii_strncasecmp (word, keywords[i].word, length) == 0)
      return keywords[i].token;
  return TK_OTHER;
}

static SplitState
advance (SplitState    state,
         CompleteToken token)
{
  /* Rows: states in SplitState order; columns: tokens in CompleteToken order. The
   * table of SQLite's complete.c, less its whitespace column (blanks change nothing). */
  static const SplitState table[][7] = {
    /* START */        { STATE_START, STATE_NORMAL, STATE_EXPLAIN, STATE_CREATE,
                         STATE_NORMAL, STATE_NORMAL, STATE_NORMAL },
    /* NORMAL */       { STATE_START, STATE_NORMAL, STATE_NORMAL, STATE_NORMAL,
                         STATE_NORMAL, STATE_NORMAL, STATE_NORMAL },
    /* EXPLAIN */      { STATE_START, STATE_EXPLAIN, STATE_NORMAL, STATE_CREATE,
                         STATE_NORMAL, STATE_NORMAL, STATE_NORMAL },
    /* CREATE */       { STATE_START, STATE_NORMAL, STATE_NORMAL, STATE_NORMAL,
                         STATE_CREATE, STATE_TRIGGER, STATE_NORMAL },
    /* TRIGGER */      { STATE_TRIGGER_SEMI, STATE_TRIGGER, STATE_TRIGGER, STATE_TRIGGER,
                         STATE_TRIGGER, STATE_TRIGGER, STATE_TRIGGER },
    /* TRIGGER_SEMI */ { STATE_TRIGGER_SEMI, STATE_TRIGGER, STATE_TRIGGER, STATE_TRIGGER,
                         STATE_TRIGGER, STATE_TRIGGER, STATE_TRIGGER_END },
    /* TRIGGER_END */  { STATE_START, STATE_TRIGGER, STATE_TRIGGER, STATE_TRIGGER,
                         STATE_TRIGGER, STATE_TRIGGER, STATE_TRIGGER },
  };

  return table[state][token];
}

static void
add_span (GArray     *spans,
          const char *text,
          const char *start,
          const char *end)
{
  LhStatementSpan span = { start - text, end - start };

  g_array_append_val (spans, span);
}

/* The first keyword of sql, upper-cased (comments and spaces skipped). */
char *
lh_sql_dup_first_keyword (const char *sql)
{
  const char *p = sql;
  const char *start;

  for (;;)
    {
      while (g_ascii_isspace (*p))
        p++;
      if (p[0] == '-' && p[1] == '-')
        {
          while (*p != '\0' && *p != '\n')
            p++;
        }
      else if (p[0] == '/' && p[1] == '*')
        {
          const char *end = strstr (p + 2, "*/");

          p = end != NULL ? end + 2 : p + strlen (p);
        }
      else
        break;
    }
  start = p;
  while (g_ascii_isalpha (*p))
    p++;
  return g_ascii_strup (start, p - start);
}

/* TRUE for a statement that can only read (SELECT, VALUES, EXPLAIN): one a remote
 * backend may send again after a 429. WITH is not one (WITH … INSERT writes). */
gboolean
lh_sql_is_plain_read (const char *sql)
{
  g_autofree char *keyword = lh_sql_dup_first_keyword (sql);

  return g_str_equal (keyword, "SELECT") || g_str_equal (keyword, "VALUES") ||
         g_str_equal (keyword, "EXPLAIN");
}

/* Spans of the statements in text: each starts at its first token (after any leading
 * whitespace or comments) and ends after its semicolon, or at the end of the text for a
 * last statement without one. Empty statements are left out. One pass, linear time. */
GArray *
lh_sql_split (const char *text,
              gssize      length)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (LhStatementSpan));
  SplitState state = STATE_START;
  const char *end, *p, *start = NULL;

  if (length < 0)
    length = strlen (text);
  end = text + length;

  for (p = text; p < end;)
    {
      TokenKind kind;
      const char *next = next_token (p, end, &kind);

      if (kind != TOKEN_BLANK)
        {
          CompleteToken token = kind == TOKEN_SEMI ? TK_SEMI
                              : kind == TOKEN_WORD ? classify_word (p, next - p)
                              : TK_OTHER;

          if (start == NULL && kind != TOKEN_SEMI)
            start = p;
          state = advance (state, token);
          if (state == STATE_START && start != NULL)
            {
              add_span (spans, text, start, next);
              start = NULL;
            }
        }
      p = next;
    }

  /* Trailing comments after an unterminated last statement stay with it: SQLite ignores
   * them. */
  if (start != NULL)
    add_span (spans, text, start, end);
  return spans;
}

gboolean
lh_sql_is_blank (const char *text,
                 gssize      length)
{
  const char *end, *p;

  if (length < 0)
    length = strlen (text);
  end = text + length;

  for (p = text; p < end;)
    {
      TokenKind kind;
      const char *next = next_token (p, end, &kind);

      if (kind != TOKEN_BLANK && kind != TOKEN_SEMI)
        return FALSE;
      p = next;
    }
  return TRUE;
}

/* Line and column (both from 1, the column counted in characters) of a byte offset. */
void
lh_sql_offset_to_line_column (const char *text,
                              gsize       offset,
                              guint      *line,
                              guint      *column)
{
  const char *line_start = text;
  guint n = 1;

  for (gsize i = 0; i < offset && text[i] != '\0'; i++)
    if (text[i] == '\n')
      {
        n++;
        line_start = text + i + 1;
      }

  *line = n;
  *column = g_utf8_pointer_to_offset (line_start, text + offset) + 1;
}

/* Whether the statement may change the schema (CREATE, DROP, ALTER), judged by its first
 * word: what a schema view needs to know to read the schema again. */
gboolean
lh_sql_changes_schema (const char *sql)
{
  static const char * const verbs[] = { "create", "drop", "alter", "attach", "detach" };
  const char *end = sql + strlen (sql);

  for (const char *p = sql; p < end;)
    {
      TokenKind kind;
      const char *next = next_token (p, end, &kind);

      if (kind == TOKEN_WORD)
        {
          for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
            if ((gsize) (next - p) == strlen (verbs[i]) &&
                g_ascii_strncasecmp (p, verbs[i], next - p) == 0)
              return TRUE;
          return FALSE;
        }
      if (kind != TOKEN_BLANK)
        return FALSE;
      p = next;
    }
  return FALSE;
}

/* The identifier a token spells: a bare word, or one quoted with "", `` or []. */
static char *
identifier_text (const char *p,
                 const char *next,
                 TokenKind   kind)
{
  char quote = *p == '[' ? ']' : *p;
  GString *name;

  if (kind == TOKEN_WORD)
    return g_strndup (p, next - p);
  if (kind != TOKEN_OTHER || (*p != '"' && *p != '`' && *p != '[') || next - p < 2 ||
      next[-1] != quote)
    return NULL;
  name = g_string_new (NULL);
  for (const char *c = p + 1; c < next - 1; c++)
    {
      g_string_append_c (name, *c);
      if (*c == quote && quote != ']' && c + 1 < next - 1 && c[1] == quote)
        c++;
    }
  return g_string_free (name, FALSE);
}

typedef struct
{
  const char *start;
  const char *end;
  TokenKind   kind;
} Token;

static gboolean
token_is (const Token *token,
          const char  *word)
{
  return token->kind == TOKEN_WORD && (gsize) (token->end - token->start) == strlen (word) &&
         g_ascii_strncasecmp (token->start, word, token->end - token->start) == 0;
}

static gboolean
token_is_punct (const Token *token,
                char         c)
{
  return token->kind == TOKEN_OTHER && token->end - token->start == 1 && *token->start == c;
}

void
lh_table_ref_free (LhTableRef *ref)
{
  if (ref == NULL)
    return;
  g_free (ref->database);
  g_free (ref->table);
  g_free (ref->alias);
  g_free (ref);
}

/* Reads "[database.]table [[AS] alias]" at tokens[*i]; NULL when there is no name. */
static LhTableRef *
read_table_ref (GArray *tokens,
                guint  *i)
{
  Token *t = &g_array_index (tokens, Token, *i);
  g_autofree char *first = identifier_text (t->start, t->end, t->kind);
  LhTableRef *ref;

  if (first == NULL || (t->kind == TOKEN_WORD && sqlite3_keyword_check (t->start, t->end - t->start)))
    return NULL;
  ref = g_new0 (LhTableRef, 1);
  ref->table = g_steal_pointer (&first);
  (*i)++;
  if (*i + 1 < tokens->len && token_is_punct (&g_array_index (tokens, Token, *i), '.'))
    {
      Token *second = &g_array_index (tokens, Token, *i + 1);
      char *table = identifier_text (second->start, second->end, second->kind);

      if (table != NULL)
        {
          ref->database = ref->table;
          ref->table = table;
          *i += 2;
        }
    }
  if (*i < tokens->len && token_is (&g_array_index (tokens, Token, *i), "AS"))
    (*i)++;
  if (*i < tokens->len)
    {
      Token *a = &g_array_index (tokens, Token, *i);

      if (!(a->kind == TOKEN_WORD && sqlite3_keyword_check (a->start, a->end - a->start)))
        {
          ref->alias = identifier_text (a->start, a->end, a->kind);
          if (ref->alias != NULL)
            (*i)++;
        }
    }
  return ref;
}

static void
set_parameter (GPtrArray  *keys,
               guint       index,
               const char *key)
{
  if (keys->len < index)
    g_ptr_array_set_size (keys, index);
  if (g_ptr_array_index (keys, index - 1) == NULL)
    g_ptr_array_index (keys, index - 1) = g_strdup (key);
}

static guint
named_index (GPtrArray  *keys,
             const char *key,
             guint       max)
{
  for (guint i = 0; i < keys->len; i++)
    if (g_strcmp0 (g_ptr_array_index (keys, i), key) == 0)
      return i + 1;
  return max + 1;
}

/* The parameters of one statement as SQLite numbers them: element i is the key of
 * parameter i + 1 — ":name", "@name" or "$name" as written, "?N" for ? and ?N. Gaps
 * (?3 alone) are "?1", "?2". */
GPtrArray *
lh_sql_parameters (const char *statement)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  const char *end = statement + strlen (statement);
  guint max = 0;

  for (const char *p = statement; p < end;)
    {
      TokenKind kind;
      const char *next = next_token (p, end, &kind);
      g_autofree char *key = NULL;
      guint index = 0;

      if (*p == '?' && next == p + 1)
        {
          guint64 number = 0;

          for (; next < end && g_ascii_isdigit (*next); next++)
            number = MIN (number * 10 + (guint64) (*next - '0'), G_MAXUINT32);
          index = next > p + 1 ? (guint) number : max + 1;
          if (index == 0 || index > 32766)
            {
              p = next;
              continue;
            }
          key = g_strdup_printf ("?%u", index);
        }
      else if ((*p == ':' || *p == '@' || *p == '$') && next > p + 1)
        {
          key = g_strndup (p, next - p);
          index = named_index (keys, key, max);
        }
      p = next;
      if (key == NULL)
        continue;
      set_parameter (keys, index, key);
      max = MAX (max, index);
    }
  for (guint i = 0; i < keys->len; i++)
    if (g_ptr_array_index (keys, i) == NULL)
      g_ptr_array_index (keys, i) = g_strdup_printf ("?%u", i + 1);
  return keys;
}

/* SQLite's keywords, upper-case, in its order. */
GStrv
lh_sql_dup_keywords (void)
{
  int n = sqlite3_keyword_count ();
  GStrv keywords = g_new0 (char *, n + 1);

  for (int i = 0; i < n; i++)
    {
      const char *name;
      int length;

      sqlite3_keyword_name (i, &name, &length);
      keywords[i] = g_ascii_strup (name, length);
    }
  return keywords;
}

/* The tables a statement reads or writes, with their aliases: the names after FROM (and
 * its commas), JOIN, UPDATE and INTO. For completing columns; no full parse. */
GPtrArray *
lh_sql_table_refs (const char *statement)
{
  GPtrArray *refs = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_table_ref_free);
  g_autoptr(GArray) tokens = g_array_new (FALSE, FALSE, sizeof (Token));
  const char *end = statement + strlen (statement);
  int depth = 0;
  int from_depth = -1;

  for (const char *p = statement; p < end;)
    {
      Token token = { p, NULL, TOKEN_OTHER };

      token.end = next_token (p, end, &token.kind);
      p = token.end;
      if (token.kind == TOKEN_BLANK)
        continue;
      /* "a""b" is one name: the tokenizer reads it as "a" and "b", touching. */
      if (tokens->len > 0 && (*token.start == '"' || *token.start == '`'))
        {
          Token *last = &g_array_index (tokens, Token, tokens->len - 1);

          if (last->end == token.start && *last->start == *token.start)
            {
              last->end = token.end;
              continue;
            }
        }
      g_array_append_val (tokens, token);
    }

  /* A FROM clause runs, at its depth of parentheses, until a word that ends it; a comma
   * in it, even after a join's ON, starts another table. */
  for (guint i = 0; i < tokens->len;)
    {
      static const char * const enders[] = {
        "WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "WINDOW", "UNION", "EXCEPT",
        "INTERSECT", "RETURNING",
      };
      Token *t = &g_array_index (tokens, Token, i++);
      gboolean names_table = FALSE;

      if (token_is_punct (t, '('))
        depth++;
      else if (token_is_punct (t, ')'))
        {
          if (from_depth == depth)
            from_depth = -1;
          depth--;
        }
      else if (token_is (t, "FROM"))
        {
          from_depth = depth;
          names_table = TRUE;
        }
      else if (token_is (t, "JOIN") || token_is (t, "UPDATE") || token_is (t, "INTO") ||
               (token_is_punct (t, ',') && from_depth == depth))
        names_table = TRUE;
      else if (from_depth == depth)
        for (guint k = 0; k < G_N_ELEMENTS (enders); k++)
          if (token_is (t, enders[k]))
            from_depth = -1;

      if (names_table && i < tokens->len)
        {
          LhTableRef *ref = read_table_ref (tokens, &i);

          if (ref != NULL)
            g_ptr_array_add (refs, ref);
        }
    }
  return refs;
}

/* The word being typed just before cursor (possibly empty), and in *qualifier what stands
 * before a dot right before it ("t" in "t.na"), or NULL. */
char *
lh_sql_word_before (const char  *text,
                    gsize        cursor,
                    char       **qualifier)
{
  const char *end = text + cursor;
  const char *start = end;

  *qualifier = NULL;
  while (start > text && is_id_char (start[-1]))
    start--;
  if (start > text && start[-1] == '.')
    {
      const char *q_end = start - 1;
      const char *q_start = q_end;

      if (q_start > text && (q_start[-1] == '"' || q_start[-1] == '`' || q_start[-1] == ']'))
        {
          char close = q_start[-1];
          char open = close == ']' ? '[' : close;

          q_start--;
          while (q_start > text && q_start[-1] != open)
            q_start--;
          if (q_start > text)
            *qualifier = g_strndup (q_start, q_end - q_start - 1);
        }
      else
        {
          while (q_start > text && is_id_char (q_start[-1]))
            q_start--;
          if (q_start < q_end)
            *qualifier = g_strndup (q_start, q_end - q_start);
        }
    }
  return g_strndup (start, end - start);
}

/* The statement (an index into spans, from lh_sql_split()) that a cursor at byte offset
 * cursor means: the one it is in or just after; in blank space before the first, the
 * first. -1 when there is none. */
int
lh_sql_statement_at (GArray *spans,
                     gsize   cursor)
{
  int found = -1;

  g_return_val_if_fail (spans != NULL, -1);

  for (guint i = 0; i < spans->len; i++)
    {
      const LhStatementSpan *span = &g_array_index (spans, LhStatementSpan, i);

      if (span->offset > cursor)
        break;
      found = i;
    }
  if (found < 0 && spans->len > 0)
    found = 0;
  return found;
}

/* name as an SQL identifier, whatever characters it holds: in double quotes, with each
 * double quote inside doubled. */
char *
lh_sql_quote_identifier (const char *name)
{
  GString *quoted = g_string_sized_new (strlen (name) + 2);

  lh_sql_append_identifier (quoted, name);
  return g_string_free (quoted, FALSE);
}

/* Appends name to sql, quoted as lh_sql_quote_identifier() does. */
void
lh_sql_append_identifier (GString    *sql,
                          const char *name)
{
  g_string_append_c (sql, '"');
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (sql, '"');
      g_string_append_c (sql, *p);
    }
  g_string_append_c (sql, '"');
}

void
lh_statement_result_free (LhStatementResult *result)
{
  if (result == NULL)
    return;
  g_free (result->sql);
  g_clear_object (&result->result);
  g_clear_error (&result->error);
  g_free (result);
}

static void
lh_script_finalize (GObject *object)
{
  LhScript *self = LH_SCRIPT (object);

  g_free (self->text);
  g_clear_pointer (&self->spans, g_array_unref);
  g_clear_pointer (&self->values, g_hash_table_unref);
  G_OBJECT_CLASS (lh_script_parent_class)->finalize (object);
}

static void
lh_script_class_init (LhScriptClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_script_finalize;
}

static void
lh_script_init (LhScript *self)
{
}

/* Values for the statements' parameters, by key (lh_sql_parameters()): a named parameter
 * has one value wherever it appears; a missing one is NULL. */
void
lh_script_set_values (LhScript   *self,
                      GHashTable *values)
{
  g_return_if_fail (LH_IS_SCRIPT (self));
  g_clear_pointer (&self->values, g_hash_table_unref);
  if (values != NULL)
    self->values = g_hash_table_ref (values);
}

LhScript *
lh_script_new (const char *text)
{
  LhScript *self = g_object_new (LH_TYPE_SCRIPT, NULL);

  self->text = g_strdup (text);
  self->spans = lh_sql_split (self->text, -1);
  return self;
}

const char *
lh_script_get_text (LhScript *self)
{
  g_return_val_if_fail (LH_IS_SCRIPT (self), NULL);
  return self->text;
}

guint
lh_script_get_n_statements (LhScript *self)
{
  g_return_val_if_fail (LH_IS_SCRIPT (self), 0);
  return self->spans->len;
}

const LhStatementSpan *
lh_script_get_statement (LhScript *self,
                         guint     index)
{
  g_return_val_if_fail (LH_IS_SCRIPT (self), NULL);
  g_return_val_if_fail (index < self->spans->len, NULL);
  return &g_array_index (self->spans, LhStatementSpan, index);
}

char *
lh_script_dup_statement_sql (LhScript *self,
                             guint     index)
{
  const LhStatementSpan *span = lh_script_get_statement (self, index);

  g_return_val_if_fail (span != NULL, NULL);
  return g_strndup (self->text + span->offset, span->length);
}

static void
run_data_free (RunData *data)
{
  g_clear_object (&data->connection);
  g_clear_pointer (&data->results, g_ptr_array_unref);
  g_free (data);
}

static void run_next (GTask *task);

static void
execute_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);
  LhStatementResult *statement = g_ptr_array_index (data->results, data->results->len - 1);

  statement->result = lh_connection_execute_finish (LH_CONNECTION (object), result,
                                                    &statement->error);
  if (statement->error != NULL)
    {
      int offset = lh_connection_error_get_offset (statement->error);

      /* The position is in the statement; the caller wants it in the script. */
      if (offset >= 0)
        lh_connection_error_set_offset (statement->error, offset + statement->offset);
      g_task_return_pointer (task, g_ptr_array_ref (data->results),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  run_next (g_steal_pointer (&task));
}

/* The values of a statement's parameters, by position, from the values by key. */
static GPtrArray *
statement_params (LhScript   *self,
                  const char *sql)
{
  g_autoptr(GPtrArray) keys = lh_sql_parameters (sql);
  GPtrArray *params;

  if (keys->len == 0)
    return NULL;
  params = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
  for (guint i = 0; i < keys->len; i++)
    {
      const LhValue *value = g_hash_table_lookup (self->values, g_ptr_array_index (keys, i));

      g_ptr_array_add (params, value != NULL ? lh_value_copy (value) : lh_value_new_null ());
    }
  return params;
}

static void
run_next (GTask *task)
{
  LhScript *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  LhStatementResult *statement;
  const LhStatementSpan *span;

  if (data->next == self->spans->len)
    {
      g_task_return_pointer (task, g_ptr_array_ref (data->results),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }

  span = &g_array_index (self->spans, LhStatementSpan, data->next);
  statement = g_new0 (LhStatementResult, 1);
  statement->index = data->next++;
  statement->offset = span->offset;
  statement->length = span->length;
  statement->sql = g_strndup (self->text + span->offset, span->length);
  g_ptr_array_add (data->results, statement);

  lh_connection_execute_async (data->connection, statement->sql,
                               self->values != NULL ? statement_params (self, statement->sql) : NULL,
                               data->max_rows,
                               g_task_get_cancellable (task), execute_cb, task);
}

/* Runs the statements in order and stops at the first that fails. The result is always
 * the array of LhStatementResult for the statements that ran, the last one holding the
 * error if one failed (cancelling included); the GError of finish is for misuse only. */
void
lh_script_run_async (LhScript            *self,
                     LhConnection        *connection,
                     guint                max_rows,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  RunData *data;
  GTask *task;

  g_return_if_fail (LH_IS_SCRIPT (self));
  g_return_if_fail (LH_IS_CONNECTION (connection));

  data = g_new0 (RunData, 1);
  data->connection = g_object_ref (connection);
  data->results = g_ptr_array_new_with_free_func ((GDestroyNotify) lh_statement_result_free);
  data->max_rows = max_rows;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_script_run_async);
  /* A cancel is reported in the results, beside the statements that did run. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  run_next (task);
}

GPtrArray *
lh_script_run_finish (LhScript      *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
