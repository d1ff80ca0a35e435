#include "jwks_fetch.hpp"

#include <curl/curl.h>

#include <memory>
#include <stdexcept>

namespace ewstrigd::sim {
namespace {

constexpr std::size_t max_document = 1024 * 1024;

struct download {
    std::string body;
    bool too_large = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
    auto& d = *static_cast<download*>(user);
    if (d.body.size() + size * n > max_document) {
        d.too_large = true;
        return 0;  // aborts the transfer
    }
    d.body.append(data, size * n);
    return size * n;
}

}  // namespace

std::string fetch_jwks(const std::string& url) {
    const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), curl_easy_cleanup);
    if (!easy) throw std::runtime_error("libcurl failed to start");
    download d;
    curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy.get(), CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy.get(), CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy.get(), CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(easy.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &d);
    const CURLcode rc = curl_easy_perform(easy.get());
    if (d.too_large) throw std::runtime_error("the document is larger than 1 MiB");
    if (rc != CURLE_OK) throw std::runtime_error(std::string("unreachable: ") + curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) throw std::runtime_error("answered HTTP " + std::to_string(status));
    return std::move(d.body);
}

}  // namespace ewstrigd::sim
