/* Replays fuzz inputs without libFuzzer (for `make check`): feeds each file named on the
   command line, or each file of each folder named, to LLVMFuzzerTestOneInput. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path, int *n)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file(&sb, path, 1 << 26) < 0) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)(sb.buf ? sb.buf : ""), sb.len);
	strbuf_release(&sb);
	(*n)++;
	return 0;
}

int main(int argc, char **argv)
{
	int n = 0, rc = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: missing\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			rc |= replay(argv[i], &n);
			continue;
		}
		if (!(d = opendir(argv[i])))
			return 1;
		while ((de = readdir(d))) {
			char path[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			rc |= replay(path, &n);
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", n);
	return rc ? 1 : 0;
}
