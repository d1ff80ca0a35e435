#pragma once
// Counters reported by GET /admin/stats. Plain data, owned by the server.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace ewstrigd::sim {

struct stats {
    std::map<std::string, std::uint64_t, std::less<>> requests_by_operation;  // EWS operations, incl. unknown ones
    std::uint64_t unauthorized = 0;       // requests refused with 401
    std::uint64_t faults_injected = 0;    // requests or streams an admin fault hit
    std::uint64_t streams_opened = 0;     // GetStreamingEvents connections ever opened
    std::uint64_t throttled = 0;          // requests refused by throttling (ErrorServerBusy, ErrorExceededConnectionCount)
};

}  // namespace ewstrigd::sim
