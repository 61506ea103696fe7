/* For the capture fuzz targets: a small fixed registry (the mini definition's two forms,
   mini-A for group A and mini-B for group B, and two communes), so validation runs too. */
#ifndef PARINDEX_FUZZ_REGISTRY_H
#define PARINDEX_FUZZ_REGISTRY_H

#include <stdlib.h>

#include "../capture/capture.h"

static const char fuzz_mini[] =
	"<definition xmlns=\"urn:parindex:definition:1\" id=\"mini\" version=\"1\" year=\"2024\" "
	"max=\"2\" decimals=\"2\"><title lang=\"vi\">Thử</title><title lang=\"en\">Test</title>"
	"<province>Tỉnh</province><district code=\"999\">Huyện</district>"
	"<field id=\"1\" max=\"2\"><name lang=\"vi\">Một</name><name lang=\"en\">One</name>"
	"<criterion id=\"1.1\" max=\"1\" assessed=\"self\"><name lang=\"vi\">a</name>"
	"<name lang=\"en\">a</name></criterion>"
	"<criterion id=\"1.2\" max=\"1\" assessed=\"survey\"><name lang=\"vi\">b</name>"
	"<name lang=\"en\">b</name></criterion></field>"
	"<survey min-forms=\"2\" aggregation=\"group-mean\" under-quota=\"flag\">"
	"<group id=\"A\" min=\"1\"><name lang=\"vi\">A</name><name lang=\"en\">A</name></group>"
	"<group id=\"B\" min=\"1\"><name lang=\"vi\">B</name><name lang=\"en\">B</name></group>"
	"<scale id=\"s\"><option code=\"a\" weight=\"1\"><label lang=\"vi\">Tốt</label>"
	"<label lang=\"en\">Good</label></option><option code=\"b\" weight=\"0\">"
	"<label lang=\"vi\">Kém</label><label lang=\"en\">Poor</label></option></scale>"
	"<question id=\"qa\" criterion=\"1.2\" scale=\"s\" groups=\"A B\"><text lang=\"vi\">a</text>"
	"<text lang=\"en\">a</text></question>"
	"<question id=\"qb\" criterion=\"1.2\" scale=\"s\" groups=\"A\"><text lang=\"vi\">b</text>"
	"<text lang=\"en\">b</text></question></survey>"
	"<classification><tier id=\"g\" min-index=\"80\" min-field=\"70\">"
	"<label lang=\"vi\">Tốt</label><label lang=\"en\">Good</label></tier>"
	"<otherwise id=\"n\"><label lang=\"vi\">Không</label>"
	"<label lang=\"en\">No</label></otherwise></classification></definition>";

static void fuzz_registry_setup(struct capture_registry *reg)
{
	static char *communes[] = { "90001", "90002" };
	static struct capture_form forms[2];
	static struct def d;
	struct diag diag = { 0 };

	if (def_load(&d, fuzz_mini, sizeof(fuzz_mini) - 1, "mini", &diag) < 0) {
		diag_print(&diag, "fuzz");
		abort();
	}
	forms[0] = (struct capture_form){ "mini-A", "1", "A", &d, 0 };
	forms[1] = (struct capture_form){ "mini-B", "1", "B", &d, 1 };
	reg->forms = forms;
	reg->nforms = 2;
	reg->communes = communes;
	reg->ncommunes = 2;
}

#endif
