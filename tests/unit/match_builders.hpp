#pragma once
// Terse builders for match:: condition trees and messages, shared by the
// match_*_test.cpp files. Regexes are compiled the way the config loader does.

#include "match/condition.hpp"
#include "match/evaluate.hpp"
#include "match/message.hpp"

#include <re2/re2.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ewstrigd::match::build {

inline text_test glob(std::string p, bool case_sensitive = false) {
    return {text_test::kind::glob, std::move(p), case_sensitive, nullptr};
}
inline text_test contains(std::string p, bool case_sensitive = false) {
    return {text_test::kind::contains, std::move(p), case_sensitive, nullptr};
}
inline text_test equals(std::string p, bool case_sensitive = false) {
    return {text_test::kind::equals, std::move(p), case_sensitive, nullptr};
}
inline text_test regex(std::string p, bool case_sensitive = false) {
    re2::RE2::Options options;
    options.set_case_sensitive(case_sensitive);
    options.set_log_errors(false);
    auto re = std::make_shared<const re2::RE2>(p, options);
    if (!re->ok()) throw std::invalid_argument("bad test regex: " + re->error());
    return {text_test::kind::regex, std::move(p), case_sensitive, std::move(re)};
}

inline condition from(text_test t) { return {address_condition{address_field::from, std::move(t)}}; }
inline condition to(text_test t) { return {address_condition{address_field::to, std::move(t)}}; }
inline condition cc(text_test t) { return {address_condition{address_field::cc, std::move(t)}}; }
inline condition subject(text_test t) { return {text_condition{text_field::subject, std::move(t)}}; }
inline condition body(text_test t) { return {text_condition{text_field::body, std::move(t)}}; }
inline condition folder(text_test t) { return {text_condition{text_field::folder, std::move(t)}}; }
inline condition attachment_name(text_test t) { return {attachment_name_condition{std::move(t)}}; }
inline condition categories(text_test t) { return {categories_condition{std::move(t)}}; }

inline condition all(std::vector<condition> c) { return {combinator{combinator::kind::all, std::move(c)}}; }
inline condition any(std::vector<condition> c) { return {combinator{combinator::kind::any, std::move(c)}}; }
inline condition not_(condition c) {
    return {combinator{combinator::kind::not_, std::vector<condition>{std::move(c)}}};
}

// 2026-11-28T10:11:12Z
inline std::chrono::sys_seconds at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
    using namespace std::chrono;
    return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

// An invoice from a supplier, the way the mail readers fill it.
inline message invoice_message() {
    message m;
    m.item_id = "AAMkAGI2TG93AAA=";
    m.subject = "Invoice 4711 for October";
    m.from = {"Billing Team", "billing@supplier.example"};
    m.to = {{"Invoices", "invoices@contoso.com"}, {"", "ap@contoso.com"}};
    m.cc = {{"Jane Doe", "jane.doe@contoso.com"}};
    m.body = "Dear customer,\nplease find attached invoice 4711.\nKind regards";
    m.attachments = {{"INV-4711.PDF", 48'213, "application/pdf", false},
                     {"logo.png", 2'048, "image/png", true}};
    m.has_attachments = true;
    m.importance_level = importance::normal;
    m.categories = {"Finance", "To Do"};
    m.is_read = false;
    m.received = at(2026, 11, 28, 10, 11, 12);
    m.headers = {{"Received", "from mx1.supplier.example"},
                 {"X-Mailer", "SupplierERP 9.1"},
                 {"Received", "from relay.contoso.com"},
                 {"List-Id", "<billing.supplier.example>"}};
    m.folder = "Inbox";
    return m;
}

inline std::chrono::system_clock::time_point default_now() { return at(2026, 11, 28, 12, 0, 0); }

inline bool matches(const condition& c, const message& m = invoice_message(),
                    std::chrono::system_clock::time_point now = default_now()) {
    return evaluate(c, m, now).matched;
}

}  // namespace ewstrigd::match::build
