#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

#include "http/curl_client.hpp"
#include "http/curl_multi.hpp"
#include "service/listen_address.hpp"

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <iomanip>
#include <optional>
#include <ostream>
#include <sstream>

namespace ewstrigd::cli {
namespace {

// Only metrics.listen is read: no ${file:} expansion, so `status` needs no
// access to the daemon's secrets (e.g. /run/credentials).
std::optional<std::string> listen_from_config(const std::filesystem::path& file, std::string& error) {
    try {
        const YAML::Node root = YAML::LoadFile(file.string());
        // IsDefined() first: yaml-cpp throws on any other query of a missing key.
        if (!root.IsMap()) return std::nullopt;
        const YAML::Node metrics = root["metrics"];
        if (!metrics.IsDefined() || !metrics.IsMap()) return std::nullopt;
        const YAML::Node listen = metrics["listen"];
        if (!listen.IsDefined() || listen.IsNull()) return std::nullopt;
        return listen.as<std::string>();
    } catch (const YAML::Exception& e) {
        error = file.string() + ": " + (e.mark.is_null() ? "" : std::to_string(e.mark.line + 1) + ":" +
                                                                  std::to_string(e.mark.column + 1) + ": ") +
                e.msg;
        return std::nullopt;
    }
}

std::string text_or_dash(const nlohmann::json& v) {
    if (!v.is_string() || v.get<std::string>().empty()) return "-";
    return v.get<std::string>();
}

void print_table(const nlohmann::json& status, std::ostream& out) {
    std::vector<std::array<std::string, 5>> rows{{"MAILBOX", "STATE", "OUTBOX", "LAST EVENT", "LAST ERROR"}};
    for (const auto& m : status.at("mailboxes")) {
        rows.push_back({text_or_dash(m.value("id", nlohmann::json())), text_or_dash(m.value("state", nlohmann::json())),
                        std::to_string(m.value("outbox_pending", 0)), text_or_dash(m.value("last_event", nlohmann::json())),
                        text_or_dash(m.value("last_error", nlohmann::json()))});
    }
    std::array<std::size_t, 5> width{};
    for (const auto& r : rows) {
        for (std::size_t i = 0; i < 4; ++i) width[i] = std::max(width[i], r[i].size());
    }
    for (const auto& r : rows) {
        // The error goes last and unpadded: it is the long, free-text column.
        for (std::size_t i = 0; i < 4; ++i) out << std::left << std::setw(static_cast<int>(width[i] + 2)) << r[i];
        out << r[4] << '\n';
    }
    const std::size_t n = rows.size() - 1;
    out << n << (n == 1 ? " mailbox" : " mailboxes") << (status.value("healthy", false) ? ", all healthy" : ", NOT all healthy")
        << '\n';
}

}  // namespace

int status_command(const status_args& args, std::ostream& out, std::ostream& err) {
    std::string listen = args.listen.value_or("");
    if (listen.empty()) {
        std::string error;
        auto configured = listen_from_config(args.config_file, error);
        if (!error.empty()) {
            err << "ewstrigd status: " << error << '\n';
            return exit_code::invalid_config;
        }
        if (!configured) {
            err << "ewstrigd status: " << args.config_file.string()
                << ": metrics.listen is not set, so the daemon serves no status "
                   "(add `metrics: { listen: \"127.0.0.1:9464\" }` and reload)\n";
            return exit_code::metrics_disabled;
        }
        listen = *configured;
    }
    const auto ep = service::parse_listen_address(listen);
    if (!ep) {
        err << "ewstrigd status: metrics.listen '" << listen << "' is not HOST:PORT (e.g. 127.0.0.1:9464)\n";
        return exit_code::invalid_config;
    }
    const auto target = service::client_endpoint(*ep);
    const std::string host = target.address().is_v6() ? "[" + target.address().to_string() + "]"
                                                       : target.address().to_string();
    const std::string url = "http://" + host + ":" + std::to_string(target.port()) + "/status.json";

    boost::asio::io_context ioc;
    http::curl_multi multi(ioc);
    std::optional<std::pair<boost::system::error_code, http::response>> result;
    {
        http::curl_client client(multi);
        http::request req;
        req.url = url;
        req.timeouts.connect = std::chrono::seconds(3);
        req.timeouts.total = std::chrono::seconds(10);
        req.max_body_size = std::size_t{16} << 20;
        client.async_send(std::move(req), [&](boost::system::error_code ec, http::response res) {
            result.emplace(ec, std::move(res));
        });
        ioc.run();
    }
    if (!result || result->first) {
        err << "ewstrigd status: cannot reach the daemon at " << url << ": "
            << (result ? result->first.message() : std::string("no answer"))
            << " (is `ewstrigd run` running with this configuration?)\n";
        return exit_code::not_running;
    }
    const auto& res = result->second;
    nlohmann::json status;
    try {
        if (res.status != 200) throw std::runtime_error("HTTP status " + std::to_string(res.status));
        status = nlohmann::json::parse(res.body);
        if (!status.contains("mailboxes") || !status["mailboxes"].is_array()) {
            throw std::runtime_error("no \"mailboxes\" list");
        }
    } catch (const std::exception& e) {
        err << "ewstrigd status: " << url << " did not answer with a status (" << e.what()
            << "); is another program listening there?\n";
        return exit_code::not_running;
    }
    if (args.json) {
        out << status.dump(2) << '\n';
    } else {
        print_table(status, out);
    }
    return exit_code::ok;
}

}  // namespace ewstrigd::cli
