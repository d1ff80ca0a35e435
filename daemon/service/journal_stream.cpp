#include "service/journal_stream.hpp"

#include <sys/stat.h>

#include <cinttypes>
#include <cstdio>

namespace ewstrigd::service {

bool fd_is_journal_stream(int fd, const char* journal_stream) {
    if (journal_stream == nullptr) return false;
    std::uintmax_t dev = 0;
    std::uintmax_t ino = 0;
    char trailing = 0;
    if (std::sscanf(journal_stream, "%ju:%ju%c", &dev, &ino, &trailing) != 2) return false;
    struct stat st {};
    if (::fstat(fd, &st) != 0) return false;
    return static_cast<std::uintmax_t>(st.st_dev) == dev && static_cast<std::uintmax_t>(st.st_ino) == ino;
}

}  // namespace ewstrigd::service
