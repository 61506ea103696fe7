/* CSV output through libcsv's quoting. */
#include "csvout.h"

#include <csv.h>
#include <string.h>

void csvout_text(FILE *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n"))
		csv_fwrite(out, s, strlen(s));
	else
		fputs(s, out);
}

void csvout_field(FILE *out, const char *s, int last)
{
	csvout_text(out, s);
	fputc(last ? '\n' : ',', out);
}
