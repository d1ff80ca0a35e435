#include "tls_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <functional>
#include <list>
#include <stdexcept>

namespace ewstrigd::test {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

namespace {

struct pem_pair {
    std::string cert;
    std::string key;
};

template <typename T, void (*Free)(T*)>
struct deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, BIO_free_all>>;

std::string to_pem(const std::function<int(BIO*)>& write) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    BUF_MEM* mem = nullptr;
    if (!bio || write(bio.get()) != 1 || BIO_ctrl(bio.get(), BIO_C_GET_BUF_MEM_PTR, 0, &mem) != 1) {
        throw std::runtime_error("PEM encoding failed");
    }
    return std::string(mem->data, mem->length);
}

pem_pair make_self_signed(const char* subject_alt_names) {
    pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    x509_ptr cert(X509_new());
    if (!key || !cert) throw std::runtime_error("OpenSSL allocation failed");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    const unsigned char cn[] = "ewstrigd test";
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, subject_alt_names},
                                     std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        if (ext == nullptr) throw std::runtime_error("X509 extension failed");
        X509_add_ext(cert.get(), ext, -1);
        X509_EXTENSION_free(ext);
    }
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) throw std::runtime_error("X509_sign failed");
    return {to_pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); }),
            to_pem([&](BIO* b) {
                return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
            })};
}

void rethrow(std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
}

}  // namespace

struct tls_server::state {
    explicit state(net::io_context& ioc) : acceptor(ioc), context(ssl::context::tls_server) {}

    tcp::acceptor acceptor;
    ssl::context context;
    pem_pair pem;
    std::list<std::weak_ptr<ssl::stream<tcp::socket>>> connections;
    std::size_t handshakes_failed = 0;
    std::size_t handshakes = 0;
    std::size_t requests = 0;
    bool keep_alive = false;
    std::string last_server_name;
    unsigned short port = 0;
};

namespace {

net::awaitable<void> serve(std::shared_ptr<tls_server::state> st, std::shared_ptr<ssl::stream<tcp::socket>> s) {
    if (auto [ec] = co_await s->async_handshake(ssl::stream_base::server, use_tuple); ec) {
        ++st->handshakes_failed;
        co_return;
    }
    ++st->handshakes;
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        if (auto [ec, n] = co_await http::async_read(*s, buffer, req, use_tuple); ec) co_return;
        ++st->requests;
        const char* sni = SSL_get_servername(s->native_handle(), TLSEXT_NAMETYPE_host_name);
        st->last_server_name = sni != nullptr ? sni : "";
        http::response<http::string_body> res{http::status::ok, 11};
        res.body() = "secure";
        const bool again = st->keep_alive && req.keep_alive();
        res.keep_alive(again);
        res.prepare_payload();
        if (auto [ec, n] = co_await http::async_write(*s, res, use_tuple); ec || !again) break;
    }
    co_await s->async_shutdown(use_tuple);
}

net::awaitable<void> accept_loop(std::shared_ptr<tls_server::state> st) {
    for (;;) {
        auto [ec, socket] = co_await st->acceptor.async_accept(use_tuple);
        if (ec) co_return;
        auto s = std::make_shared<ssl::stream<tcp::socket>>(std::move(socket), st->context);
        st->connections.push_back(s);
        net::co_spawn(st->acceptor.get_executor(), serve(st, std::move(s)), rethrow);
    }
}

}  // namespace

tls_server::tls_server(net::io_context& ioc, const char* subject_alt_names) : state_(std::make_shared<state>(ioc)) {
    state_->pem = make_self_signed(subject_alt_names);
    state_->context.use_certificate(net::buffer(state_->pem.cert), ssl::context::pem);
    state_->context.use_private_key(net::buffer(state_->pem.key), ssl::context::pem);
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    state_->port = state_->acceptor.local_endpoint().port();
    net::co_spawn(ioc, accept_loop(state_), rethrow);
}

tls_server::~tls_server() { stop(); }

std::string tls_server::url() const {
    return "https://127.0.0.1:" + std::to_string(state_->port) + "/";
}

const std::string& tls_server::cert_pem() const noexcept { return state_->pem.cert; }
const std::string& tls_server::key_pem() const noexcept { return state_->pem.key; }
std::size_t tls_server::handshakes_failed() const noexcept { return state_->handshakes_failed; }
std::size_t tls_server::requests() const noexcept { return state_->requests; }
std::size_t tls_server::handshakes() const noexcept { return state_->handshakes; }
void tls_server::keep_alive(bool on) noexcept { state_->keep_alive = on; }
const std::string& tls_server::last_server_name() const noexcept { return state_->last_server_name; }

void tls_server::stop() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (auto& weak : state_->connections) {
        if (auto s = weak.lock()) s->lowest_layer().close(ignored);
    }
}

}  // namespace ewstrigd::test
