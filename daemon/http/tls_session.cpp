#include "http/tls_session.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

namespace ewstrigd::http {

namespace {

boost::system::error_code ssl_error(unsigned long code) {
    return {static_cast<int>(code), boost::asio::error::get_ssl_category()};
}

boost::system::error_code last_ssl_error() {
    unsigned long code = ERR_get_error();
    ERR_clear_error();
    return ssl_error(code != 0 ? code : static_cast<unsigned long>(ERR_PACK(ERR_LIB_SSL, 0, ERR_R_INTERNAL_ERROR)));
}

// A socket BIO whose writes cannot raise SIGPIPE (OpenSSL's own uses write()).
int socket_of(BIO* bio) { return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio))); }

int nosignal_write(BIO* bio, const char* data, std::size_t size, std::size_t* written) {
    BIO_clear_retry_flags(bio);
    const ssize_t n = ::send(socket_of(bio), data, size, MSG_NOSIGNAL);
    if (n >= 0) {
        *written = static_cast<std::size_t>(n);
        return 1;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) BIO_set_retry_write(bio);
    return 0;
}

int nosignal_read(BIO* bio, char* data, std::size_t size, std::size_t* got) {
    BIO_clear_retry_flags(bio);
    const ssize_t n = ::recv(socket_of(bio), data, size, 0);
    if (n > 0) {
        *got = static_cast<std::size_t>(n);
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(bio);
    else if (n == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
    return 0;
}

long nosignal_ctrl(BIO* bio, int cmd, long, void*) {
    switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_EOF: return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
    default: return 0;
    }
}

const BIO_METHOD* nosignal_socket_method() {
    static BIO_METHOD* const method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ewstrigd socket");
        BIO_meth_set_write_ex(m, nosignal_write);
        BIO_meth_set_read_ex(m, nosignal_read);
        BIO_meth_set_ctrl(m, nosignal_ctrl);
        return m;
    }();
    return method;
}

// Before every SSL call: SSL_get_error reads the thread's error queue and
// errno, which libcurl's own TLS requests on this thread may have left set.
void start_clean() {
    ERR_clear_error();
    errno = 0;
}

// The CA file a context trusts: the configured one, or the one
// SSL_CTX_set_default_verify_paths loads (SSL_CERT_FILE overrides it). The
// default directory needs no watching: OpenSSL looks certificates up there
// when it verifies.
std::string ca_file_of(const tls_options& options) {
    if (!options.ca_file.empty()) return options.ca_file;
    const char* env = std::getenv(X509_get_default_cert_file_env());
    return env != nullptr && *env != '\0' ? env : X509_get_default_cert_file();
}

long long nanoseconds(const timespec& t) { return static_cast<long long>(t.tv_sec) * 1'000'000'000 + t.tv_nsec; }

// A stat per stream start (once per mailbox per ~30 minutes), not per read.
tls_contexts::file_identity identify(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    return {static_cast<unsigned long long>(st.st_dev), static_cast<unsigned long long>(st.st_ino),
            static_cast<unsigned long long>(st.st_size), nanoseconds(st.st_mtim), nanoseconds(st.st_ctim)};
}

}  // namespace

tls_contexts::~tls_contexts() {
    for (auto& [key, entry] : contexts_) SSL_CTX_free(entry.context);
}

ssl_ctx_st* tls_contexts::get(const tls_options& options, boost::system::error_code& ec) {
    auto key = std::make_pair(options.verify, options.ca_file);
    const auto ca = options.verify ? identify(ca_file_of(options)) : file_identity{};
    if (auto it = contexts_.find(key); it != contexts_.end()) {
        if (it->second.ca == ca) return it->second.context;
        SSL_CTX_free(it->second.context);  // sessions made with it hold their own reference
        contexts_.erase(it);
    }
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) {
        ec = last_ssl_error();
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    // The point of this class: no record buffers kept while a stream is idle.
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (options.verify) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        const int loaded = options.ca_file.empty()
                               ? SSL_CTX_set_default_verify_paths(ctx)
                               : SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr);
        if (loaded != 1) {
            ec = last_ssl_error();
            SSL_CTX_free(ctx);
            return nullptr;
        }
    }
    contexts_.emplace(std::move(key), cached{ctx, ca});
    return ctx;
}

tls_session::tls_session(ssl_ctx_st* ctx, int fd, const std::string& host, boost::system::error_code& ec)
    : ssl_(SSL_new(ctx)) {
    BIO* bio = ssl_ != nullptr ? BIO_new(nosignal_socket_method()) : nullptr;
    if (bio == nullptr) {
        ec = last_ssl_error();
        return;
    }
    BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));
    BIO_set_init(bio, 1);
    SSL_set_bio(ssl_, bio, bio);
    SSL_set_connect_state(ssl_);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    // An IP address is checked against the certificate's IP entries, a name
    // against its DNS names; only names go in SNI (RFC 6066 §3).
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1 ||
            // SSL_set_tlsext_host_name, without the macro's C cast
            SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(host.c_str())) != 1) {
            ec = last_ssl_error();
        }
    }
}

tls_session::~tls_session() { SSL_free(ssl_); }

tls_session::want tls_session::handshake(boost::system::error_code& ec) {
    start_clean();
    return result(SSL_do_handshake(ssl_), ec);
}

tls_session::want tls_session::write(std::string_view data, std::size_t& written, boost::system::error_code& ec) {
    written = 0;
    start_clean();
    return result(SSL_write_ex(ssl_, data.data(), data.size(), &written), ec);
}

tls_session::want tls_session::read(char* buffer, std::size_t size, std::size_t& got, boost::system::error_code& ec) {
    got = 0;
    start_clean();
    const int rc = SSL_read_ex(ssl_, buffer, size, &got);
    if (rc != 1 && SSL_get_error(ssl_, rc) == SSL_ERROR_ZERO_RETURN) return want::nothing;  // close_notify
    return result(rc, ec);
}

tls_session::want tls_session::result(int rc, boost::system::error_code& ec) {
    if (rc == 1) return want::nothing;
    switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ: return want::readable;
    case SSL_ERROR_WANT_WRITE: return want::writable;
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        ec = errno != 0 && errno != EAGAIN ? boost::system::error_code(errno, boost::system::system_category())
                                           : boost::asio::ssl::error::stream_truncated;
        return want::nothing;
    default: ec = last_ssl_error(); return want::nothing;
    }
}

}  // namespace ewstrigd::http
