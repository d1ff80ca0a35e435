#include "http/curl_client.hpp"

#include "http/curl_error.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace ewstrigd::http {

namespace asio = boost::asio;

namespace {

constexpr std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

// curl_easy_setopt is variadic: every argument must already have the exact
// type the option documents (long, curl_off_t, a pointer), or it is UB.
class easy_options {
public:
    explicit easy_options(CURL* easy) noexcept : easy_(easy) {}

    template <typename T>
    void set(CURLoption option, T value) noexcept {
        static_assert(std::is_same_v<T, long> || std::is_same_v<T, curl_off_t> || std::is_pointer_v<T>);
        const CURLcode rc = curl_easy_setopt(easy_, option, value);
        if (first_error_ == CURLE_OK) first_error_ = rc;
    }
    void set(CURLoption option, const std::string& value) noexcept { set(option, value.c_str()); }

    CURLcode result() const noexcept { return first_error_; }

private:
    CURL* easy_;
    CURLcode first_error_ = CURLE_OK;
};

void set_method(easy_options& o, const request& r) {
    const bool send_body = !r.body.empty() || r.method == method::post || r.method == method::put ||
                           r.method == method::patch;
    switch (r.method) {
    case method::get: o.set(CURLOPT_HTTPGET, 1L); break;
    case method::head: o.set(CURLOPT_NOBODY, 1L); break;
    case method::post: o.set(CURLOPT_POST, 1L); break;
    case method::put: o.set(CURLOPT_CUSTOMREQUEST, "PUT"); break;
    case method::patch: o.set(CURLOPT_CUSTOMREQUEST, "PATCH"); break;
    case method::delete_: o.set(CURLOPT_CUSTOMREQUEST, "DELETE"); break;
    }
    if (send_body) {
        // Not copied by curl: the transfer keeps the request alive.
        o.set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
        o.set(CURLOPT_POSTFIELDS, r.body.data());
    }
}

void set_auth(easy_options& o, const http::auth& a) {
    if (const auto* bearer = std::get_if<bearer_auth>(&a)) {
        o.set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BEARER));
        o.set(CURLOPT_XOAUTH2_BEARER, bearer->token);
    } else if (const auto* basic = std::get_if<basic_auth>(&a)) {
        o.set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
        o.set(CURLOPT_USERNAME, basic->username);
        o.set(CURLOPT_PASSWORD, basic->password);
    } else if (const auto* ntlm = std::get_if<ntlm_auth>(&a)) {
        o.set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_NTLM));
        o.set(CURLOPT_USERNAME, ntlm->username);
        o.set(CURLOPT_PASSWORD, ntlm->password);
    }
}

// libcurl's minimums (CURLOPT_BUFFERSIZE(3), CURLOPT_UPLOAD_BUFFERSIZE(3)).
constexpr long stream_receive_buffer = 1024;
constexpr long stream_upload_buffer = 16 * 1024;

// scheme://host:port of `url`, the unit requests take turns in.
std::string origin_of(const std::string& url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return url;
    return url.substr(0, url.find_first_of("/?#", scheme_end + 3));
}

curl_slist* make_header_list(const header_list& headers) {
    curl_slist* list = nullptr;
    bool has_expect = false;
    for (const auto& h : headers) {
        has_expect = has_expect || h.name == "Expect";
        list = curl_slist_append(list, (h.name + ": " + h.value).c_str());
    }
    // Without this curl waits up to a second for "100 Continue" before
    // sending a large POST body.
    if (!has_expect) list = curl_slist_append(list, "Expect:");
    return list;
}

}  // namespace

class curl_client::transfer final : public curl_multi::transfer,
                                    public origin_turns::taker,
                                    public std::enable_shared_from_this<transfer> {
public:
    transfer(curl_client& owner, request req, chunk_handler on_chunk,
             asio::any_completion_handler<send_signature> handler)
        : owner_(&owner), request_(std::move(req)), on_chunk_(std::move(on_chunk)), handler_(std::move(handler)) {}

    /// Buffered requests take turns per origin; streams do not.
    bool takes_turns() const noexcept { return !on_chunk_; }
    std::string origin() const { return origin_of(request_.url); }
    bool waiting() const noexcept override { return !done_; }
    void take_turn(const std::string& origin) override {
        hold_turn(origin);
        start();
    }
    void hold_turn(std::string origin) {
        turn_origin_ = std::move(origin);
        holds_turn_ = true;
    }

    ~transfer() {
        curl_easy_cleanup(easy_);  // only when complete() could not hand it back
        curl_slist_free_all(headers_);
    }
    transfer(const transfer&) = delete;
    transfer& operator=(const transfer&) = delete;

    void start() {
        if (done_) return;
        // Not before: a request waiting for its turn holds no easy handle.
        // Streams set their own buffer sizes (configure): their handles are
        // never shared with buffered requests (curl_client.hpp).
        easy_ = on_chunk_ ? curl_easy_init() : owner_->take_easy();
        if (easy_ == nullptr) return complete(make_error_code(errc::start_failed));
        if (const CURLcode rc = configure(); rc != CURLE_OK) return complete(make_curl_error_code(rc));
        if (auto ec = owner_->multi_.add(easy_, *this)) return complete(ec);
        in_multi_ = true;
    }

    // Also while waiting for a turn.
    void watch_cancellation() {
        auto slot = asio::get_associated_cancellation_slot(handler_);
        if (slot.is_connected()) {
            // Posted: complete() clears the slot, which must not happen inside emit().
            slot.assign([weak = weak_from_this(), ex = owner_->multi_.get_executor()](asio::cancellation_type) {
                asio::post(ex, [weak] {
                    if (auto self = weak.lock()) self->complete(asio::error::operation_aborted);
                });
            });
        }
    }

    void on_done(CURLcode result) noexcept override {
        in_multi_ = false;
        auto self = shared_from_this();  // the last chunk's receiver may end this request
        if (!pending_.empty()) deliver();
        if (result == CURLE_WRITE_ERROR && body_too_large_) return complete(make_error_code(errc::body_too_large));
        complete(make_curl_error_code(result));
    }

    /// Removes the easy handle if needed and posts the completion; idempotent.
    void complete(boost::system::error_code ec) {
        if (done_) return;
        done_ = true;
        if (in_multi_) {
            owner_->multi_.remove(easy_);
            in_multi_ = false;
        }
        // Out of the multi: no libcurl callback reaches this transfer again.
        if (!on_chunk_) owner_->recycle(std::exchange(easy_, nullptr));
        if (auto slot = asio::get_associated_cancellation_slot(handler_); slot.is_connected()) slot.clear();
        auto self = shared_from_this();  // the owner's reference goes away below
        owner_->transfers_.erase(this);
        asio::post(owner_->multi_.get_executor(), asio::append(std::move(handler_), ec, std::move(response_)));
        if (std::exchange(holds_turn_, false)) owner_->turns_.release(turn_origin_);
    }

private:
    CURLcode configure() {
        easy_options o(easy_);
        o.set(CURLOPT_URL, request_.url);
        o.set(CURLOPT_PROTOCOLS_STR, "http,https");
        o.set(CURLOPT_NOSIGNAL, 1L);
        o.set(CURLOPT_TCP_KEEPALIVE, 1L);
        set_method(o, request_);
        headers_ = make_header_list(request_.headers);
        request_.headers = {};  // curl reads the list above; one copy is enough
        o.set(CURLOPT_HTTPHEADER, headers_);
        o.set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request_.timeouts.connect.count()));
        o.set(CURLOPT_TIMEOUT_MS, static_cast<long>(request_.timeouts.total.count()));
        if (request_.timeouts.idle.count() > 0) {
            o.set(CURLOPT_LOW_SPEED_LIMIT, request_.timeouts.low_speed_bytes);
            o.set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(request_.timeouts.idle.count()));
        }
        o.set(CURLOPT_SSL_VERIFYPEER, request_.tls.verify ? 1L : 0L);
        o.set(CURLOPT_SSL_VERIFYHOST, request_.tls.verify ? 2L : 0L);
        if (!request_.tls.ca_file.empty()) o.set(CURLOPT_CAINFO, request_.tls.ca_file);
        set_auth(o, request_.auth);
        if (on_chunk_) {
            // A stream keeps its easy handle for up to 30 minutes of mostly
            // silence, one per mailbox (issue 8), and with it curl's
            // per-handle buffers: the receive buffer (16 KiB by default) and,
            // over HTTPS/1.1, the upload buffer the request was copied into
            // (64 KiB). Both at libcurl's minimum: a notification larger than
            // the receive buffer arrives in more pieces, a body larger than
            // the upload buffer goes out in more writes. Buffered requests
            // keep the defaults (a 25 MiB GetItem): their handles end with them.
            o.set(CURLOPT_BUFFERSIZE, stream_receive_buffer);
            o.set(CURLOPT_UPLOAD_BUFFERSIZE, stream_upload_buffer);
        }
        const curl_write_callback write_cb = &transfer::on_write;
        const curl_write_callback header_cb = &transfer::on_header;
        o.set(CURLOPT_WRITEFUNCTION, write_cb);
        o.set(CURLOPT_WRITEDATA, static_cast<void*>(this));
        o.set(CURLOPT_HEADERFUNCTION, header_cb);
        o.set(CURLOPT_HEADERDATA, static_cast<void*>(this));
        return o.result();
    }

    bool streaming() const noexcept {
        return on_chunk_ && response_.status >= 200 && response_.status < 300;
    }

    // Runs inside libcurl: no user code and no libcurl calls here.
    static std::size_t on_write(char* data, std::size_t size, std::size_t n, void* userp) noexcept {
        auto& t = *static_cast<transfer*>(userp);
        const std::size_t len = size * n;
        if (t.streaming()) {
            if (!t.pending_.empty()) {
                t.paused_ = true;  // curl keeps this data and offers it again on unpause
                return CURL_WRITEFUNC_PAUSE;
            }
            t.pending_.assign(data, len);
            asio::post(t.owner_->multi_.get_executor(), [weak = t.weak_from_this()] {
                if (auto self = weak.lock()) self->deliver();
            });
            return len;
        }
        if (len > t.request_.max_body_size - t.response_.body.size()) {
            t.body_too_large_ = true;
            return 0;
        }
        t.response_.body.append(data, len);
        return len;
    }

    static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* userp) noexcept {
        auto& t = *static_cast<transfer*>(userp);
        const std::size_t len = size * n;
        const std::string_view line = trim(std::string_view(data, len));
        if (line.starts_with("HTTP/")) {
            // Each status line (100 Continue, an NTLM 401, the final answer)
            // starts a new response; keep only the last one.
            t.response_.headers.clear();
            t.response_.body.clear();
            t.response_.status = 0;
            if (const auto sp = line.find(' '); sp != std::string_view::npos) {
                const auto code = line.substr(sp + 1, 3);
                for (const char c : code) {
                    if (c < '0' || c > '9') break;
                    t.response_.status = t.response_.status * 10 + static_cast<unsigned>(c - '0');
                }
            }
        } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
            t.response_.headers.push_back(
                {std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
        }
        return len;
    }

    void deliver() {
        if (done_ || pending_.empty()) return;
        const std::string chunk = std::move(pending_);
        pending_.clear();
        auto self = shared_from_this();  // on_chunk may cancel us
        const bool more = on_chunk_(chunk);
        if (done_) return;
        if (!more) return complete(make_error_code(errc::receiver_stopped));
        if (paused_ && in_multi_) {
            paused_ = false;
            curl_easy_pause(easy_, CURLPAUSE_CONT);  // may call on_write right away
        }
    }

    curl_client* owner_;
    CURL* easy_ = nullptr;
    curl_slist* headers_ = nullptr;
    request request_;
    chunk_handler on_chunk_;
    asio::any_completion_handler<send_signature> handler_;
    response response_;
    std::string pending_;  // streamed bytes not yet handed to on_chunk_
    std::string turn_origin_;
    bool holds_turn_ = false;
    bool paused_ = false;
    bool in_multi_ = false;
    bool done_ = false;
    bool body_too_large_ = false;
};

curl_client::~curl_client() {
    turns_.clear();  // nothing waits for a turn any more
    while (!transfers_.empty()) transfers_.begin()->second->complete(asio::error::operation_aborted);
    for (CURL* easy : spare_) curl_easy_cleanup(easy);
}

CURL* curl_client::take_easy() {
    if (spare_.empty()) return curl_easy_init();
    CURL* easy = spare_.back();
    spare_.pop_back();
    return easy;
}

void curl_client::recycle(CURL* easy) {
    if (easy == nullptr) return;
    if (spare_.size() >= spare_handles) return curl_easy_cleanup(easy);
    curl_easy_reset(easy);  // every option set by configure() is set again
    spare_.push_back(easy);
}

void curl_client::async_send_impl(request req, chunk_handler on_chunk,
                                  asio::any_completion_handler<send_signature> handler) {
    auto t = std::make_shared<transfer>(*this, std::move(req), std::move(on_chunk), std::move(handler));
    transfers_.emplace(t.get(), t);
    t->watch_cancellation();
    if (!t->takes_turns()) return t->start();
    auto origin = t->origin();
    if (!turns_.take_or_wait(origin, t)) return;
    t->hold_turn(std::move(origin));
    t->start();
}

}  // namespace ewstrigd::http
