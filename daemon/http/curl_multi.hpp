#pragma once
// libcurl's multi interface driven by one boost::asio::io_context through the
// socket API (the shape of MPD src/lib/curl/Global.cxx, the Asio details of
// curl docs/examples/asiohiper.cpp).
//
// - Loop affinity: every member is called on the thread running the
//   io_context, never from inside a libcurl callback.
// - Asio owns each socket curl connects with (CURLOPT_OPENSOCKETFUNCTION /
//   CLOSESOCKETFUNCTION, IPv4 and IPv6); other descriptors curl asks us to
//   watch (the threaded resolver's socketpair) are watched through a dup.
// - One multi handle = one connection cache: transfers reuse connections.
// - transfer::on_done runs from a handler posted after
//   curl_multi_socket_action returned, so it may remove/add transfers or
//   destroy its own transfer, but not the curl_multi.
// - Destroy the curl_multi after every transfer has been removed or done; its
//   pending Asio handlers may outlive it safely.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <curl/curl.h>

#include <cstddef>
#include <memory>
#include <unordered_map>

namespace ewstrigd::http {

class curl_multi {
public:
    using executor_type = boost::asio::io_context::executor_type;

    /// Implemented by whoever owns an easy handle added to the multi.
    class transfer {
    public:
        /// The easy handle has already been removed from the multi handle.
        virtual void on_done(CURLcode result) noexcept = 0;

    protected:
        ~transfer() = default;
    };

    explicit curl_multi(boost::asio::io_context& ioc);
    ~curl_multi();
    curl_multi(const curl_multi&) = delete;
    curl_multi& operator=(const curl_multi&) = delete;

    executor_type get_executor() const noexcept { return executor_; }

    /// Starts `easy`; sets its CURLOPT_PRIVATE and socket callbacks. `t` must
    /// stay alive until on_done or remove(). Error: errc::start_failed.
    boost::system::error_code add(CURL* easy, transfer& t) noexcept;
    /// Stops `easy` without calling on_done (curl closes a half-used connection).
    void remove(CURL* easy) noexcept;

    std::size_t transfers() const noexcept { return transfers_; }
    std::size_t sockets() const noexcept { return sockets_.size(); }

private:
    struct watched_socket;

    static int on_socket(CURL*, curl_socket_t s, int what, void* userp, void* socketp) noexcept;
    static int on_timer(CURLM*, long timeout_ms, void* userp) noexcept;
    static curl_socket_t on_open_socket(void* clientp, curlsocktype, curl_sockaddr* address) noexcept;
    static int on_close_socket(void* clientp, curl_socket_t s) noexcept;

    void watch(curl_socket_t s, int what);
    void arm(const std::shared_ptr<watched_socket>& ws);
    /// socket_action(CURL_SOCKET_TIMEOUT) from a posted handler: a 0 ms timeout.
    void post_timeout();
    void socket_action(curl_socket_t s, int ev_bitmask);
    void schedule_read_info();
    void read_info();

    executor_type executor_;
    CURLM* multi_;
    boost::asio::steady_timer timer_;
    std::unordered_map<curl_socket_t, std::shared_ptr<watched_socket>> sockets_;
    std::size_t transfers_ = 0;
    bool read_info_scheduled_ = false;
    bool timeout_posted_ = false;
    /// Handlers hold a weak_ptr to this so those outliving us do nothing.
    std::shared_ptr<curl_multi*> alive_;
};

}  // namespace ewstrigd::http
