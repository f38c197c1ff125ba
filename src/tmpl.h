/*
 * tmpl.h - the C interface to ctemplate, implemented in tmpl.cc (the only
 * C++ file). Templates are compiled into the binary (templates.c, made from
 * templates/ at build time) and rendered with auto-escaping: each template
 * declares its context with {{%AUTOESCAPE context="HTML"}}, so every value
 * set here is escaped for where it lands, whatever the user put in it.
 */
#ifndef REPORTGEN_TMPL_H
#define REPORTGEN_TMPL_H

#include "strbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tmpl_dict; /* opaque: a ctemplate::TemplateDictionary */

/* A new top-level dictionary. Free with tmpl_dict_free(). */
struct tmpl_dict *tmpl_dict_new(const char *name);
/* Free d and its section dictionaries. tmpl_dict_free(NULL) does nothing. */
void tmpl_dict_free(struct tmpl_dict *d);

/* Set variable key to value (both copied). */
void tmpl_set(struct tmpl_dict *d, const char *key, const char *value);
/* Set variable key to v formatted by fmt_num(). */
void tmpl_set_num(struct tmpl_dict *d, const char *key, double v);
/* Set variable key to an integer. */
void tmpl_set_int(struct tmpl_dict *d, const char *key, long v);
/* Show section once (for sections with no variables of their own). */
void tmpl_show(struct tmpl_dict *d, const char *section);
/*
 * Add one instance of section and return its dictionary, owned by d (do
 * not free it).
 */
struct tmpl_dict *tmpl_add(struct tmpl_dict *d, const char *section);

/*
 * Parse the templates, once: before pages are rendered on several threads
 * (tmpl_render() does it on first use otherwise, which is not safe to race).
 * Returns 0, or -1 after error(). Rendering is then safe on any thread,
 * each with its own dictionaries.
 */
int tmpl_load(void);

/*
 * Render the template named name (its file name under templates/, e.g.
 * "index.tpl") with d and append the result to out. Returns 0, or -1 after
 * error() when the template is unknown or fails to parse; any C++ exception
 * is caught and reported the same way.
 */
int tmpl_render(const char *name, const struct tmpl_dict *d,
                struct strbuf *out);

/*
 * The same, with the template's indentation left out: each line of the
 * template starts at its first character that is not a blank (the values
 * set in d are kept as they are). For the one-file report, where a
 * section per run makes the indentation a good part of the file.
 */
int tmpl_render_flush(const char *name, const struct tmpl_dict *d,
                      struct strbuf *out);

/* The bytes of a static file compiled in from templates/ (style.css), or
 * NULL. *len receives its length. */
const char *tmpl_asset(const char *name, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
