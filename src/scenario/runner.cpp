#include "scenario/runner.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <ctime>
#include <mutex>
#include <thread>

#include "pop3/apop.hpp"
#include "pop3/sasl_plain.hpp"
#include "scenario/loader.hpp"
#include "scenario/matcher.hpp"

namespace pop3::scenario {

namespace client = pop3::client;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::string utc_now_iso8601() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

namespace {

std::vector<std::string> capa_lines(const pop3::Capabilities& caps) {
    std::vector<std::string> out;
    for (const auto& c : caps.entries()) {
        std::string line = c.tag;
        for (const auto& a : c.arguments)
            line += " " + a;
        out.push_back(line);
    }
    return out;
}

}  // namespace

ServerFacts probe(const RunConfig& config, std::string& error) {
    ServerFacts f;
    client::Transcript transcript;
    auto opts = config.client_options;
    opts.io_timeout = config.step_timeout;
    opts.reply_timeout = config.step_timeout;
    opts.connect_timeout = std::min(opts.connect_timeout, config.step_timeout);
    opts.overall_deadline = config.step_timeout * 6;
    auto mode = config.tls == client::TlsMode::implicit ? client::TlsMode::implicit : client::TlsMode::none;
    auto conn = client::Connection::connect(config.endpoint, mode, opts, transcript);
    if (!conn) {
        error = fmt::format("cannot connect to {}: {}", config.endpoint.to_string(), conn.error().to_string());
        return f;
    }
    auto g = conn->read_greeting();
    if (!g) {
        error = fmt::format("no greeting from {}: {}", config.endpoint.to_string(), g.error().to_string());
        return f;
    }
    f.reachable = true;
    f.greeting = g->status_line;
    if (auto ts = pop3::find_apop_timestamp(g->text)) f.apop_timestamp = std::string(*ts);
    auto read_capa = [&](pop3::Capabilities& out) {
        if (!conn->send_line("CAPA")) return false;
        auto r = conn->read_reply(pop3::ReplyKind::multi_line_if_ok);
        if (!r || r->status != pop3::Status::ok) return false;
        out = pop3::Capabilities::parse(r->body);
        return true;
    };
    if (config.tls == client::TlsMode::starttls) {
        if (!conn->send_line("STLS")) return f;
        auto r = conn->read_reply(pop3::ReplyKind::single_line);
        if (!r || r->status != pop3::Status::ok || !conn->start_tls()) {
            f.login_error = "STLS failed";
            return f;
        }
    }
    f.capa_ok = read_capa(f.capabilities);
    // RFC 2449 §6.2: USER advertised (or no CAPA at all: RFC 1939 servers) means USER/PASS; else SASL PLAIN; else
    // APOP when the greeting offers it.
    if (f.capa_ok && !f.capabilities.has("USER")) {
        auto mechs = f.capabilities.sasl_mechanisms();
        if (std::find(mechs.begin(), mechs.end(), "PLAIN") != mechs.end())
            f.default_mech = LoginMech::auth_plain;
        else if (f.apop_timestamp)
            f.default_mech = LoginMech::apop;
    }
    const auto* cred =
        config.account_sets.empty() || !config.account_sets[0].primary ? nullptr : &*config.account_sets[0].primary;
    if (!cred) {
        f.login_error = "no credentials given";
    } else {
        transcript.add_secret(cred->pass);
        pop3::Reply last;
        bool sent = false;
        if (f.default_mech == LoginMech::auth_plain) {
            sent = static_cast<bool>(conn->send_line(
                "AUTH PLAIN " + pop3::sasl_plain_encode({"", cred->user, cred->pass}), client::Secret::auth_payload));
            if (sent)
                if (auto r = conn->read_reply(pop3::ReplyKind::sasl)) last = *r;
        } else if (f.default_mech == LoginMech::apop) {
            sent = static_cast<bool>(
                conn->send_line("APOP " + cred->user + " " + pop3::apop_digest(*f.apop_timestamp, cred->pass),
                                client::Secret::apop_digest));
            if (sent)
                if (auto r = conn->read_reply(pop3::ReplyKind::single_line)) last = *r;
        } else if (conn->send_line("USER " + cred->user)) {
            auto r = conn->read_reply(pop3::ReplyKind::single_line);
            if (r && r->status == pop3::Status::ok) {
                sent = static_cast<bool>(conn->send_line("PASS " + cred->pass, client::Secret::pass_argument));
                if (sent)
                    if (auto r2 = conn->read_reply(pop3::ReplyKind::single_line)) last = *r2;
            } else if (r) {
                last = *r;
            }
        }
        f.login_ok = last.status == pop3::Status::ok;
        if (!f.login_ok)
            f.login_error = fmt::format("login as {} refused: '{}'", cred->user, escape_for_reason(last.status_line));
        if (f.login_ok) read_capa(f.capabilities_after_login);
    }
    if (conn->send_line("QUIT")) {
        (void)conn->read_reply(pop3::ReplyKind::single_line);
        (void)conn->wait_closed(milliseconds(2000));
    }
    conn->close();
    return f;
}

Baseline load_baseline(const std::string& path) {
    Baseline b;
    YAML::Node doc;
    try {
        doc = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        throw LoadError(path, 0, 0, "", "cannot read the baseline file");
    } catch (const YAML::Exception& e) {
        throw LoadError(path, e.mark.line + 1, e.mark.column + 1, "", e.msg);
    }
    auto fail = [&](const YAML::Node& n, const std::string& key, const std::string& msg) {
        throw LoadError(path, n.Mark().line + 1, n.Mark().column + 1, key, msg);
    };
    if (doc.IsNull()) return b;
    if (!doc.IsMap()) fail(doc, "", "expected known_failures: [{id, reason}] or a mapping id: reason");
    if (doc["known_failures"]) {
        for (const auto& kv : doc) {
            const YAML::Node k = kv.first;
            if (k.Scalar() != "known_failures" && k.Scalar() != "target" && k.Scalar() != "description")
                fail(k, k.Scalar(), "unknown key (known_failures, target, description)");
        }
        const auto& list = doc["known_failures"];
        if (!list.IsSequence()) fail(list, "known_failures", "expected a list of {id, reason}");
        for (const auto& e : list) {
            if (!e.IsMap() || !e["id"] || !e["reason"]) fail(e, "known_failures", "each entry needs id and reason");
            for (const auto& kv : e) {
                const YAML::Node k = kv.first;
                if (k.Scalar() != "id" && k.Scalar() != "reason" && k.Scalar() != "refs")
                    fail(k, k.Scalar(), "unknown key (id, reason, refs)");
            }
            b.known[e["id"].Scalar()] = e["reason"].Scalar();
        }
        return b;
    }
    for (const auto& kv : doc)
        b.known[kv.first.Scalar()] = kv.second.Scalar();
    return b;
}

void apply_baseline(RunResult& run, const Baseline& baseline) {
    for (auto& r : run.scenarios) {
        auto it = baseline.known.find(r.id);
        if (it == baseline.known.end()) continue;
        if (r.outcome == Outcome::fail || r.outcome == Outcome::warn || r.outcome == Outcome::error) {
            r.baselined = true;
            r.baseline_reason = it->second;
        } else if (r.outcome == Outcome::pass) {
            r.fixed = true;
            r.baseline_reason = it->second;
        }
    }
    run.summary = summarize(run.scenarios);
}

void run_scenarios(const std::vector<Scenario>& scenarios, const RunConfig& config, const ServerFacts& facts,
                   RunResult& run) {
    auto run_start = Clock::now();
    auto deadline = run_start + config.global_timeout;
    run.target.address = config.endpoint.to_string();
    run.target.tls = client::to_string(config.tls);
    run.target.greeting = escape_for_reason(facts.greeting, 1024);
    run.target.capabilities = capa_lines(facts.capabilities);
    run.target.capabilities_after_login = capa_lines(facts.capabilities_after_login);
    if (auto impl = facts.capabilities_after_login.implementation())
        run.target.implementation = *impl;
    else if (auto impl2 = facts.capabilities.implementation())
        run.target.implementation = *impl2;
    run.profile = config.strict ? "strict" : "default";
    run.seeding = config.seeder ? config.seeder->name() : "none";

    std::vector<ScenarioResult> results(scenarios.size());
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::mutex mutex;  // serialises on_result and seeding_output
    unsigned workers = std::max(1u, std::min<unsigned>(config.jobs, static_cast<unsigned>(config.account_sets.size())));
    workers = std::min<unsigned>(workers, static_cast<unsigned>(std::max<std::size_t>(1, scenarios.size())));

    auto worker = [&](unsigned w) {
        const AccountSet& accounts = config.account_sets.at(w);
        bool clean = false;  // this worker's maildrops hold exactly the fixtures
        auto reseed = [&](std::string& why) {
            for (const auto* a : {&accounts.primary, &accounts.secondary}) {
                if (!*a) continue;
                auto r = config.seeder->seed((*a)->user, config.fixtures);
                std::lock_guard lock(mutex);
                if (!r.output.empty() && run.seeding_output.size() < 64 * 1024)
                    run.seeding_output += fmt::format("[{}] {}\n", (*a)->user, r.output);
                if (!r.ok) {
                    why = fmt::format("seeding {} failed: {}", (*a)->user, r.error);
                    return false;
                }
            }
            return true;
        };
        if (config.seeder) {
            std::string why;
            clean = reseed(why);
        }
        for (;;) {
            std::size_t i = next++;
            if (i >= scenarios.size()) break;
            const Scenario& s = scenarios[i];
            ExecutionConfig ec;
            ec.endpoint = config.endpoint;
            ec.tls = config.tls;
            ec.implicit_endpoint = config.implicit_endpoint;
            ec.accounts = accounts;
            ec.fixtures = &config.fixtures;
            ec.facts = &facts;
            ec.seeded = config.seeder != nullptr;
            ec.can_seed = config.seeder != nullptr;
            ec.strict = config.strict;
            ec.step_timeout = config.step_timeout;
            ec.scenario_timeout = config.scenario_timeout;
            ec.deadline = deadline;
            ec.client_options = config.client_options;
            ScenarioResult r;
            if (Clock::now() >= deadline) {
                r.id = s.id;
                r.title = s.title;
                r.file = s.file;
                r.refs = s.refs;
                r.tags = s.tags;
                r.level = std::string(to_string(s.level));
                r.outcome = Outcome::error;
                r.reason = "not run: the run's global deadline passed";
            } else {
                bool runs = !skip_reason(s, ec);
                std::string why;
                // A scenario that declares it needs longer than the per-scenario bound (slow autologout waits)
                // is skipped with the reason, not cut off into an error.
                std::optional<std::string> too_long;
                if (runs && s.timeout && *s.timeout > config.scenario_timeout) {
                    too_long = fmt::format("needs {} s: run it with --scenario-timeout {}s or more",
                                           s.timeout->count() / 1000, (s.timeout->count() + 999) / 1000);
                    runs = false;
                }
                // DESIGN.md: destructive scenarios reseed before they run; content scenarios need clean maildrops.
                if (runs && config.seeder && (s.needs.destructive || (s.needs.seeded && !clean))) {
                    clean = reseed(why);
                }
                if (too_long) {
                    r.id = s.id;
                    r.title = s.title;
                    r.file = s.file;
                    r.refs = s.refs;
                    r.tags = s.tags;
                    r.level = std::string(to_string(s.level));
                    r.outcome = Outcome::skip;
                    r.reason = *too_long;
                } else if (!why.empty()) {
                    r.id = s.id;
                    r.title = s.title;
                    r.file = s.file;
                    r.refs = s.refs;
                    r.tags = s.tags;
                    r.level = std::string(to_string(s.level));
                    r.outcome = Outcome::error;
                    r.reason = why;
                } else {
                    r = execute(s, ec);
                    if (runs && s.needs.destructive) clean = false;
                }
            }
            results[i] = std::move(r);
            std::size_t n = ++done;
            if (config.on_result) {
                std::lock_guard lock(mutex);
                config.on_result(results[i], n, scenarios.size());
            }
        }
    };
    if (workers == 1) {
        worker(0);
    } else {
        std::vector<std::thread> threads;
        for (unsigned w = 0; w < workers; ++w)
            threads.emplace_back(worker, w);
        for (auto& t : threads)
            t.join();
    }
    run.scenarios = std::move(results);
    run.summary = summarize(run.scenarios);
    run.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - run_start).count();
}

}  // namespace pop3::scenario
