#ifndef SWIFTBOKEH_CZLIB_SHIM_H
#define SWIFTBOKEH_CZLIB_SHIM_H
#include <zlib.h>

/* Swift cannot import function-like macros; wrap the ones we use. */
static inline int CZlib_deflateInit2(z_streamp strm, int level, int method, int windowBits, int memLevel,
                                     int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}

static inline int CZlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

#endif
