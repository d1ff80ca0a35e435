#include "state/sqlite.hpp"

#include <sqlite3.h>

#include <algorithm>

namespace ewstrigd::state::sqlite {

namespace {

// Statements are our own constants; quoting their start says which one failed
// without ever echoing a bound value.
std::string statement_context(const char* sql) {
    std::string s{sql};
    for (char& c : s)
        if (c == '\n') c = ' ';
    const auto first = s.find_first_not_of(' ');
    s.erase(0, first == std::string::npos ? s.size() : first);
    constexpr std::size_t shown = 60;
    if (s.size() > shown) s = s.substr(0, shown) + "...";
    return s;
}

}  // namespace

connection::connection(const std::filesystem::path& file) : file_(file) {
    // EXRESCODE: extended result codes; the mutex is unnecessary (one thread).
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    const int rc = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string reason = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw store_error(file_.string() + ": cannot open the state database: " + reason);
    }
}

connection::~connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
}

void connection::exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(statement_context(sql));
}

sqlite3_stmt* connection::cached(const char* sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
        fail(statement_context(sql));
    cache_.emplace(sql, stmt);
    return stmt;
}

std::int64_t connection::changes() const { return sqlite3_changes64(db_); }

bool connection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

void connection::busy_timeout(int milliseconds) {
    if (sqlite3_busy_timeout(db_, milliseconds) != SQLITE_OK) fail("busy_timeout");
}

void connection::fail(std::string_view context) const {
    std::string message = file_.string() + ": " + sqlite3_errmsg(db_);
    if (!context.empty()) message += " (" + std::string{context} + ")";
    throw store_error(message);
}

query::query(connection& db, const char* sql) : db_(db), stmt_(db.cached(sql)) {
    // A cached statement serves one query at a time; nesting two uses of the
    // same SQL would silently reset the outer one.
    if (sqlite3_stmt_busy(stmt_)) throw store_error(db.file().string() + ": statement used re-entrantly (" +
                                                    statement_context(sql) + ")");
}

query::~query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

query& query::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_.fail(statement_context(sqlite3_sql(stmt_)));
    return *this;
}

query& query::bind(int index, std::string_view value) {
    // SQLITE_TRANSIENT: SQLite copies, so the caller's string may go away.
    if (sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK)
        db_.fail(statement_context(sqlite3_sql(stmt_)));
    return *this;
}

query& query::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) db_.fail(statement_context(sqlite3_sql(stmt_)));
    return *this;
}

bool query::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_.fail(statement_context(sqlite3_sql(stmt_)));
}

void query::run() {
    while (step()) {
    }
}

std::int64_t query::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string query::text(int column) const { return std::string{view(column)}; }

std::string_view query::view(int column) const {
    // column_text before column_bytes: the byte count is of the text form.
    const auto* p = sqlite3_column_text(stmt_, column);
    const auto n = sqlite3_column_bytes(stmt_, column);
    if (!p) return {};
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

bool query::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

// BEGIN and COMMIT are cached statements like any other (they act when
// stepped): preparing them for each transaction cost more than running them.
transaction::transaction(connection& db) : db_(db) { query{db_, "BEGIN IMMEDIATE"}.run(); }

transaction::~transaction() {
    // After some I/O errors SQLite has already rolled back by itself; a
    // second ROLLBACK would only fail with "no transaction is active".
    if (open_ && db_.in_transaction()) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void transaction::commit() {
    query{db_, "COMMIT"}.run();
    open_ = false;
}

std::int64_t to_millis(clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

clock::time_point from_millis(std::int64_t ms) {
    // Clamped: a hand-edited row must not overflow the clock's representation.
    constexpr auto limit =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock::duration::max()).count() - 1;
    ms = std::clamp<std::int64_t>(ms, -limit, limit);
    return clock::time_point{std::chrono::duration_cast<clock::duration>(std::chrono::milliseconds{ms})};
}

}  // namespace ewstrigd::state::sqlite
