#include "options.hpp"

#include <charconv>
#include <stdexcept>
#include <utility>

namespace ewstrigd::sim {
namespace {

std::uint64_t to_number(const std::string& s, const std::string& what) {
    std::uint64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) throw std::invalid_argument(what + ": not a number: " + s);
    return v;
}

// All three JWT options or none; and a verified token means nothing next to "any token goes".
void check_jwt_options(const auth_config& auth) {
    const auto& j = auth.jwt;
    if (j.jwks_url.empty() && j.issuer.empty() && j.audience.empty()) return;
    for (const auto& [name, v] : {std::pair{"--jwks-url", &j.jwks_url}, std::pair{"--issuer", &j.issuer},
                                  std::pair{"--audience", &j.audience}}) {
        if (v->empty()) {
            throw std::invalid_argument(std::string("--jwks-url, --issuer and --audience go together: ") + name +
                                        " is missing");
        }
    }
    if (auth.any_token) throw std::invalid_argument("--insecure-any-token and --jwks-url exclude each other");
}

}  // namespace

const char* const usage =
    "usage: ews-sim [--listen HOST:PORT] [--user NAME:PASSWORD]...\n"
    "               [--insecure-any-token | --jwks-url URL --issuer ISS --audience AUD]\n"
    "               [--mailboxes N] [--keepalive-ms MS] [--minute-ms MS] [--tls-cert PEM --tls-key PEM]\n"
    "               [--max-streams-per-mailbox N] [--max-subscriptions-per-mailbox N]\n"
    "               [--request-budget N [--budget-window-ms MS]] [--send-as ADDRESS]...\n"
    "               [--backends N]\n"
    "Serves EWS on http://HOST:PORT/EWS/Exchange.asmx (https with --tls-cert/--tls-key) and the admin API\n"
    "under /admin/. PORT 0 picks a free port; 'listening on http(s)://HOST:PORT' is printed once ready.\n";

options parse_options(const std::vector<std::string>& args) {
    options o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        const auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw std::invalid_argument(a + " needs a value");
            return args[++i];
        };
        if (a == "--help" || a == "-h") {
            o.help = true;
        } else if (a == "--listen") {
            const auto& v = value();
            const auto colon = v.rfind(':');
            if (colon == std::string::npos) throw std::invalid_argument("--listen wants HOST:PORT, got " + v);
            o.host = v.substr(0, colon);
            const auto port = to_number(v.substr(colon + 1), "--listen");
            if (port > 65535) throw std::invalid_argument("--listen: port out of range");
            o.port = static_cast<std::uint16_t>(port);
        } else if (a == "--user") {
            const auto& v = value();
            const auto colon = v.find(':');
            if (colon == std::string::npos) throw std::invalid_argument("--user wants NAME:PASSWORD");
            o.auth.users[v.substr(0, colon)] = v.substr(colon + 1);
        } else if (a == "--insecure-any-token") {
            o.auth.any_token = true;
        } else if (a == "--jwks-url") {
            o.auth.jwt.jwks_url = value();
        } else if (a == "--issuer") {
            o.auth.jwt.issuer = value();
        } else if (a == "--audience") {
            o.auth.jwt.audience = value();
        } else if (a == "--mailboxes") {
            o.mailboxes = static_cast<unsigned>(to_number(value(), "--mailboxes"));
        } else if (a == "--keepalive-ms") {
            o.keepalive = std::chrono::milliseconds(to_number(value(), "--keepalive-ms"));
        } else if (a == "--minute-ms") {
            o.minute = std::chrono::milliseconds(to_number(value(), "--minute-ms"));
        } else if (a == "--tls-cert") {
            o.tls_cert = value();
        } else if (a == "--tls-key") {
            o.tls_key = value();
        } else if (a == "--max-streams-per-mailbox") {
            o.throttle.max_streams = static_cast<unsigned>(to_number(value(), a));
        } else if (a == "--max-subscriptions-per-mailbox") {
            o.throttle.max_subscriptions = static_cast<unsigned>(to_number(value(), a));
        } else if (a == "--request-budget") {
            o.throttle.request_budget = static_cast<unsigned>(to_number(value(), a));
        } else if (a == "--budget-window-ms") {
            o.throttle.window = std::chrono::milliseconds(to_number(value(), a));
        } else if (a == "--backends") {
            o.backends = static_cast<unsigned>(to_number(value(), a));
            if (o.backends == 0) throw std::invalid_argument("--backends must be at least 1");
        } else if (a == "--send-as") {
            o.send_as.push_back(value());
        } else {
            throw std::invalid_argument("unknown option " + a);
        }
    }
    if (o.keepalive.count() == 0 || o.minute.count() == 0 || o.throttle.window.count() == 0) {
        throw std::invalid_argument("--keepalive-ms, --minute-ms and --budget-window-ms must be positive");
    }
    if (o.tls_cert.empty() != o.tls_key.empty()) throw std::invalid_argument("--tls-cert and --tls-key go together");
    check_jwt_options(o.auth);
    return o;
}

}  // namespace ewstrigd::sim
