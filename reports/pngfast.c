/* Faster PNG encoding for gnuplot's pngcairo terminal: a shared object that report_render
   (reports/charts.c) puts in LD_PRELOAD for its gnuplot children only; never linked into
   parindex. cairo_surface_write_to_png asks libpng for its defaults: the adaptive choice
   among the five scanline filters for every row and zlib level 6, about three quarters of
   the CPU time of drawing a chart. Here png_set_IHDR, which cairo calls once per image
   before any row is written, calls libpng's own and then sets one filter (Up: a row like the
   one above, as most rows of a chart are, becomes zeros) and zlib level 1. The pixels are the
   same; the file is about a quarter larger and written about four times faster (HACKING.md,
   reports/). Built with plain flags (gnuplot is not built with the sanitizers). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <png.h>

typedef void set_ihdr_fn(png_const_structrp, png_inforp, png_uint_32, png_uint_32, int, int, int,
			 int, int);

void png_set_IHDR(png_const_structrp png, png_inforp info, png_uint_32 width, png_uint_32 height,
		  int bit_depth, int colour_type, int interlace, int compression, int filter)
{
	static set_ihdr_fn *real;
	set_ihdr_fn *f = __atomic_load_n(&real, __ATOMIC_ACQUIRE);

	if (!f) {
		f = (set_ihdr_fn *)dlsym(RTLD_NEXT, "png_set_IHDR");
		if (!f)
			png_error(png, "parindex-pngfast: libpng's png_set_IHDR not found");
		__atomic_store_n(&real, f, __ATOMIC_RELEASE);
	}
	f(png, info, width, height, bit_depth, colour_type, interlace, compression, filter);
	/* libpng's reader calls png_set_IHDR too: on a read structure these two only set fields
	   that reading never uses */
	png_set_filter((png_structrp)png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
	png_set_compression_level((png_structrp)png, 1);
}
