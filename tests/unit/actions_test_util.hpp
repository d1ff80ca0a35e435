#pragma once
// Jobs and actions for the actions unit tests.

#include "actions/job.hpp"

#include <string>

namespace ewstrigd::actions::testing {

inline match::template_text tmpl(const std::string& text) {
    return std::get<match::template_text>(match::parse_template(text));
}

inline config::templated templ(const std::string& text) { return {tmpl(text), false}; }

// A job with a full message: non-ASCII subject, two recipients, an attachment.
inline job sample_job() {
    job j;
    j.event_id = "ev-42";
    j.mailbox = "invoices";
    j.folder = "inbox";
    j.item_id = "AAMkAD=";
    j.trigger = "supplier-invoice";
    j.action_index = 1;
    auto& m = j.data.message;
    m.subject = "Rechnung 4711 – Grüße";
    m.from = {"Supplier AG", "billing@supplier.example"};
    m.to = {{"Invoices", "invoices@contoso.com"}, {"", "ap@contoso.com"}};
    m.cc = {{"Boss", "boss@contoso.com"}};
    m.body = "Please pay.";
    m.attachments = {{"4711.pdf", 12345, "application/pdf", false}};
    m.has_attachments = true;
    m.importance_level = match::importance::high;
    m.categories = {"Finance"};
    m.received = std::chrono::sys_seconds{std::chrono::seconds{1795860672}};  // 2026-11-28T10:11:12Z
    m.headers = {{"X-Mailer", "Test"}, {"Received", "from a"}, {"Received", "from b"}};
    j.data.captures = {{"number", "4711"}};
    return j;
}

}  // namespace ewstrigd::actions::testing
