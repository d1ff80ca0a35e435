#pragma once
// A minimal HTTPS server for TLS tests, on the same io_context as the client.
//
// - Uses a throwaway self-signed certificate for IP 127.0.0.1 (or the
//   subjectAltName given), generated at construction with OpenSSL's C API
//   (nothing on disk unless the test writes cert_pem() to a CA file). It
//   listens on 127.0.0.1 either way.
// - Every connection: TLS handshake, one request, "200 secure", close; or,
//   after keep_alive(true), as many requests as the client sends on it.
//   Handshakes are counted, those that fail too (a verifying client rejects us).
// - stop() (and the destructor) closes the acceptor and open connections.

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace ewstrigd::test {

class tls_server {
public:
    explicit tls_server(boost::asio::io_context& ioc, const char* subject_alt_names = "IP:127.0.0.1");
    ~tls_server();
    tls_server(const tls_server&) = delete;
    tls_server& operator=(const tls_server&) = delete;

    std::string url() const;                  ///< https://127.0.0.1:PORT/
    const std::string& cert_pem() const noexcept;
    const std::string& key_pem() const noexcept;  ///< for other servers that need a loopback certificate
    std::size_t handshakes_failed() const noexcept;
    std::size_t handshakes() const noexcept;  ///< that succeeded
    void keep_alive(bool on) noexcept;
    std::size_t requests() const noexcept;
    /// The SNI host name of the last request's connection ("" without SNI).
    const std::string& last_server_name() const noexcept;
    void stop();

    struct state;

private:
    std::shared_ptr<state> state_;
};

}  // namespace ewstrigd::test
