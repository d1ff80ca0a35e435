#include "http/curl_multi.hpp"

#include "http/curl_error.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

#include <array>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

#include <sys/socket.h>
#include <unistd.h>

namespace ewstrigd::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct curl_multi::watched_socket {
    // tcp::socket: opened by us for curl. stream_descriptor: a dup of a
    // descriptor curl opened itself (resolver socketpair), so that closing
    // ours never closes theirs and a reused descriptor number never aliases.
    std::variant<tcp::socket, asio::posix::stream_descriptor> io;
    curl_socket_t fd;
    int want = CURL_POLL_NONE;
    std::array<bool, 2> waiting{};  // [0] read, [1] write
    unsigned generation = 0;        // handlers of an older generation are stale
    bool closed = false;

    template <typename Io>
    watched_socket(Io&& io_object, curl_socket_t s) : io(std::forward<Io>(io_object)), fd(s) {}

    bool owned() const noexcept { return io.index() == 0; }

    void cancel_waits() noexcept {
        boost::system::error_code ignored;
        std::visit([&](auto& o) { o.cancel(ignored); }, io);
        waiting = {false, false};
        ++generation;
    }

    void close() noexcept {
        boost::system::error_code ignored;
        std::visit([&](auto& o) { o.close(ignored); }, io);
        waiting = {false, false};
        ++generation;
        closed = true;
    }
};

namespace {

CURLM* make_multi() {
    // libcurl wants one global init before any other call; never cleaned up
    // because other libraries in the process may still use curl.
    static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (global != CURLE_OK) throw std::system_error(make_curl_error_code(global), "curl_global_init");
    CURLM* m = curl_multi_init();
    if (m == nullptr) throw std::system_error(make_error_code(errc::start_failed), "curl_multi_init");
    return m;
}

}  // namespace

constexpr long max_idle_connections = 256;

curl_multi::curl_multi(asio::io_context& ioc)
    : executor_(ioc.get_executor()), multi_(make_multi()), timer_(ioc),
      alive_(std::make_shared<curl_multi*>(this)) {
    const curl_socket_callback socket_cb = &curl_multi::on_socket;
    const curl_multi_timer_callback timer_cb = &curl_multi::on_timer;
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, static_cast<void*>(this));
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, static_cast<void*>(this));
    // Idle connections kept for reuse. libcurl's default grows with the
    // transfers ever added (4 each), so 10,000 mailboxes would keep about as
    // many idle sockets after start-up; a fixed cache serves the requests of
    // the mailboxes busy at one time and closes the rest. Too small a cache
    // trades idle sockets for new connections (and TIME_WAIT ports) during
    // start-up bursts, when thousands of mailboxes sync at once.
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, max_idle_connections);
}

curl_multi::~curl_multi() {
    alive_.reset();
    curl_multi_cleanup(multi_);  // closes cached connections through on_close_socket
    for (auto& entry : sockets_) entry.second->close();
}

boost::system::error_code curl_multi::add(CURL* easy, transfer& t) noexcept {
    const curl_opensocket_callback open_cb = &curl_multi::on_open_socket;
    const curl_closesocket_callback close_cb = &curl_multi::on_close_socket;
    curl_easy_setopt(easy, CURLOPT_PRIVATE, static_cast<void*>(&t));
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_cb);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, static_cast<void*>(this));
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, close_cb);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, static_cast<void*>(this));
    if (curl_multi_add_handle(multi_, easy) != CURLM_OK) return make_error_code(errc::start_failed);
    ++transfers_;
    return {};
}

void curl_multi::remove(CURL* easy) noexcept {
    if (curl_multi_remove_handle(multi_, easy) == CURLM_OK) --transfers_;
}

int curl_multi::on_socket(CURL*, curl_socket_t s, int what, void* userp, void*) noexcept {
    static_cast<curl_multi*>(userp)->watch(s, what);
    return 0;
}

int curl_multi::on_timer(CURLM*, long timeout_ms, void* userp) noexcept {
    // CURLMOPT_TIMERFUNCTION(3): never call libcurl from inside this callback;
    // each call replaces the timeout before it. libcurl calls only when its
    // earliest timeout changed, and after a wake-up that finds nothing
    // expired it does not call again for the same timeout: so every call
    // re-arms (a timer left to fire early would never be renewed).
    auto& self = *static_cast<curl_multi*>(userp);
    if (timeout_ms <= 0) {
        self.timer_.cancel();
        // Due now (a new transfer, a finished one's successor): a posted
        // handler rather than a timer, whose arming and firing each cost a
        // timerfd_settime, several times per request.
        if (timeout_ms == 0) self.post_timeout();
        return 0;
    }
    self.timer_.expires_after(std::chrono::milliseconds(timeout_ms));
    self.timer_.async_wait([alive = std::weak_ptr<curl_multi*>(self.alive_)](boost::system::error_code ec) {
        if (auto p = alive.lock(); p && !ec) (*p)->socket_action(CURL_SOCKET_TIMEOUT, 0);
    });
    return 0;
}

curl_socket_t curl_multi::on_open_socket(void* clientp, curlsocktype purpose, curl_sockaddr* address) noexcept {
    auto& self = *static_cast<curl_multi*>(clientp);
    if (purpose != CURLSOCKTYPE_IPCXN || address->socktype != SOCK_STREAM ||
        (address->family != AF_INET && address->family != AF_INET6)) {
        return CURL_SOCKET_BAD;
    }
    tcp::socket socket(self.executor_);
    boost::system::error_code ec;
    socket.open(address->family == AF_INET ? tcp::v4() : tcp::v6(), ec);
    if (ec) return CURL_SOCKET_BAD;
    const curl_socket_t fd = socket.native_handle();
    // The number may belong to a resolver descriptor curl just closed.
    if (auto it = self.sockets_.find(fd); it != self.sockets_.end()) {
        it->second->close();
        self.sockets_.erase(it);
    }
    self.sockets_.emplace(fd, std::make_shared<watched_socket>(std::move(socket), fd));
    return fd;
}

int curl_multi::on_close_socket(void* clientp, curl_socket_t s) noexcept {
    auto& self = *static_cast<curl_multi*>(clientp);
    if (auto it = self.sockets_.find(s); it != self.sockets_.end() && it->second->owned()) {
        it->second->close();  // pending waits complete with operation_aborted
        self.sockets_.erase(it);
        return 0;
    }
    return ::close(s);
}

void curl_multi::watch(curl_socket_t s, int what) {
    auto it = sockets_.find(s);
    if (what == CURL_POLL_REMOVE) {
        if (it == sockets_.end()) return;
        if (!it->second->owned()) {
            it->second->close();
            sockets_.erase(it);
            return;
        }
        it->second->want = CURL_POLL_NONE;
        arm(it->second);
        return;
    }
    if (it == sockets_.end()) {
        const int copy = ::dup(s);
        if (copy < 0) return;  // unwatched: curl still progresses on its timeouts
        boost::system::error_code ec;
        asio::posix::stream_descriptor d(executor_);
        d.assign(copy, ec);
        if (ec) {
            ::close(copy);
            return;
        }
        it = sockets_.emplace(s, std::make_shared<watched_socket>(std::move(d), s)).first;
    }
    it->second->want = what;
    arm(it->second);
}

void curl_multi::arm(const std::shared_ptr<watched_socket>& ws) {
    const std::array<bool, 2> wanted{(ws->want & CURL_POLL_IN) != 0, (ws->want & CURL_POLL_OUT) != 0};
    // Asio cancels per object, not per direction: cancel both, re-arm below.
    if ((ws->waiting[0] && !wanted[0]) || (ws->waiting[1] && !wanted[1])) ws->cancel_waits();
    for (std::size_t dir = 0; dir < 2; ++dir) {
        if (!wanted[dir] || ws->waiting[dir]) continue;
        ws->waiting[dir] = true;
        auto handler = [alive = std::weak_ptr<curl_multi*>(alive_), ws, dir,
                        generation = ws->generation](boost::system::error_code ec) {
            auto p = alive.lock();
            if (!p || ws->closed || ws->generation != generation) return;
            ws->waiting[dir] = false;
            if (ec == asio::error::operation_aborted) return;
            (*p)->socket_action(ws->fd, ec ? CURL_CSELECT_ERR : (dir == 0 ? CURL_CSELECT_IN : CURL_CSELECT_OUT));
            // Re-arm only after success: a persistent error would spin.
            if (!ec && !ws->closed) (*p)->arm(ws);
        };
        std::visit(
            [&](auto& o) {
                using io_type = std::decay_t<decltype(o)>;
                o.async_wait(dir == 0 ? io_type::wait_read : io_type::wait_write, std::move(handler));
            },
            ws->io);
    }
}

void curl_multi::post_timeout() {
    // One is enough: a timeout that libcurl asks for while it is queued is
    // handled by the same socket_action. One that outlives its reason (a
    // later call asked for more time) costs a socket_action that finds
    // nothing expired.
    if (timeout_posted_) return;
    timeout_posted_ = true;
    asio::post(executor_, [alive = std::weak_ptr<curl_multi*>(alive_)] {
        auto p = alive.lock();
        if (!p) return;
        (*p)->timeout_posted_ = false;
        (*p)->socket_action(CURL_SOCKET_TIMEOUT, 0);
    });
}

void curl_multi::socket_action(curl_socket_t s, int ev_bitmask) {
    int running = 0;
    curl_multi_socket_action(multi_, s, ev_bitmask, &running);
    schedule_read_info();
}

void curl_multi::schedule_read_info() {
    if (read_info_scheduled_) return;
    read_info_scheduled_ = true;
    // Completions run from here, never inside curl_multi_socket_action.
    asio::post(executor_, [alive = std::weak_ptr<curl_multi*>(alive_)] {
        if (auto p = alive.lock()) (*p)->read_info();
    });
}

void curl_multi::read_info() {
    read_info_scheduled_ = false;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL* easy = msg->easy_handle;  // msg dies with remove_handle
        const CURLcode result = msg->data.result;
        void* owner = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &owner);
        remove(easy);
        static_cast<transfer*>(owner)->on_done(result);
    }
}

}  // namespace ewstrigd::http
