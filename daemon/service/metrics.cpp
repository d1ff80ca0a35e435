#include "service/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <type_traits>

namespace ewstrigd::service::metrics {
namespace {

bool valid_name(std::string_view n, bool allow_colon) {
    if (n.empty()) return false;
    auto ok = [&](char c, bool first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
               (!first && c >= '0' && c <= '9');
    };
    if (!ok(n.front(), true)) return false;
    return std::all_of(n.begin() + 1, n.end(), [&](char c) { return ok(c, false); });
}

std::string escape_help(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

// {a="x",b="y"} plus an optional extra pair (the histogram's le); "" when empty.
std::string label_text(const std::vector<std::string>& names, const label_values& values,
                       std::string_view extra_name = {}, std::string_view extra_value = {}) {
    if (names.empty() && extra_name.empty()) return {};
    std::string out = "{";
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += ',';
        out += names[i] + "=\"" + escape_label_value(values[i]) + '"';
    }
    if (!extra_name.empty()) {
        if (!names.empty()) out += ',';
        out += std::string(extra_name) + "=\"" + std::string(extra_value) + '"';
    }
    return out + '}';
}

void head(std::string& out, const std::string& name, const std::string& help, std::string_view type) {
    out += "# HELP " + name + ' ' + escape_help(help) + '\n';
    out += "# TYPE " + name + ' ' + std::string(type) + '\n';
}

}  // namespace

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : std::string("NaN");
}

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

void histogram::observe(double v) noexcept {
    if (std::isnan(v)) return;
    const auto& b = *bounds_;
    const auto it = std::lower_bound(b.begin(), b.end(), v);  // le: v <= bound
    if (it != b.end()) ++counts_[static_cast<std::size_t>(it - b.begin())];
    sum_ += v;
    ++count_;
}

template <class Metric>
family<Metric>::family(std::string name, std::string help, std::vector<std::string> labels, std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)), bounds_(std::move(bounds)) {
    if (labels_.empty()) get();
}

template <class Metric>
Metric& family<Metric>::with(const label_values& values) {
    if (values.size() != labels_.size()) {
        throw std::invalid_argument("metric " + name_ + ": " + std::to_string(labels_.size()) +
                                    " label values expected, got " + std::to_string(values.size()));
    }
    if constexpr (std::is_same_v<Metric, histogram>) {
        return children_.try_emplace(values, bounds_).first->second;
    } else {
        return children_[values];
    }
}

template class family<counter>;
template class family<gauge>;
template class family<histogram>;

void registry::check_new(const std::string& name, const std::vector<std::string>& labels, bool is_histogram) const {
    if (!valid_name(name, true)) throw std::invalid_argument("invalid metric name '" + name + "'");
    for (const auto& l : labels) {
        if (!valid_name(l, false) || l.starts_with("__") || (is_histogram && l == "le")) {
            throw std::invalid_argument("metric " + name + ": invalid label name '" + l + "'");
        }
    }
    for (const auto& e : order_) {
        const bool clash = std::visit([&](auto* f) { return f->name() == name; }, e);
        if (clash) throw std::invalid_argument("metric " + name + " registered twice");
    }
}

family<counter>& registry::add_counter(std::string name, std::string help, std::vector<std::string> labels) {
    check_new(name, labels, false);
    counters_.emplace_back(new family<counter>(std::move(name), std::move(help), std::move(labels), {}));
    order_.emplace_back(counters_.back().get());
    return *counters_.back();
}

family<gauge>& registry::add_gauge(std::string name, std::string help, std::vector<std::string> labels) {
    check_new(name, labels, false);
    gauges_.emplace_back(new family<gauge>(std::move(name), std::move(help), std::move(labels), {}));
    order_.emplace_back(gauges_.back().get());
    return *gauges_.back();
}

family<histogram>& registry::add_histogram(std::string name, std::string help, std::vector<double> bounds,
                                           std::vector<std::string> labels) {
    check_new(name, labels, true);
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
            throw std::invalid_argument("histogram " + name + ": bounds must be finite and strictly ascending");
        }
    }
    histograms_.emplace_back(
        new family<histogram>(std::move(name), std::move(help), std::move(labels), std::move(bounds)));
    order_.emplace_back(histograms_.back().get());
    return *histograms_.back();
}

std::string registry::expose() {
    for (const auto& hook : hooks_) hook();
    std::string out;
    for (const auto& e : order_) {
        std::visit(
            [&out](const auto* fp) {
                const auto& f = *fp;
                using metric = typename std::decay_t<decltype(f.children_)>::mapped_type;
                if constexpr (!std::is_same_v<metric, histogram>) {
                    head(out, f.name_, f.help_, std::is_same_v<metric, counter> ? "counter" : "gauge");
                    for (const auto& [values, m] : f.children_) {
                        out += f.name_ + label_text(f.labels_, values) + ' ' + format_value(m.value()) + '\n';
                    }
                } else {
                    head(out, f.name_, f.help_, "histogram");
                    for (const auto& [values, m] : f.children_) {
                        std::uint64_t cumulative = 0;
                        for (std::size_t i = 0; i < f.bounds_.size(); ++i) {
                            cumulative += m.bucket_counts()[i];
                            out += f.name_ + "_bucket" +
                                   label_text(f.labels_, values, "le", format_value(f.bounds_[i])) + ' ' +
                                   std::to_string(cumulative) + '\n';
                        }
                        out += f.name_ + "_bucket" + label_text(f.labels_, values, "le", "+Inf") + ' ' +
                               std::to_string(m.count()) + '\n';
                        out += f.name_ + "_sum" + label_text(f.labels_, values) + ' ' + format_value(m.sum()) + '\n';
                        out += f.name_ + "_count" + label_text(f.labels_, values) + ' ' + std::to_string(m.count()) +
                               '\n';
                    }
                }
            },
            e);
    }
    return out;
}

}  // namespace ewstrigd::service::metrics
