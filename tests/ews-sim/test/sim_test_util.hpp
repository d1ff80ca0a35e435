#pragma once
// Helpers for the ews-sim unit tests: requests as exchangelib writes them,
// and the simulator's replies parsed back with the daemon's ews parsers.
#include "ews/response.hpp"
#include "operations.hpp"
#include "store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

namespace ewstrigd::sim::test {

inline time_point t0() { return time_point{} + std::chrono::hours(24 * 19800); }  // 2024-03-18

// A SOAP request with exchangelib's header (impersonating `mailbox`) around `body`.
inline std::string soap_request(std::string_view body, std::string_view mailbox = "user0@example.com") {
    return std::string(
               "<?xml version='1.0' encoding='utf-8'?>\n"
               "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
               "xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" "
               "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><s:Header>"
               "<t:RequestServerVersion Version=\"Exchange2016\"/><t:ExchangeImpersonation><t:ConnectingSID>"
               "<t:PrimarySmtpAddress>") +
           std::string(mailbox) +
           "</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></s:Header><s:Body>" +
           std::string(body) + "</s:Body></s:Envelope>";
}

inline ews_outcome run(store& st, const std::string& xml, time_point now = t0()) {
    auto parsed = parse_ews_request(xml, caller{"svc", ""});
    if (auto* f = std::get_if<request_fault>(&parsed)) return fault_reply(f->code, f->message);
    return execute(st, std::get<ews_request>(parsed), now);
}

// The reply body of a non-streaming outcome (fails the test otherwise).
inline std::string reply_body(const ews_outcome& o, unsigned expected_status = 200) {
    const auto* r = std::get_if<soap_reply>(&o);
    EXPECT_NE(r, nullptr) << "expected a SOAP reply, got a stream";
    if (!r) return {};
    EXPECT_EQ(r->status, expected_status) << r->body;
    return r->body;
}

inline ews::response parse_response(const std::string& xml) {
    auto r = ews::response::parse(xml);
    if (auto* e = std::get_if<ews::parse_error>(&r)) {
        ADD_FAILURE() << e->message << "\n" << xml;
        return std::get<ews::response>(ews::response::parse(
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body/></s:Envelope>"));
    }
    return std::get<ews::response>(std::move(r));
}

template <class T>
const T& ok(const ews::parse_result<T>& r) {
    if (auto* e = std::get_if<ews::parse_error>(&r)) {
        ADD_FAILURE() << "parse error: " << e->message;
        static const T empty{};
        return empty;
    }
    return std::get<T>(r);
}

inline message sample_message(std::string subject = "Invoice 42") {
    message m;
    m.subject = std::move(subject);
    m.from = {"Supplier", "billing@supplier.example"};
    m.to = {{"", "user0@example.com"}};
    m.body = "Please pay & smile <now>";
    attachment a;
    a.name = "invoice-42.pdf";
    a.content_type = "application/pdf";
    a.content = "%PDF-1.4 fake";
    a.size = a.content.size();
    m.attachments.push_back(a);
    return m;
}

}  // namespace ewstrigd::sim::test
