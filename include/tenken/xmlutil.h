/* xmlutil.h — reading XML safely (no network, no entity expansion, no
 * DOCTYPE), RELAX NG validation into diagnostics, and where tenken's own data
 * files (schemas, templates) live.
 */
#ifndef TENKEN_XMLUTIL_H
#define TENKEN_XMLUTIL_H

#include <libxml/tree.h>
#include <stddef.h>

#include "tenken/diag.h"
#include "tenken/util.h"

/* Largest XML file tenken reads as configuration (checklists, templates). */
#define TK_XML_MAX_BYTES (32u * 1024u * 1024u)

/* Parse path (bounded size, XML_PARSE_NONET, a DOCTYPE refused) and, when
 * schema is not NULL, validate it against DIR/schema. Problems go to diags as
 * FILE:LINE. Returns the document (xmlFreeDoc) or NULL when it is unusable
 * (not well-formed, or invalid). */
xmlDocPtr tk_xml_read_validated(const char *path, const char *schema_dir, const char *schema, tk_diags *diags);
/* Same, from memory; name is used in messages. */
xmlDocPtr tk_xml_parse_memory(const char *data, size_t len, const char *name, tk_diags *diags);

/* Directory holding tenken's data (templates/, checklists/(checklist,org).rng): $TENKEN_HOME,
 * else the current directory when it has templates/, else the install prefix. */
const char *tk_data_dir(void);
/* tk_data_dir()/rel into the arena. */
char *tk_data_path(tk_arena *a, const char *rel);

#endif
