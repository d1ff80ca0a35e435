// Parse rate of GetStreamingEvents bodies: the body in FILE is fed to
// envelope_splitter in fixed-size chunks (as the network delivers it) and every
// envelope goes through response::parse + parse_events, as the watch loop will
// do. Prints one JSON line, so bench/ews_parse_compare.py can set it beside
// exchangelib parsing the same bytes.
//   ews_parse_bench FILE [CHUNK_BYTES] [REPEAT]

#include "ews/envelope_splitter.hpp"
#include "ews/notifications.hpp"
#include "ews/response.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

namespace {

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct tally {
    std::size_t envelopes = 0;
    std::size_t notifications = 0;
    std::size_t events = 0;
};

// Returns false when the body is not a clean stream of envelopes.
bool parse_body(const std::string& body, std::size_t chunk, tally& t) {
    ewstrigd::ews::envelope_splitter splitter;
    for (std::size_t at = 0; at < body.size(); at += chunk) {
        auto fed = splitter.feed(std::string_view(body).substr(at, chunk));
        auto* envelopes = std::get_if<std::vector<std::string>>(&fed);
        if (envelopes == nullptr) return false;
        for (const auto& text : *envelopes) {
            auto r = ewstrigd::ews::response::parse(text);
            auto* resp = std::get_if<ewstrigd::ews::response>(&r);
            if (resp == nullptr) return false;
            auto parsed = ewstrigd::ews::parse_events(*resp);
            auto* messages = std::get_if<std::vector<ewstrigd::ews::events_message>>(&parsed);
            if (messages == nullptr) return false;
            ++t.envelopes;
            for (const auto& m : *messages) {
                t.notifications += m.notifications.size();
                for (const auto& n : m.notifications) t.events += n.events.size();
            }
        }
    }
    return splitter.at_boundary();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: ews_parse_bench FILE [CHUNK_BYTES] [REPEAT]\n");
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string body = text.str();
    const std::size_t chunk = argc > 2 ? std::stoul(argv[2]) : 4096;
    const int repeat = argc > 3 ? std::stoi(argv[3]) : 5;
    if (body.empty() || chunk == 0 || repeat <= 0) {
        std::fprintf(stderr, "ews_parse_bench: empty body or bad arguments\n");
        return 2;
    }
    tally t;
    const double start = cpu_seconds();
    for (int i = 0; i < repeat; ++i) {
        if (!parse_body(body, chunk, t)) {
            std::fprintf(stderr, "ews_parse_bench: %s is not a clean GetStreamingEvents body\n", argv[1]);
            return 1;
        }
    }
    const double cpu = cpu_seconds() - start;
    const double mb = static_cast<double>(body.size()) * repeat / 1e6;
    std::printf("{\"parser\": \"ewstrigd\", \"bytes\": %zu, \"repeat\": %d, \"envelopes\": %zu, \"notifications\": %zu, "
                "\"events\": %zu, \"cpu_s\": %.6f, \"mb_per_s\": %.2f, \"notifications_per_s\": %.0f}\n",
                body.size(), repeat, t.envelopes, t.notifications, t.events, cpu, mb / cpu,
                static_cast<double>(t.notifications) / cpu);
    return 0;
}
