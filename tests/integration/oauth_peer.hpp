#pragma once
// The real OAuth server of the auth tests (tests/oauth-peer/server.mjs on
// oidc-provider) as a child process, and a small child-process helper that
// the `ewstrigd login` tests use too.
//
// Every wait has a deadline; destructors SIGKILL and reap what is still
// running, so a failing test never leaves a process behind.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ewstrigd::test {

class child_process {
public:
    // argv[0] is the program (searched in PATH). stdout and stderr are pipes.
    explicit child_process(std::vector<std::string> argv);
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    // Next complete stdout line (without '\n'); nullopt at EOF or deadline.
    std::optional<std::string> read_line(std::chrono::steady_clock::duration limit = std::chrono::seconds(30));
    // Everything printed so far on stdout (lines returned by read_line included).
    const std::string& out() const { return out_; }
    // Waits for the exit; its code, or nullopt at the deadline / on a signal.
    std::optional<int> wait(std::chrono::steady_clock::duration limit = std::chrono::seconds(30));
    // stderr collected so far (complete after wait()).
    std::string err();
    void terminate();  // SIGTERM, then reap
    pid_t pid() const { return pid_; }

private:
    void drain(int fd, std::string& into, std::chrono::milliseconds timeout);

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    std::string out_;
    std::size_t consumed_ = 0;
    std::string err_;
    std::optional<int> status_;
};

// Polls `done` every 50 ms while draining the child's stderr (so its pipe
// never fills), until it holds (true) or `limit` passed (false).
bool eventually(child_process& daemon, const std::function<bool()>& done,
                std::chrono::steady_clock::duration limit = std::chrono::seconds(30));

// A JSON answer from the server's /test routes, or from any URL (GET when body empty).
struct http_answer {
    long status = 0;
    std::string body;
};
http_answer blocking_http(const std::string& method, const std::string& url, const std::string& body = {},
                          const std::string& content_type = "application/json");

// What a browser does with an authorization URL: GET it and follow every
// redirect with a cookie jar (the server's pages auto-approve), ending at the
// loopback redirect URI or at an error page. Blocking; the final status.
long browse(const std::string& url);

struct peer_options {
    std::string tenant = "test-tenant";
    int access_ttl = 5;        // seconds
    int interval = 1;          // device code poll interval the server announces
    std::filesystem::path cert;  // PEM certificate for the private_key_jwt clients (optional)
    bool jwt_access_tokens = false;  // server.mjs --jwt-access-tokens: EWS-scoped tokens are JWTs
};

class oauth_peer {
public:
    explicit oauth_peer(peer_options options = {});

    const std::string& base() const { return base_; }      // http://127.0.0.1:PORT (the authority)
    const std::string& issuer() const { return issuer_; }  // base/tenant/v2.0
    const std::string& tenant() const { return options_.tenant; }
    bool running() const { return !base_.empty(); }

    // Token requests so far, keyed "<grant_type> <client_id>".
    std::map<std::string, int> token_requests();
    int device_polls();
    void approve(const std::string& user_code, bool deny = false);
    void fault(int status, std::optional<int> retry_after = {}, int count = 1, int hang_ms = 0,
               const std::string& error = "temporarily_unavailable");
    void slow_down(int count);
    void revoke(const std::string& refresh_token);
    // A refresh grant sent directly (as another client would): the HTTP status.
    long refresh_status(const std::string& client_id, const std::string& refresh_token);

private:
    http_answer admin(const std::string& path, const std::string& json = {});

    peer_options options_;
    child_process process_;
    std::string base_;
    std::string issuer_;
};

// A self-signed RSA certificate + unencrypted key (PEM files), for private_key_jwt.
struct test_certificate {
    std::filesystem::path cert;
    std::filesystem::path key;
};
test_certificate make_test_certificate(const std::filesystem::path& dir);

// The user code in a device sign-in prompt ("... enter the code ABCD-EFGH."), or "".
std::string user_code_in(const std::string& prompt);

}  // namespace ewstrigd::test
