#pragma once
// Fakes for the source unit tests: an http::client answering from a script
// (recording every request), a credential provider counting invalidations,
// and builders for the EWS answers the real samples do not cover.

#include "auth/credentials.hpp"
#include "ews/response.hpp"
#include "http/client.hpp"
#include "http/curl_error.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/io_context.hpp>

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace ewstrigd::testing {

struct scripted_reply {
    unsigned status = 200;
    std::string body;                 // buffered answer (and the body of non-2xx streams)
    std::vector<std::string> chunks;  // streamed 2xx answer, piece by piece
    http::header_list headers;
    boost::system::error_code ec;     // transport failure
    bool hang = false;                // never answers; only cancellation completes it
};

class fake_client final : public http::client {
public:
    explicit fake_client(boost::asio::io_context& ioc) : ioc_(ioc) {}

    std::deque<scripted_reply> script;
    std::vector<http::request> requests;
    unsigned aborted = 0;  // hanging requests completed by cancellation

    // The EWS operation of request `i` ("GetItem"), from its body.
    std::string operation(std::size_t i) const;
    std::vector<std::string> operations() const;

private:
    void async_send_impl(http::request req, http::chunk_handler on_chunk,
                         boost::asio::any_completion_handler<http::send_signature> handler) override;

    boost::asio::io_context& ioc_;
    std::optional<boost::asio::any_completion_handler<http::send_signature>> hanging_;
};

class fake_credentials final : public auth::credential_provider {
public:
    explicit fake_credentials(boost::asio::io_context& ioc) : ioc_(ioc) {}
    void invalidate() override { ++invalidated; }

    unsigned invalidated = 0;
    unsigned asked = 0;
    std::optional<auth::credential_failure> fail;  // answer with this instead

private:
    void async_credentials_impl(boost::asio::any_completion_handler<auth::credentials_signature> h) override;
    boost::asio::io_context& ioc_;
};

// Runs every ready handler of `ioc` (timers due now included) without
// blocking: a request that hangs keeps its operation pending.
void drain(boost::asio::io_context& ioc);

// SOAP answers in the Exchange 2013+ shape.
std::string soap_envelope(const std::string& body_content);
// <m:{op}ResponseMessage ResponseClass=..>ResponseCode + inner</...>
std::string response_message(const std::string& op, const std::string& inner, const std::string& code = "NoError");
// A whole response of `op` holding `messages`.
std::string ews_response(const std::string& op, const std::string& messages);
// GetFolder answer with one folder of this id.
std::string get_folder_response(const std::string& folder_id);
// A keep-alive streaming frame (ConnectionStatus OK, no notifications).
std::string keep_alive_frame();
// A SOAP fault with this ResponseCode (HTTP 500 body).
std::string soap_fault(const std::string& code);

}  // namespace ewstrigd::testing
