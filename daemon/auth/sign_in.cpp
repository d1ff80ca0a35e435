#include "auth/sign_in.hpp"

#include "auth/encoding.hpp"
#include "auth/form_post.hpp"
#include "auth/pkce.hpp"
#include "auth/token_request.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>

namespace ewstrigd::auth {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using namespace net::experimental::awaitable_operators;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

std::chrono::milliseconds request_timeout(const oauth_settings& s, std::chrono::seconds timeout) {
    return std::min<std::chrono::milliseconds>(s.request_timeout, timeout);
}

net::awaitable<void> reply_to_browser(tcp::socket& socket, unsigned status, std::string text) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::content_type, "text/html; charset=utf-8");
    res.set(bhttp::field::connection, "close");
    res.body() = "<!doctype html><title>ewstrigd sign-in</title><p>" + text + "</p>";
    res.prepare_payload();
    co_await bhttp::async_write(socket, res, use_tuple);
}

// Only our own text goes into the page; escaping keeps it that way.
std::string html_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

}  // namespace

result<loopback_uri> parse_loopback_uri(std::string_view uri) {
    constexpr std::string_view scheme = "http://";
    if (!uri.starts_with(scheme))
        return fail("redirect_uri must start with http:// (a loopback address such as http://localhost:8400/)");
    std::string_view rest = uri.substr(scheme.size());
    const auto path_at = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, path_at);
    loopback_uri out;
    out.path = path_at == std::string_view::npos ? "/" : std::string(rest.substr(path_at));
    if (const auto q = out.path.find_first_of("?#"); q != std::string::npos) out.path.resize(q);
    if (out.path.empty()) out.path = "/";
    std::string_view port;
    if (authority.starts_with("[::1]")) {
        out.host = "[::1]";
        authority.remove_prefix(5);
        if (authority.starts_with(':')) port = authority.substr(1);
        else if (!authority.empty()) return fail("redirect_uri: cannot read the port after [::1]");
    } else {
        const auto colon = authority.find(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (out.host != "localhost" && out.host != "127.0.0.1" && out.host != "[::1]")
        return fail("redirect_uri must name localhost, 127.0.0.1 or [::1] (the sign-in listener runs on this host)");
    if (!port.empty()) {
        if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
            return fail("redirect_uri: the port is not a number");
        const auto n = std::stoul(std::string(port));
        if (n == 0 || n > 65535) return fail("redirect_uri: the port must be 1-65535");
        out.port = static_cast<unsigned short>(n);
    }
    return out;
}

net::awaitable<result<signed_in>> device_code_sign_in(http::client& client, oidc_endpoints endpoints,
                                                      oauth_settings settings, std::chrono::seconds timeout,
                                                      sign_in_hooks hooks) {
    if (!endpoints.device_authorization_endpoint)
        co_return fail("the authority offers no device code sign-in (its discovery document has no "
                       "device_authorization_endpoint); set redirect_uri and use `ewstrigd login --browser`");
    const auto started = wall_clock::now();
    const auto per_request = request_timeout(settings, timeout);
    auto [ec, resp] = co_await client.async_send(
        form_post(*endpoints.device_authorization_endpoint,
                  device_authorization_body(settings.client_id, settings.scope), per_request),
        use_tuple);
    if (ec) co_return fail("device code sign-in: " + no_answer(ec, per_request, "device authorization endpoint").explanation);
    auto code = parse_device_authorization(reply_of(resp));
    if (!code) co_return fail("device code sign-in failed: " + describe(code.error()));
    if (hooks.prompt) hooks.prompt(sign_in_prompt(*code));

    device_poll poll(*code, started, timeout);
    auto decision = poll.first(wall_clock::now());
    net::steady_timer timer(co_await net::this_coro::executor);
    while (decision.action == poll_action::wait_then_poll) {
        timer.expires_after(decision.wait);
        if (auto [wec] = co_await timer.async_wait(use_tuple); wec) co_return fail("the sign-in was cancelled");
        const auto sent_at = wall_clock::now();
        auto [pec, presp] = co_await client.async_send(
            form_post(endpoints.token_endpoint, device_token_body(settings.client_id, code->device_code), per_request),
            use_tuple);
        token_result answer = pec ? token_result(no_answer(pec, per_request, "token endpoint"))
                                  : parse_token_response(reply_of(presp));
        if (answer) co_return signed_in{std::move(*answer), sent_at};  // never poll again after a success
        decision = poll.next(answer, wall_clock::now());
        if (answer.error().kind == failure_kind::slow_down && hooks.note)
            hooks.note("the server asked to poll less often; polling every " +
                       std::to_string(poll.interval().count()) + " s");
    }
    co_return fail(decision.reason);
}

net::awaitable<result<signed_in>> browser_sign_in(http::client& client, oidc_endpoints endpoints,
                                                  oauth_settings settings, std::chrono::seconds timeout,
                                                  sign_in_hooks hooks) {
    auto uri = parse_loopback_uri(settings.redirect_uri);
    if (!uri) co_return uri.error();
    const auto ex = co_await net::this_coro::executor;
    const auto address = net::ip::make_address(uri->host == "[::1]" ? "::1" : "127.0.0.1");
    tcp::acceptor acceptor(ex);
    boost::system::error_code ec;
    const tcp::endpoint local(address, uri->port);
    acceptor.open(local.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(local, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        co_return fail("cannot listen on " + address.to_string() + ":" + std::to_string(uri->port) +
                       " for the sign-in redirect (" + ec.message() +
                       "); stop what uses the port or choose another port in redirect_uri (and register it)");
    // Without a port in redirect_uri the system picks one (RFC 8252 §7.3: loopback redirects may use any port).
    std::string redirect = settings.redirect_uri;
    if (uri->port == 0)
        redirect = "http://" + uri->host + ":" + std::to_string(acceptor.local_endpoint().port()) + uri->path;

    const auto random = openssl_random();
    auto verifier = make_code_verifier(random);
    auto state = random_base64url(random, 16);
    if (!verifier || !state) co_return fail("no random numbers available for the sign-in");
    authorization_request req;
    req.authorization_endpoint = endpoints.authorization_endpoint;
    req.client_id = settings.client_id;
    req.redirect_uri = redirect;
    req.scope = settings.scope;
    req.state = *state;
    req.code_challenge = code_challenge_s256(*verifier);
    if (!settings.address.empty()) req.login_hint = settings.address;
    if (hooks.prompt) hooks.prompt(authorization_url(req));

    net::steady_timer deadline(ex);
    deadline.expires_after(timeout);
    const std::string mismatch_hint =
        "if the browser showed an error about the redirect URI (AADSTS50011), register exactly '" + redirect +
        "' (or '" + settings.redirect_uri +
        "': any port is allowed for localhost) as a 'Mobile and desktop applications' redirect URI of the app";
    const auto timed_out = [&] {
        return fail("the sign-in was not completed within " + std::to_string(timeout.count()) + " seconds; " +
                    mismatch_hint + ", then run `ewstrigd login` again");
    };
    secret code;
    for (;;) {
        tcp::socket socket(ex);
        auto accepted = co_await (acceptor.async_accept(socket, use_tuple) || deadline.async_wait(use_tuple));
        if (accepted.index() == 1) co_return timed_out();
        if (std::get<0>(accepted) != std::tuple<boost::system::error_code>{}) continue;
        boost::beast::flat_buffer buffer;
        bhttp::request_parser<bhttp::string_body> parser;
        parser.body_limit(16 * 1024);
        auto read = co_await (bhttp::async_read(socket, buffer, parser, use_tuple) || deadline.async_wait(use_tuple));
        if (read.index() == 1) co_return timed_out();
        if (std::get<0>(std::get<0>(read))) continue;
        const std::string target(parser.get().target());
        if (target.substr(0, target.find('?')) != uri->path) {
            co_await reply_to_browser(socket, 404, "Not the sign-in redirect.");
            continue;
        }
        auto got = parse_redirect(target, *state);
        if (!got) {
            co_await reply_to_browser(socket, 400, "Sign-in failed: " + html_escape(got.error().message));
            co_return fail("sign-in failed: " + got.error().message);
        }
        co_await reply_to_browser(socket, 200, "Signed in. You can close this window and return to ewstrigd.");
        code = std::move(*got);
        break;
    }
    acceptor.close();

    const auto per_request = request_timeout(settings, timeout);
    const auto sent_at = wall_clock::now();
    auto [tec, tresp] = co_await client.async_send(
        form_post(endpoints.token_endpoint,
                  authorization_code_body(settings.client_id, code, redirect, *verifier, public_client{}), per_request),
        use_tuple);
    if (tec) co_return fail("sign-in: " + no_answer(tec, per_request, "token endpoint").explanation);
    auto tokens = parse_token_response(reply_of(tresp));
    if (!tokens) co_return fail("sign-in failed when redeeming the code: " + describe(tokens.error()));
    co_return signed_in{std::move(*tokens), sent_at};
}

}  // namespace ewstrigd::auth
