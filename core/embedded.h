/* Files compiled into the binary by core/embed.sh (see the Makefile): the definition schema,
   the shipped default definition, the office's style sheet and the SQL migrations, so an installed parindex needs no
   data folder to run. */
#ifndef PARINDEX_EMBEDDED_H
#define PARINDEX_EMBEDDED_H

extern const char embedded_definition_rng[];
extern const char embedded_default_definition[];
extern const char embedded_default_definition_name[];
/* The office's pages' style sheet (capture/office.css), served as /static/office.css. */
extern const char embedded_office_css[];
/* Migration i (0-based) brings the schema from user_version i to i + 1; NULL-terminated. */
extern const char *const embedded_migrations[];

#endif
