/* The XForm instance the web survey and paper keying build from a group's answers (serve.h):
   one writer, so both ways in hand serve_submit what Collect would send. */
#include "serve.h"

#include "def.h"

static void element(struct strbuf *out, const char *name, const char *value)
{
	if (!value) {
		strbuf_addf(out, "<%s/>", name);
		return;
	}
	strbuf_addf(out, "<%s>", name);
	strbuf_add_xml(out, value);
	strbuf_addf(out, "</%s>", name);
}

void serve_instance_xml(struct strbuf *out, const struct serve_instance *in)
{
	const struct def *d = in->d;

	strbuf_adds(out, "<data id=\"");
	strbuf_add_xml(out, in->form_id);
	strbuf_adds(out, "\" version=\"");
	strbuf_add_xml(out, in->form_version);
	strbuf_adds(out, "\">");
	element(out, "start", in->start);
	element(out, "end", in->end);
	element(out, "deviceid", in->device);
	element(out, "commune", in->commune);
	element(out, "surveyor", in->surveyor);
	for (size_t i = 0; i < d->nquestions; i++)
		if ((d->questions[i].groups >> in->group) & 1u)
			element(out, d->questions[i].id, in->answers[i]);
	element(out, "comment", in->comment);
	strbuf_adds(out, "<meta>");
	element(out, "instanceID", in->instance_id);
	element(out, "instanceName", in->instance_name);
	strbuf_adds(out, "</meta></data>");
}
