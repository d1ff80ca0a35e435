// 1,000 realistic triggers against one message: match::evaluate next to the
// same rules evaluated the way a hand-rolled C++ script would (std::regex for
// every glob, substring and regex test). Both evaluators must agree on which
// triggers fire; the output ends with the time ratio.

#include "match/evaluate.hpp"

#include <benchmark/benchmark.h>
#include <re2/re2.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace m = ewstrigd::match;

// ---- the rules, independent of either engine --------------------------------

enum class field { from, subject, attachment };
enum class how { glob, contains, regex };

struct rule {
    enum class kind { all, any, not_, leaf };
    kind op = kind::leaf;
    field on = field::subject;
    how test = how::glob;
    std::string pattern;
    std::vector<rule> children;
};

rule leaf(field f, how h, std::string p) { return {rule::kind::leaf, f, h, std::move(p), {}}; }
rule all(std::vector<rule> c) { return {rule::kind::all, field::subject, how::glob, {}, std::move(c)}; }
rule any(std::vector<rule> c) { return {rule::kind::any, field::subject, how::glob, {}, std::move(c)}; }
rule not_(rule c) { return {rule::kind::not_, field::subject, how::glob, {}, {std::move(c)}}; }

// Five shapes an admin writes, varied by domain, keyword, extension and regex;
// about one trigger in eight fires on the sample message.
std::vector<rule> make_rules(int n) {
    static const char* const exts[] = {"pdf", "xlsx", "csv", "docx", "zip", "xml", "txt", "png"};
    static const char* const words[] = {"invoice", "urgent", "outage", "order", "payment",
                                        "reminder", "ticket", "report", "alert", "delivery"};
    static const char* const regexes[] = {
        R"(Invoice (?P<number>\d+))",        R"(Order #?(?P<order>\d{4,}))",
        R"((?P<ticket>[A-Z]{2,5}-\d+))",     R"(Ref(?:erence)?:\s*(?P<ref>\w+))",
        R"(^(?:RE|FW|AW):\s*(?P<rest>.+)$)", R"(\b(?P<amount>\d+[.,]\d{2})\s*EUR)",
    };
    std::vector<rule> rules;
    for (int i = 0; i < n; ++i) {
        const auto at = [i](auto& list, int salt) {
            return list[static_cast<std::size_t>(i * 7 + salt) % std::size(list)];
        };
        const std::string domain = "supplier" + std::to_string(i % 40) + ".example";
        const std::string word = at(words, 1);
        const std::string ext = at(exts, 3);
        switch (i % 5) {
            case 0:
                rules.push_back(all({leaf(field::from, how::glob, "*@" + domain),
                                     leaf(field::attachment, how::glob, "*." + ext)}));
                break;
            case 1:
                rules.push_back(all({leaf(field::from, how::glob, "*@" + domain),
                                     leaf(field::subject, how::regex, at(regexes, 0))}));
                break;
            case 2:
                rules.push_back(any({leaf(field::subject, how::contains, word),
                                     leaf(field::subject, how::contains, "[" + domain + "]")}));
                break;
            case 3:
                rules.push_back(all({leaf(field::from, how::glob, "billing@*"),
                                     any({leaf(field::subject, how::contains, word),
                                          leaf(field::subject, how::regex, at(regexes, 2))}),
                                     not_(leaf(field::attachment, how::glob, "*.exe"))}));
                break;
            default:
                rules.push_back(all({any({leaf(field::from, how::glob, "*@" + domain),
                                          leaf(field::from, how::glob, "*@mail." + domain)}),
                                     leaf(field::subject, how::glob, "*" + word + "*"),
                                     leaf(field::attachment, how::glob, "INV-*." + ext)}));
                break;
        }
    }
    return rules;
}

m::message sample_message() {
    m::message msg;
    msg.subject = "RE: Invoice 4711 for October - payment reminder, total 1234,56 EUR";
    msg.from = {"Billing Team", "billing@supplier17.example"};
    msg.to = {{"Invoices", "invoices@contoso.com"}};
    msg.attachments = {{"INV-4711.pdf", 48'213, "application/pdf", false},
                       {"logo.png", 2'048, "image/png", true}};
    msg.has_attachments = true;
    return msg;
}

// ---- our engine --------------------------------------------------------------

m::condition compile(const rule& r) {
    if (r.op != rule::kind::leaf) {
        m::combinator c;
        c.op = r.op == rule::kind::all ? m::combinator::kind::all
               : r.op == rule::kind::any ? m::combinator::kind::any
                                         : m::combinator::kind::not_;
        for (const auto& child : r.children) c.children.push_back(compile(child));
        return {std::move(c)};
    }
    m::text_test t;
    t.pattern = r.pattern;
    t.how = r.test == how::glob ? m::text_test::kind::glob
            : r.test == how::contains ? m::text_test::kind::contains
                                      : m::text_test::kind::regex;
    if (r.test == how::regex) {
        re2::RE2::Options options;
        options.set_case_sensitive(false);
        t.regex = std::make_shared<const re2::RE2>(r.pattern, options);
    }
    switch (r.on) {
        case field::from: return {m::address_condition{m::address_field::from, std::move(t)}};
        case field::subject: return {m::text_condition{m::text_field::subject, std::move(t)}};
        case field::attachment: return {m::attachment_name_condition{std::move(t)}};
    }
    std::abort();
}

// ---- the std::regex peer -----------------------------------------------------

struct naive_rule {
    rule::kind op = rule::kind::leaf;
    field on = field::subject;
    bool whole = false;  // regex_match (glob) or regex_search
    std::regex re;
    std::vector<naive_rule> children;
};

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (std::string_view(R"(\^$.|?*+()[]{})").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

std::string glob_to_regex(const std::string& g) {
    std::string out;
    for (char c : g) {
        if (c == '*') out += ".*";
        else if (c == '?') out += '.';
        else out += escape(std::string(1, c));
    }
    return out;
}

naive_rule compile_naive(const rule& r) {
    naive_rule n;
    n.op = r.op;
    n.on = r.on;
    for (const auto& child : r.children) n.children.push_back(compile_naive(child));
    if (r.op != rule::kind::leaf) return n;
    std::string pattern = r.test == how::glob       ? glob_to_regex(r.pattern)
                          : r.test == how::contains ? escape(r.pattern)
                                                    : r.pattern;
    // ECMAScript has no (?P<name>...): number the groups and remember nothing.
    for (std::size_t at; (at = pattern.find("(?P<")) != std::string::npos;) {
        pattern.erase(at + 1, pattern.find('>', at) - at);
    }
    n.whole = r.test == how::glob;
    n.re = std::regex(pattern, std::regex::ECMAScript | std::regex::icase);
    return n;
}

bool naive_text(const naive_rule& n, const std::string& text) {
    std::smatch groups;
    return n.whole ? std::regex_match(text, groups, n.re) : std::regex_search(text, groups, n.re);
}

bool naive_eval(const naive_rule& n, const m::message& msg) {
    switch (n.op) {
        case rule::kind::all:
            for (const auto& c : n.children) {
                if (!naive_eval(c, msg)) return false;
            }
            return true;
        case rule::kind::any:
            for (const auto& c : n.children) {
                if (naive_eval(c, msg)) return true;
            }
            return false;
        case rule::kind::not_: return !naive_eval(n.children.front(), msg);
        case rule::kind::leaf: break;
    }
    switch (n.on) {
        case field::from:
            return naive_text(n, msg.from.email) || naive_text(n, msg.from.name) ||
                   naive_text(n, msg.from.name + " <" + msg.from.email + ">");
        case field::subject: return naive_text(n, msg.subject);
        case field::attachment:
            for (const auto& a : msg.attachments) {
                if (naive_text(n, a.name)) return true;
            }
            return false;
    }
    return false;
}

// ---- benchmarks --------------------------------------------------------------

constexpr int trigger_count = 1'000;

struct fixture {
    m::message msg = sample_message();
    std::vector<m::condition> compiled;
    std::vector<naive_rule> naive;
    int expected_matches = 0;

    fixture() {
        for (const auto& r : make_rules(trigger_count)) {
            compiled.push_back(compile(r));
            naive.push_back(compile_naive(r));
        }
        const auto now = std::chrono::system_clock::time_point{};
        for (std::size_t i = 0; i < compiled.size(); ++i) {
            const bool ours = m::evaluate(compiled[i], msg, now).matched;
            if (ours != naive_eval(naive[i], msg)) {
                std::fprintf(stderr, "engines disagree on trigger %zu\n", i);
                std::abort();
            }
            expected_matches += ours ? 1 : 0;
        }
    }
};

const fixture& rules() {
    static const fixture f;
    return f;
}

void BM_match_evaluate(benchmark::State& state) {
    const auto& f = rules();
    const auto now = std::chrono::system_clock::time_point{};
    for (auto _ : state) {
        int fired = 0;
        for (const auto& c : f.compiled) fired += m::evaluate(c, f.msg, now).matched ? 1 : 0;
        benchmark::DoNotOptimize(fired);
    }
    state.counters["triggers"] = trigger_count;
    state.counters["fired"] = f.expected_matches;
}
BENCHMARK(BM_match_evaluate)->Unit(benchmark::kMicrosecond);

void BM_naive_std_regex(benchmark::State& state) {
    const auto& f = rules();
    for (auto _ : state) {
        int fired = 0;
        for (const auto& n : f.naive) fired += naive_eval(n, f.msg) ? 1 : 0;
        benchmark::DoNotOptimize(fired);
    }
    state.counters["triggers"] = trigger_count;
    state.counters["fired"] = f.expected_matches;
}
BENCHMARK(BM_naive_std_regex)->Unit(benchmark::kMicrosecond);

// Console output plus one closing line with the ratio of the two. CPU time,
// because wall time on a shared build machine mostly measures the neighbours.
class ratio_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs) {
            if (!r.error_occurred) per_message_[r.benchmark_name()] = r.GetAdjustedCPUTime();
        }
        ConsoleReporter::ReportRuns(runs);
    }
    void print_ratio() const {
        const auto ours = per_message_.find("BM_match_evaluate");
        const auto naive = per_message_.find("BM_naive_std_regex");
        if (ours == per_message_.end() || naive == per_message_.end() || ours->second <= 0) return;
        std::printf("CPU per message (%d triggers): match::evaluate %.1f us, std::regex %.1f us, ratio %.1fx\n",
                    trigger_count, ours->second, naive->second, naive->second / ours->second);
    }

private:
    std::map<std::string, double> per_message_;
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    ratio_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratio();
    benchmark::Shutdown();
    return 0;
}
