// config/ewstrigd.schema.json must name exactly the keys the loader accepts:
// one $defs entry per section of config::key_sections(), with the same keys.
//
// Convention: a $defs entry that is an object schema with `properties` is a
// section and must carry a section name of keys.cpp; helper definitions
// (text, duration, condition_list, ...) never have `properties`.
#include "config/keys.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <string>

namespace ewstrigd::config {
namespace {

const char* const schema_path = EWSTRIGD_SOURCE_DIR "/config/ewstrigd.schema.json";

nlohmann::json load_schema() {
    std::ifstream in(schema_path);
    if (!in) {
        ADD_FAILURE() << "cannot read " << schema_path;
        return nlohmann::json::object();
    }
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        ADD_FAILURE() << schema_path << ": not valid JSON: " << e.what();
        return nlohmann::json::object();
    }
}

bool is_section_schema(const nlohmann::json& def) { return def.is_object() && def.contains("properties"); }

std::string join(const std::set<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

TEST(config_schema, root_refers_to_the_root_section) {
    const auto schema = load_schema();
    ASSERT_TRUE(schema.contains("$ref"));
    EXPECT_EQ(schema["$ref"], "#/$defs/root");
}

TEST(config_schema, every_section_has_a_def_with_exactly_its_keys) {
    const auto schema = load_schema();
    ASSERT_TRUE(schema.contains("$defs") && schema["$defs"].is_object()) << schema_path << " has no $defs";
    const auto& defs = schema["$defs"];
    for (const auto& section : key_sections()) {
        const std::string name(section.name);
        SCOPED_TRACE("section " + name);
        ASSERT_TRUE(defs.contains(name)) << "$defs has no entry '" << name << "'";
        const auto& def = defs[name];
        ASSERT_TRUE(is_section_schema(def)) << "$defs/" << name << " has no properties";
        EXPECT_EQ(def.value("type", ""), "object") << "$defs/" << name << " is not an object schema";
        EXPECT_EQ(def.value("additionalProperties", true), false)
            << "$defs/" << name << " must say additionalProperties: false, as the loader rejects unknown keys";

        std::set<std::string> expected;
        for (auto key : section.keys) expected.emplace(key);
        std::set<std::string> actual;
        for (const auto& [key, value] : def["properties"].items()) {
            actual.insert(key);
            EXPECT_TRUE(value.contains("description"))
                << "$defs/" << name << "/properties/" << key << " has no description";
        }
        std::set<std::string> missing;
        std::set<std::string> extra;
        for (const auto& k : expected) {
            if (!actual.contains(k)) missing.insert(k);
        }
        for (const auto& k : actual) {
            if (!expected.contains(k)) extra.insert(k);
        }
        EXPECT_TRUE(missing.empty()) << "$defs/" << name << " lacks keys the loader accepts: " << join(missing);
        EXPECT_TRUE(extra.empty()) << "$defs/" << name << " lists keys the loader rejects: " << join(extra);
    }
}

TEST(config_schema, no_object_defs_beyond_the_sections) {
    const auto schema = load_schema();
    ASSERT_TRUE(schema.contains("$defs"));
    std::set<std::string> sections;
    for (const auto& s : key_sections()) sections.emplace(s.name);
    for (const auto& [name, def] : schema["$defs"].items()) {
        if (!is_section_schema(def)) continue;  // a helper (text, duration, ...)
        EXPECT_TRUE(sections.contains(name))
            << "$defs/" << name << " describes an object with properties, but keys.cpp has no section '" << name
            << "' (helpers must not have properties)";
    }
}

}  // namespace
}  // namespace ewstrigd::config
