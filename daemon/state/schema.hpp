#pragma once
// The database schema and its forward migrations, private to state/.
//
// The schema version lives in PRAGMA user_version (0 = empty database).
// migrations()[i] turns version i into version i+1; a release that changes
// the schema appends one function and never edits a shipped one, so every
// database an older ewstrigd wrote is carried forward step by step.

#include "state/sqlite.hpp"

#include <span>

namespace ewstrigd::state::schema {

using migration = void (*)(sqlite::connection&);

// Every migration this build knows; its size is the current version.
std::span<const migration> migrations();

inline int current_version() { return static_cast<int>(migrations().size()); }

int version(sqlite::connection& db);

// Brings the database up to migrations.size(), each step in its own
// BEGIN IMMEDIATE transaction together with the new user_version (so a crash
// leaves a whole version, and two processes opening at once migrate once).
// Throws store_error naming the file and both versions when the database is
// newer than `migrations` knows: an older ewstrigd must not write into a
// schema it does not understand.
void migrate(sqlite::connection& db, std::span<const migration> steps = migrations());

}  // namespace ewstrigd::state::schema
