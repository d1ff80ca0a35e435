#include "http/connection_pool.hpp"

#include <algorithm>
#include <utility>

namespace ewstrigd::http {

connection_pool::~connection_pool() {
    for (auto& [key, list] : idle_)
        for (auto& i : list) i.conn->close();
}

std::string connection_pool::key(const url_parts& url, const tls_options& tls) {
    std::string k = url.tls ? "https://" : "http://";
    k.append(url.host).append(":").append(url.port);
    // A connection verified against one CA file must not serve a request
    // that names another (or asks for verification where it was off).
    if (url.tls) k.append(tls.verify ? " verify " : " noverify ").append(tls.ca_file);
    return k;
}

std::shared_ptr<connection> connection_pool::take(const std::string& key, clock::time_point now) {
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    if (now - it->second.back().since >= max_idle_) {  // the newest is too old: so are all the others
        for (auto& i : it->second) i.conn->close();
        size_ -= it->second.size();
        idle_.erase(it);
        return nullptr;
    }
    auto c = std::move(it->second.back().conn);
    it->second.pop_back();
    if (it->second.empty()) idle_.erase(it);
    --size_;
    return c;
}

void connection_pool::put(const std::string& key, std::shared_ptr<connection> c, clock::time_point now) {
    auto& list = idle_[key];
    if (list.size() >= max_per_key_) {
        list.front().conn->close();
        list.erase(list.begin());
        --size_;
    }
    list.push_back({std::move(c), now});
    ++size_;
}

void connection_pool::expire(clock::time_point now) {
    for (auto it = idle_.begin(); it != idle_.end();) {
        auto& list = it->second;
        const auto fresh = std::find_if(list.begin(), list.end(), [&](const idle& i) { return now - i.since < max_idle_; });
        for (auto old = list.begin(); old != fresh; ++old) old->conn->close();
        size_ -= static_cast<std::size_t>(fresh - list.begin());
        list.erase(list.begin(), fresh);
        it = list.empty() ? idle_.erase(it) : std::next(it);
    }
}

}  // namespace ewstrigd::http
