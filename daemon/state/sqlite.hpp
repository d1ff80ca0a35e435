#pragma once
// A thin RAII layer over the SQLite C API, private to state/: one connection
// that caches its prepared statements, a `query` that binds values (never
// splices them into SQL text) and resets its statement on scope exit, and a
// `transaction` that rolls back unless committed.
//
// Every failure throws store_error whose message starts with the database
// file's path. Not thread-safe: one connection per thread (the store's rule).

#include "state/store.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace ewstrigd::state::sqlite {

class connection {
public:
    // Opens `file` read-write, creating it when absent. Nothing is read yet:
    // a file that is not a database fails on the first statement.
    explicit connection(const std::filesystem::path& file);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // Runs SQL text that carries no values: DDL, PRAGMAs, BEGIN/COMMIT.
    void exec(const char* sql);

    // The statement for `sql`, prepared on first use and kept until close.
    sqlite3_stmt* cached(const char* sql);

    // Rows changed by the last INSERT/UPDATE/DELETE.
    std::int64_t changes() const;

    bool in_transaction() const;

    void busy_timeout(int milliseconds);

    const std::filesystem::path& file() const { return file_; }
    sqlite3* handle() const { return db_; }

    // Throws store_error "FILE: <SQLite's message> (<context>)".
    [[noreturn]] void fail(std::string_view context) const;

private:
    std::filesystem::path file_;
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;  // keyed by SQL text
};

// One execution of a cached statement. Parameters are numbered from 1 as in
// SQL (`?1`, `?2`, ...); text is copied into SQLite at bind time.
class query {
public:
    query(connection& db, const char* sql);
    ~query();
    query(const query&) = delete;
    query& operator=(const query&) = delete;

    query& bind(int index, std::int64_t value);
    query& bind(int index, std::string_view value);
    query& bind_null(int index);

    // Binds the arguments to ?1, ?2, ... in order.
    template <typename... Values>
    query& with(const Values&... values) {
        int index = 0;
        (bind(++index, values), ...);
        return *this;
    }

    // Advances to the next row; false when the statement is done.
    bool step();
    // Runs a statement that returns no rows (INSERT/UPDATE/DELETE).
    void run();

    std::int64_t int64(int column) const;
    std::string text(int column) const;
    // The same text without a copy: valid until the next step() or the query's end.
    std::string_view view(int column) const;
    bool is_null(int column) const;

private:
    connection& db_;
    sqlite3_stmt* stmt_;
};

// BEGIN IMMEDIATE: takes the write lock up front, so a transaction never
// fails half-way with SQLITE_BUSY when it first writes. Rolls back on scope
// exit unless commit() succeeded.
class transaction {
public:
    explicit transaction(connection& db);
    ~transaction();
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;

    void commit();

private:
    connection& db_;
    bool open_ = true;
};

// Milliseconds since the epoch: how every time is stored.
std::int64_t to_millis(clock::time_point t);
clock::time_point from_millis(std::int64_t ms);

}  // namespace ewstrigd::state::sqlite
