/* header_only.c: includes nothing but w2v.h, to check that the header
 * compiles on its own, warning-free, as C (c99, c11) and as C++ (c++11,
 * c++17): see the `header-check` target of the Makefile. */
#include "w2v.h"
