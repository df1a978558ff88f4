#include "scenario/result.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "scenario/json.hpp"

namespace pop3::scenario {

std::string_view to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::pass:
            return "pass";
        case Outcome::fail:
            return "fail";
        case Outcome::warn:
            return "warn";
        case Outcome::skip:
            return "skip";
        case Outcome::error:
            return "error";
    }
    return "error";
}

std::optional<Outcome> parse_outcome(std::string_view text) {
    for (auto o : {Outcome::pass, Outcome::fail, Outcome::warn, Outcome::skip, Outcome::error})
        if (to_string(o) == text) return o;
    return std::nullopt;
}

Summary summarize(const std::vector<ScenarioResult>& scenarios) {
    Summary s;
    for (const auto& r : scenarios) {
        ++s.total;
        switch (r.outcome) {
            case Outcome::pass:
                ++s.pass;
                break;
            case Outcome::fail:
                ++s.fail;
                break;
            case Outcome::warn:
                ++s.warn;
                break;
            case Outcome::skip:
                ++s.skip;
                break;
            case Outcome::error:
                ++s.error;
                break;
        }
        if (r.baselined) ++s.baselined;
        if (r.fixed) ++s.fixed;
        if ((r.outcome == Outcome::fail || r.outcome == Outcome::error) && !r.baselined) ++s.new_failures;
    }
    return s;
}

namespace {

json::Value strings(const std::vector<std::string>& v) {
    json::Array a;
    for (const auto& s : v)
        a.emplace_back(s);
    return a;
}

std::vector<std::string> read_strings(const json::Value& v) {
    std::vector<std::string> out;
    for (const auto& e : v.as_array())
        out.push_back(e.as_string());
    return out;
}

std::string opt_string(const json::Value& o, std::string_view key) {
    const auto* v = o.find(key);
    return v && v->is_string() ? v->as_string() : std::string();
}

}  // namespace

std::string to_json(const RunResult& run) {
    using json::Object;
    using json::Value;
    json::Array scenarios;
    for (const auto& r : run.scenarios) {
        json::Array transcript;
        for (const auto& t : r.transcript)
            transcript.emplace_back(Object{{"at_ms", Value(t.at_ms)},
                                           {"session", Value(t.session)},
                                           {"dir", Value(t.direction)},
                                           {"text", Value(t.text)}});
        Object o{{"id", Value(r.id)},
                 {"title", Value(r.title)},
                 {"file", Value(r.file)},
                 {"refs", strings(r.refs)},
                 {"tags", strings(r.tags)},
                 {"level", Value(r.level)},
                 {"outcome", Value(to_string(r.outcome))},
                 {"reason", Value(r.reason)},
                 {"step", r.step ? Value(*r.step) : Value()},
                 {"line", r.line ? Value(*r.line) : Value()},
                 {"expected", Value(r.expected)},
                 {"received", Value(r.received)},
                 {"notes", strings(r.notes)},
                 {"duration_ms", Value(r.duration_ms)},
                 {"baselined", Value(r.baselined)},
                 {"baseline_reason", Value(r.baseline_reason)},
                 {"fixed", Value(r.fixed)},
                 {"transcript_truncated", Value(r.transcript_truncated)},
                 {"transcript", Value(std::move(transcript))}};
        scenarios.emplace_back(std::move(o));
    }
    const auto& s = run.summary;
    Object doc{{"schema_version", Value(run.schema_version)},
               {"tool", Value(run.tool)},
               {"tool_version", Value(run.tool_version)},
               {"profile", Value(run.profile)},
               {"started", Value(run.started)},
               {"duration_ms", Value(run.duration_ms)},
               {"target", Value(Object{{"address", Value(run.target.address)},
                                       {"tls", Value(run.target.tls)},
                                       {"embedded", Value(run.target.embedded)},
                                       {"greeting", Value(run.target.greeting)},
                                       {"capabilities", strings(run.target.capabilities)},
                                       {"capabilities_after_login", strings(run.target.capabilities_after_login)},
                                       {"implementation", Value(run.target.implementation)}})},
               {"seeding", Value(run.seeding)},
               {"seeding_output", Value(run.seeding_output)},
               {"filters", strings(run.filters)},
               {"summary", Value(Object{{"total", Value(s.total)},
                                        {"pass", Value(s.pass)},
                                        {"fail", Value(s.fail)},
                                        {"warn", Value(s.warn)},
                                        {"skip", Value(s.skip)},
                                        {"error", Value(s.error)},
                                        {"baselined", Value(s.baselined)},
                                        {"fixed", Value(s.fixed)},
                                        {"new_failures", Value(s.new_failures)}})},
               {"scenarios", Value(std::move(scenarios))}};
    return Value(std::move(doc)).dump(2) + "\n";
}

RunResult from_json(std::string_view text) {
    try {
        auto doc = json::parse(text);
        RunResult run;
        run.schema_version = static_cast<int>(doc.at("schema_version").as_int());
        if (run.schema_version > RunResult::current_schema_version || run.schema_version < 1)
            throw std::runtime_error(
                fmt::format("result document schema_version {} is not supported (this build "
                            "reads up to {})",
                            run.schema_version, RunResult::current_schema_version));
        run.tool = doc.at("tool").as_string();
        run.tool_version = opt_string(doc, "tool_version");
        run.profile = opt_string(doc, "profile");
        run.started = opt_string(doc, "started");
        run.duration_ms = doc.at("duration_ms").as_double();
        const auto& t = doc.at("target");
        run.target.address = t.at("address").as_string();
        run.target.tls = opt_string(t, "tls");
        if (const auto* e = t.find("embedded")) run.target.embedded = e->as_bool();
        run.target.greeting = opt_string(t, "greeting");
        if (const auto* c = t.find("capabilities")) run.target.capabilities = read_strings(*c);
        if (const auto* c = t.find("capabilities_after_login")) run.target.capabilities_after_login = read_strings(*c);
        run.target.implementation = opt_string(t, "implementation");
        run.seeding = opt_string(doc, "seeding");
        run.seeding_output = opt_string(doc, "seeding_output");
        if (const auto* f = doc.find("filters")) run.filters = read_strings(*f);
        for (const auto& o : doc.at("scenarios").as_array()) {
            ScenarioResult r;
            r.id = o.at("id").as_string();
            r.title = opt_string(o, "title");
            r.file = opt_string(o, "file");
            if (const auto* v = o.find("refs")) r.refs = read_strings(*v);
            if (const auto* v = o.find("tags")) r.tags = read_strings(*v);
            r.level = opt_string(o, "level");
            auto outcome = parse_outcome(o.at("outcome").as_string());
            if (!outcome) throw std::runtime_error("unknown outcome '" + o.at("outcome").as_string() + "'");
            r.outcome = *outcome;
            r.reason = opt_string(o, "reason");
            if (const auto* v = o.find("step"); v && !v->is_null()) r.step = static_cast<int>(v->as_int());
            if (const auto* v = o.find("line"); v && !v->is_null()) r.line = static_cast<int>(v->as_int());
            r.expected = opt_string(o, "expected");
            r.received = opt_string(o, "received");
            if (const auto* v = o.find("notes")) r.notes = read_strings(*v);
            if (const auto* v = o.find("duration_ms")) r.duration_ms = v->as_double();
            if (const auto* v = o.find("baselined")) r.baselined = v->as_bool();
            r.baseline_reason = opt_string(o, "baseline_reason");
            if (const auto* v = o.find("fixed")) r.fixed = v->as_bool();
            if (const auto* v = o.find("transcript_truncated")) r.transcript_truncated = v->as_bool();
            if (const auto* tr = o.find("transcript"))
                for (const auto& e : tr->as_array())
                    r.transcript.push_back(TranscriptLine{e.at("at_ms").as_int(), opt_string(e, "session"),
                                                          e.at("dir").as_string(), e.at("text").as_string()});
            run.scenarios.push_back(std::move(r));
        }
        run.summary = summarize(run.scenarios);
        return run;
    } catch (const json::Error& e) {
        throw std::runtime_error(std::string("result document: ") + e.what());
    }
}

}  // namespace pop3::scenario
