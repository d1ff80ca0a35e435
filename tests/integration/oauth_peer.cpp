#include "oauth_peer.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <regex>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ewstrigd::test {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

child_process::child_process(std::vector<std::string> argv) {
    int out[2];
    int err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(err[1]);
    out_fd_ = out[0];
    err_fd_ = err[0];
    if (rc != 0) {
        pid_ = -1;
        throw std::runtime_error("cannot start " + argv[0]);
    }
}

child_process::~child_process() {
    if (pid_ > 0 && !status_) {
        ::kill(pid_, SIGKILL);
        int st = 0;
        ::waitpid(pid_, &st, 0);
    }
    if (out_fd_ >= 0) ::close(out_fd_);
    if (err_fd_ >= 0) ::close(err_fd_);
}

void child_process::drain(int fd, std::string& into, std::chrono::milliseconds timeout) {
    if (fd < 0) return;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return;
    char buf[4096];
    const auto n = ::read(fd, buf, sizeof buf);
    if (n > 0) into.append(buf, static_cast<std::size_t>(n));
    else if (n == 0) {
        ::close(fd);
        if (fd == out_fd_) out_fd_ = -1;
        else err_fd_ = -1;
    }
}

std::optional<std::string> child_process::read_line(steady::duration limit) {
    const auto deadline = steady::now() + limit;
    for (;;) {
        if (const auto nl = out_.find('\n', consumed_); nl != std::string::npos) {
            std::string line = out_.substr(consumed_, nl - consumed_);
            consumed_ = nl + 1;
            return line;
        }
        if (out_fd_ < 0 || steady::now() >= deadline) return std::nullopt;
        drain(out_fd_, out_, 50ms);
        drain(err_fd_, err_, 0ms);
    }
}

std::optional<int> child_process::wait(steady::duration limit) {
    const auto deadline = steady::now() + limit;
    while (!status_) {
        int st = 0;
        const pid_t r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = st;
            break;
        }
        if (steady::now() >= deadline) return std::nullopt;
        drain(out_fd_, out_, 20ms);
        drain(err_fd_, err_, 0ms);
    }
    while (out_fd_ >= 0) drain(out_fd_, out_, 100ms);
    while (err_fd_ >= 0) drain(err_fd_, err_, 100ms);
    if (WIFEXITED(*status_)) return WEXITSTATUS(*status_);
    return std::nullopt;
}

std::string child_process::err() {
    drain(err_fd_, err_, 0ms);
    return err_;
}

void child_process::terminate() {
    if (pid_ <= 0 || status_) return;
    ::kill(pid_, SIGTERM);
    if (!wait(5s) && !status_) {
        ::kill(pid_, SIGKILL);
        int st = 0;
        ::waitpid(pid_, &st, 0);
        status_ = st;
    }
}

namespace {

std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

}  // namespace

http_answer blocking_http(const std::string& method, const std::string& url, const std::string& body,
                          const std::string& content_type) {
    http_answer a;
    CURL* easy = curl_easy_init();
    curl_slist* headers = curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str());
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "POST") curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &a.body);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
    if (curl_easy_perform(easy) == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &a.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
    return a;
}

long browse(const std::string& url) {
    std::string body;
    long status = 0;
    CURL* easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 20L);
    curl_easy_setopt(easy, CURLOPT_COOKIEFILE, "");  // in-memory cookie engine
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 30L);
    if (curl_easy_perform(easy) == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(easy);
    return status;
}

oauth_peer::oauth_peer(peer_options options)
    : options_(std::move(options)),
      process_([&] {
          std::vector<std::string> argv{"node", std::string(EWSTRIGD_SOURCE_DIR) + "/tests/oauth-peer/server.mjs",
                                        "--tenant", options_.tenant, "--access-ttl",
                                        std::to_string(options_.access_ttl), "--interval",
                                        std::to_string(options_.interval)};
          if (!options_.cert.empty()) {
              argv.push_back("--cert");
              argv.push_back(options_.cert.string());
          }
          if (options_.jwt_access_tokens) argv.push_back("--jwt-access-tokens");
          return argv;
      }()) {
    // "listening on http://127.0.0.1:PORT issuer http://127.0.0.1:PORT/T/v2.0"
    while (auto line = process_.read_line(60s)) {
        const std::regex ready("^listening on (\\S+) issuer (\\S+)$");
        std::smatch m;
        if (std::regex_match(*line, m, ready)) {
            base_ = m[1];
            issuer_ = m[2];
            return;
        }
    }
    throw std::runtime_error("the OAuth test server did not start: " + process_.err());
}

http_answer oauth_peer::admin(const std::string& path, const std::string& json) {
    auto a = blocking_http(json.empty() ? "GET" : "POST", base_ + path, json);
    if (a.status != 200) throw std::runtime_error("test route " + path + " answered " + std::to_string(a.status) + ": " + a.body);
    return a;
}

std::map<std::string, int> oauth_peer::token_requests() {
    return nlohmann::json::parse(admin("/test/stats").body).at("token_requests").get<std::map<std::string, int>>();
}

int oauth_peer::device_polls() { return nlohmann::json::parse(admin("/test/stats").body).at("device_polls").get<int>(); }

void oauth_peer::approve(const std::string& user_code, bool deny) {
    admin("/test/approve", nlohmann::json{{"user_code", user_code}, {"deny", deny}}.dump());
}

void oauth_peer::fault(int status, std::optional<int> retry_after, int count, int hang_ms, const std::string& error) {
    nlohmann::json f{{"status", status}, {"count", count}, {"hang_ms", hang_ms}, {"error", error}};
    if (retry_after) f["retry_after"] = *retry_after;
    admin("/test/faults", f.dump());
}

void oauth_peer::slow_down(int count) { admin("/test/slow-down", nlohmann::json{{"count", count}}.dump()); }

void oauth_peer::revoke(const std::string& refresh_token) {
    admin("/test/revoke", nlohmann::json{{"refresh_token", refresh_token}}.dump());
}

long oauth_peer::refresh_status(const std::string& client_id, const std::string& refresh_token) {
    char* rt = curl_easy_escape(nullptr, refresh_token.c_str(), static_cast<int>(refresh_token.size()));
    const std::string body = "grant_type=refresh_token&client_id=" + client_id + "&refresh_token=" + rt;
    curl_free(rt);
    return blocking_http("POST", issuer_ + "/token", body, "application/x-www-form-urlencoded").status;
}

test_certificate make_test_certificate(const std::filesystem::path& dir) {
    // In-process OpenSSL (no openssl CLI on a minimal machine): RSA 2048, self-signed, one day.
    test_certificate c{dir / "client-cert.pem", dir / "client-key.pem"};
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* cert = X509_new();
    bool ok = key && cert;
    if (ok) {
        X509_set_version(cert, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
        X509_gmtime_adj(X509_getm_notBefore(cert), -60);
        X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
        X509_set_pubkey(cert, key);
        X509_NAME* name = X509_get_subject_name(cert);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ewstrigd-test"),
                                   -1, -1, 0);
        X509_set_issuer_name(cert, name);
        ok = X509_sign(cert, key, EVP_sha256()) > 0;
    }
    if (ok) {
        FILE* k = std::fopen(c.key.c_str(), "w");
        FILE* p = std::fopen(c.cert.c_str(), "w");
        ok = k && p && PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr) == 1 &&
             PEM_write_X509(p, cert) == 1;
        if (k) std::fclose(k);
        if (p) std::fclose(p);
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    if (!ok) throw std::runtime_error("could not make a test certificate");
    return c;
}

std::string user_code_in(const std::string& prompt) {
    std::smatch m;
    if (std::regex_search(prompt, m, std::regex("code ([A-Z0-9-]+)"))) return m[1];
    return {};
}

bool eventually(child_process& daemon, const std::function<bool()>& done,
                std::chrono::steady_clock::duration limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        daemon.err();
        if (done()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

}  // namespace ewstrigd::test
