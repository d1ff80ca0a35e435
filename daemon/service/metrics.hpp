#pragma once
// A small Prometheus metrics registry: counters, gauges and histograms with
// fixed buckets, each a family of children keyed by label values, exposed in
// the text format 0.0.4.
//
// - Loop affinity: not thread-safe; update and expose on the event loop.
// - Families and children live as long as the registry; references returned
//   by counter()/with() stay valid (update hot paths through a kept reference).
// - Registration errors (bad names, duplicate family, label count mismatch in
//   with()) are programming errors: std::invalid_argument.
// - A family without labels exposes its single child (0) from the start; a
//   labelled family shows only the label sets used so far, sorted.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ewstrigd::service::metrics {

using label_values = std::vector<std::string>;

class counter {
public:
    void inc(double v = 1) noexcept {
        if (v > 0) value_ += v;  // counters never go down
    }
    double value() const noexcept { return value_; }

private:
    double value_ = 0;
};

class gauge {
public:
    void set(double v) noexcept { value_ = v; }
    void inc(double v = 1) noexcept { value_ += v; }
    void dec(double v = 1) noexcept { value_ -= v; }
    double value() const noexcept { return value_; }

private:
    double value_ = 0;
};

class histogram {
public:
    /// `bounds` must outlive the histogram (the family's).
    explicit histogram(const std::vector<double>& bounds) : bounds_(&bounds), counts_(bounds.size(), 0) {}
    void observe(double v) noexcept;
    /// Non-cumulative count per finite bucket, then sum and total count.
    const std::vector<std::uint64_t>& bucket_counts() const noexcept { return counts_; }
    double sum() const noexcept { return sum_; }
    std::uint64_t count() const noexcept { return count_; }

private:
    const std::vector<double>* bounds_;
    std::vector<std::uint64_t> counts_;
    double sum_ = 0;
    std::uint64_t count_ = 0;
};

template <class Metric>
class family {
public:
    /// The child for these label values (created at first use).
    Metric& with(const label_values& values);
    Metric& with(std::initializer_list<std::string_view> values) {
        return with(label_values(values.begin(), values.end()));
    }
    /// The unlabelled child of a family declared without labels.
    Metric& get() { return with(label_values{}); }
    /// Drops every child (e.g. gauges rebuilt from scratch on each scrape).
    void clear() { children_.clear(); }

    const std::string& name() const noexcept { return name_; }

private:
    friend class registry;
    family(std::string name, std::string help, std::vector<std::string> labels, std::vector<double> bounds);

    std::string name_;
    std::string help_;
    std::vector<std::string> labels_;
    std::vector<double> bounds_;  // histograms only, ascending, finite
    std::map<label_values, Metric> children_;
};

class registry {
public:
    registry() = default;
    registry(const registry&) = delete;
    registry& operator=(const registry&) = delete;

    family<counter>& add_counter(std::string name, std::string help, std::vector<std::string> labels = {});
    family<gauge>& add_gauge(std::string name, std::string help, std::vector<std::string> labels = {});
    /// `bounds`: strictly ascending finite upper bounds; +Inf is implicit.
    family<histogram>& add_histogram(std::string name, std::string help, std::vector<double> bounds,
                                     std::vector<std::string> labels = {});

    /// Runs before every expose(): refresh gauges computed from daemon state.
    void on_collect(std::function<void()> hook) { hooks_.push_back(std::move(hook)); }

    /// Text format 0.0.4, families in registration order.
    std::string expose();

private:
    using entry = std::variant<family<counter>*, family<gauge>*, family<histogram>*>;
    void check_new(const std::string& name, const std::vector<std::string>& labels, bool histogram) const;

    std::vector<std::unique_ptr<family<counter>>> counters_;
    std::vector<std::unique_ptr<family<gauge>>> gauges_;
    std::vector<std::unique_ptr<family<histogram>>> histograms_;
    std::vector<entry> order_;
    std::vector<std::function<void()>> hooks_;
};

/// Prometheus number formatting: shortest round-trip, "+Inf", "-Inf", "NaN".
std::string format_value(double v);
/// Label value escaping: backslash, double quote, newline.
std::string escape_label_value(std::string_view v);

}  // namespace ewstrigd::service::metrics
