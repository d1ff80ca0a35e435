#pragma once
// Running totals of all the watchers of one process, for /metrics
// (cli/daemon_reporting.cpp reads them at scrape time). Plain counters, no
// metric types: the watch loop does not know how they are exported.
//
// One object, owned by the daemon and shared by every watcher through
// watcher_hooks::totals, so the totals survive a mailbox that a reload
// restarts with a new watcher; reading them costs the same for 10 mailboxes
// as for 10,000. Loop affinity, like the watchers.
//
// Bounded: items_matched is keyed by trigger name (the config's), syncs by
// ews::next_step, ews_errors by error_label() and at most max_error_labels
// distinct labels (later ones count as "other").

#include "ews/error_policy.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace ewstrigd::watch {

inline constexpr std::size_t max_error_labels = 64;

struct watch_totals {
    // Rings from the doorbells: notifications, poll ticks, and the ring per
    // folder that follows each new subscription.
    std::uint64_t notifications = 0;
    // Folder syncs (SyncFolderItems from the stored state through the last
    // page, with the fetches and commits in between) by how they ended.
    std::map<ews::next_step, std::uint64_t> syncs;
    // New items the syncs recorded as seen: handed to the triggers (matched
    // or not) or recorded without a look (a new-only baseline, a folder no
    // trigger applies to, an item gone before its fetch).
    std::uint64_t items_seen = 0;
    std::uint64_t actions_enqueued = 0;  // outbox rows added
    // New items each trigger matched (an item matching two triggers counts once for each).
    std::map<std::string, std::uint64_t, std::less<>> items_matched;
    // Failed listens and syncs by error_label() of their code.
    std::map<std::string, std::uint64_t, std::less<>> ews_errors;
    // Waits before retrying, as the watchers scheduled them (back-off,
    // Retry-After, the slow retry of a failed mailbox), summed over mailboxes.
    std::chrono::milliseconds backoff{0};

    void count_error(std::string_view code);
};

// The ews_errors label of a failure's code: an EWS ResponseCode
// ("ErrorServerBusy"), "HTTP 503", "credentials:<kind>", or one of the
// source's own lower-case classes ("network", "unexpected-response",
// "stream-idle", ...); anything not shaped like these is "other".
std::string_view error_label(std::string_view code);

}  // namespace ewstrigd::watch
