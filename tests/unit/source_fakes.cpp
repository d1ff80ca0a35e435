#include "source_fakes.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <variant>

namespace ewstrigd::testing {

namespace net = boost::asio;

std::string fake_client::operation(std::size_t i) const {
    if (i >= requests.size()) return "<no request " + std::to_string(i) + ">";
    auto parsed = ews::response::parse(requests[i].body);
    if (auto* r = std::get_if<ews::response>(&parsed)) return r->operation();
    return "<not SOAP>";
}

std::vector<std::string> fake_client::operations() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < requests.size(); ++i) out.push_back(operation(i));
    return out;
}

void fake_client::async_send_impl(http::request req, http::chunk_handler on_chunk,
                                  net::any_completion_handler<http::send_signature> handler) {
    requests.push_back(req);
    if (script.empty()) {
        ADD_FAILURE() << "unscripted request: " << operation(requests.size() - 1);
        net::post(ioc_, net::append(std::move(handler), make_error_code(boost::system::errc::connection_refused),
                                    http::response{}));
        return;
    }
    auto reply = std::move(script.front());
    script.pop_front();
    if (reply.hang) {
        auto slot = net::get_associated_cancellation_slot(handler);
        EXPECT_TRUE(slot.is_connected()) << "a request that may hang must be cancellable";
        hanging_.emplace(std::move(handler));
        if (slot.is_connected()) {
            slot.assign([this](net::cancellation_type) {
                ++aborted;
                auto h = std::move(*hanging_);
                hanging_.reset();
                net::post(ioc_, net::append(std::move(h), net::error::operation_aborted, http::response{}));
            });
        }
        return;
    }
    net::post(ioc_, [reply = std::move(reply), on_chunk = std::move(on_chunk), h = std::move(handler)]() mutable {
        http::response res;
        res.status = reply.status;
        res.headers = reply.headers;
        const bool streamed = on_chunk && reply.status >= 200 && reply.status < 300;
        if (streamed) {
            for (const auto& c : reply.chunks) {
                if (!on_chunk(c)) {
                    std::move(h)(make_error_code(http::errc::receiver_stopped), std::move(res));
                    return;
                }
            }
        } else {
            res.body = reply.body;
        }
        std::move(h)(reply.ec, std::move(res));
    });
}

void fake_credentials::async_credentials_impl(net::any_completion_handler<auth::credentials_signature> h) {
    ++asked;
    http::auth a = http::bearer_auth{"token-" + std::to_string(invalidated)};
    net::post(ioc_, net::append(std::move(h), fail, std::move(a)));
}

void drain(net::io_context& ioc) {
    for (int idle = 0; idle < 3;) {
        ioc.restart();
        idle = ioc.poll() == 0 ? idle + 1 : 0;
    }
}

std::string soap_envelope(const std::string& body_content) {
    return R"(<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">)"
           R"(<s:Body>)" + body_content + "</s:Body></s:Envelope>";
}

std::string response_message(const std::string& op, const std::string& inner, const std::string& code) {
    const std::string klass = code == "NoError" ? "Success" : "Error";
    return "<m:" + op + "ResponseMessage ResponseClass=\"" + klass + "\"><m:ResponseCode>" + code +
           "</m:ResponseCode>" + inner + "</m:" + op + "ResponseMessage>";
}

std::string ews_response(const std::string& op, const std::string& messages) {
    return soap_envelope("<m:" + op +
                         "Response xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" "
                         "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><m:ResponseMessages>" +
                         messages + "</m:ResponseMessages></m:" + op + "Response>");
}

std::string get_folder_response(const std::string& folder_id) {
    return ews_response("GetFolder", response_message("GetFolder", "<m:Folders><t:Folder><t:FolderId Id=\"" + folder_id +
                                                                       "\" ChangeKey=\"AQAAAA==\"/></t:Folder></m:Folders>"));
}

std::string keep_alive_frame() {
    return ews_response("GetStreamingEvents",
                        response_message("GetStreamingEvents", "<m:ConnectionStatus>OK</m:ConnectionStatus>"));
}

std::string soap_fault(const std::string& code) {
    return soap_envelope(
        "<s:Fault><faultcode xmlns:a=\"http://schemas.microsoft.com/exchange/services/2006/types\">a:" + code +
        "</faultcode><faultstring>" + code + "</faultstring><detail><e:ResponseCode "
        "xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">" + code +
        "</e:ResponseCode></detail></s:Fault>");
}

}  // namespace ewstrigd::testing
