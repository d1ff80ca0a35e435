// Precompiled for the test binaries (see cmake/precompiled_headers.cmake).
#include <gtest/gtest.h>
