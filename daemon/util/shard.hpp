#pragma once
// Which instance watches which mailbox when ewstrigd runs as N instances
// (`--shard K/N`, DESIGN.md "Scale"). Pure.
//
// Rendezvous (highest random weight) hashing: every shard j gets the weight
// mix(seed_of(mailbox id), j) and the highest weight owns the mailbox. Every
// instance decides alone and all agree; going from N to N+1 instances moves
// only the mailboxes the new shard wins, about 1/(N+1) of them, so a scale-out
// re-syncs few mailboxes. Shards are numbered from 0, like Kubernetes
// StatefulSet ordinals: K/N with 0 <= K < N.

#include <string_view>

namespace ewstrigd::util {

struct shard {
    unsigned k = 0;
    unsigned n = 1;  // 1/1 owns everything: the unsharded default
};

// True when shard k of n owns `mailbox_id`. Requires k < n (false otherwise).
bool in_shard(std::string_view mailbox_id, unsigned k, unsigned n);
inline bool in_shard(std::string_view mailbox_id, shard s) { return in_shard(mailbox_id, s.k, s.n); }

// "K/N" (decimal, 0 <= K < N, 1 <= N <= max_shards). Throws std::invalid_argument
// with a message naming the text and what is expected: it is command-line input.
shard parse_shard(std::string_view text);

inline constexpr unsigned max_shards = 1024;

}  // namespace ewstrigd::util
