#include "netfuzz/fuzzer.hpp"

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "netfuzz/reproducer.hpp"
#include "netfuzz/rng.hpp"
#include "scenario/json.hpp"

namespace pop3::netfuzz {

namespace {

using Clock = std::chrono::steady_clock;

bool write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

class Fuzz {
  public:
    Fuzz(Target& target, const FuzzOptions& options)
        : target_(target), o_(options), generator_(&options.pool), seedable_(options.seedable) {}

    FuzzSummary run() {
        summary_.target = target_.endpoint().to_string();
        summary_.seed = o_.seed;
        started_ = Clock::now();
        duration_ = o_.duration;
        if (o_.max_sessions == 0 && duration_.count() == 0) duration_ = std::chrono::seconds(60);
        if (!o_.out_dir.empty()) {
            std::error_code ec;
            std::filesystem::create_directories(o_.out_dir, ec);
        }
        const unsigned jobs = std::max(1u, o_.jobs);
        std::vector<std::thread> workers;
        for (unsigned j = 0; j < jobs; ++j)
            workers.emplace_back([this, j, jobs] { worker(j, jobs); });
        auto next_progress = Clock::now() + o_.progress_interval;
        {
            std::unique_lock lock(done_mutex_);
            while (finished_workers_ < jobs) {
                done_cv_.wait_until(lock, next_progress);
                if (Clock::now() >= next_progress) {
                    next_progress += o_.progress_interval;
                    if (o_.on_progress) {
                        lock.unlock();
                        o_.on_progress(progress());
                        lock.lock();
                    }
                }
            }
        }
        for (auto& t : workers)
            t.join();
        summary_.progress = progress();
        if (o_.on_progress) o_.on_progress(summary_.progress);
        if (!o_.out_dir.empty()) write_file(o_.out_dir / "summary.json", summary_.to_json());
        return std::move(summary_);
    }

  private:
    FuzzProgress progress() {
        FuzzProgress p;
        p.sessions = sessions_done_.load();
        p.elapsed_s = std::chrono::duration<double>(Clock::now() - started_).count();
        p.sessions_per_second = p.elapsed_s > 0 ? static_cast<double>(p.sessions) / p.elapsed_s : 0;
        p.restarts = restarts_.load();
        for (auto k : all_finding_kinds)
            p.findings[k] = 0;
        std::lock_guard lock(findings_mutex_);
        for (const auto& [sig, kind] : kinds_)
            ++p.findings[kind];
        return p;
    }

    bool out_of_time() const { return duration_.count() > 0 && Clock::now() - started_ >= duration_; }

    SessionEnv env_for(const Account& account) const {
        SessionEnv env;
        env.endpoint = target_.endpoint();
        env.account = account;
        env.reply_timeout = o_.reply_timeout;
        env.connect_timeout = std::max(o_.reply_timeout, std::chrono::milliseconds(1000));
        env.liveness = [this] { return target_.dead(true); };
        return env;
    }

    void worker(unsigned j, unsigned jobs) {
        const Account account = o_.accounts.empty() ? Account{} : o_.accounts[j % o_.accounts.size()];
        const bool own_account = o_.accounts.size() >= jobs;
        std::optional<std::uint64_t> expected;
        GeneratorContext context;
        context.allow_commit = target_.fresh_on_restart() || seedable_;
        SessionPlan previous;
        bool have_previous = false;
        std::uint64_t last_generation = target_.generation();
        while (!stop_.load()) {
            const std::uint64_t index = next_session_.fetch_add(1);
            if ((o_.max_sessions != 0 && index >= o_.max_sessions) || out_of_time()) break;
            Rng rng(session_seed(o_.seed, index));
            SessionPlan plan = generator_.generate(rng, context);

            pop3::client::Transcript transcript;
            SessionResult result;
            std::uint64_t generation = 0;
            std::optional<std::string> evidence;
            {
                std::shared_lock lock(target_mutex_);
                generation = target_.generation();
                if (generation != last_generation) expected.reset();  // a restart or reseed: counts start over
                last_generation = generation;
                SessionEnv env = env_for(account);
                if (own_account) env.expected_count = expected;
                result = run_session(plan, env, transcript);
                if (!result.finding) {
                    // The process monitor: the server may have died after its last reply (or on the close).
                    if (auto dead = target_.dead(!result.connected)) {
                        Finding f;
                        f.kind = FindingKind::crash;
                        f.key = "crash";
                        f.detail = *dead;
                        evidence = *dead;
                        result.finding = f;
                        if (!result.connected) {
                            // It died before this session began: the previous session of this worker did it.
                            if (have_previous) plan = previous;
                            result.replies.clear();
                        }
                    } else if (auto report = target_.sanitizer_report()) {
                        Finding f;
                        f.kind = FindingKind::sanitizer;
                        f.key = "sanitizer";
                        f.detail = report->substr(0, report->find('\n'));
                        evidence = *report;
                        result.finding = f;
                    }
                } else if (result.finding->kind == FindingKind::crash) {
                    evidence = result.finding->detail;
                }
            }
            sessions_done_.fetch_add(1);
            if (!result.connected && !result.finding) {
                std::lock_guard lock(findings_mutex_);
                if (summary_.error.empty()) summary_.error = "cannot connect to the target: " + result.error;
                stop_ = true;
                break;
            }
            if (result.login_count || !result.logged_in) {
                if (result.logged_in) expected = result.end_count;
            } else {
                expected.reset();  // logged in without a STAT: deletions may have been committed unseen
            }
            if (result.end_count) context.message_count = *result.end_count;
            if (result.finding) {
                handle(*result.finding, plan, index, transcript, result.replies, generation, evidence.value_or(""));
                expected.reset();
            } else if (result.end_count && *result.end_count == 0 && context.allow_commit) {
                // The maildrop is empty: the seed command (or a fresh server) brings the messages back.
                std::unique_lock lock(target_mutex_);
                if (target_.generation() == generation) {
                    std::string error;
                    restarts_.fetch_add(1);
                    if (!target_.reseed(error)) {
                        std::lock_guard findings_lock(findings_mutex_);
                        summary_.error = "cannot reseed the target: " + error;
                        stop_ = true;
                    }
                }
            }
            previous = std::move(plan);
            have_previous = true;
        }
        std::lock_guard lock(done_mutex_);
        ++finished_workers_;
        done_cv_.notify_all();
    }

    bool restart() {
        std::string error;
        restarts_.fetch_add(1);
        if (!target_.restart(error)) {
            std::lock_guard lock(findings_mutex_);
            summary_.error = "cannot restart the target: " + error;
            stop_ = true;
            return false;
        }
        return true;
    }

    // Runs `plan` against a fresh target (when the target can be made fresh) and says whether it shows a finding
    // with `signature`.
    bool reproduce(const SessionPlan& plan, const std::string& signature, FindingKind kind,
                   pop3::client::Transcript& transcript, SessionResult& result) {
        if (target_.fresh_on_restart() && !restart()) return false;
        SessionEnv env = env_for(o_.accounts.empty() ? Account{} : o_.accounts.front());
        result = run_session(plan, env, transcript);
        if (!result.finding) {
            if (auto dead = target_.dead(false); dead && kind == FindingKind::crash) return true;
            if (kind == FindingKind::sanitizer && target_.sanitizer_report()) return true;
            return false;
        }
        return result.finding->signature() == signature;
    }

    void handle(const Finding& finding, const SessionPlan& plan, std::uint64_t session,
                const pop3::client::Transcript& transcript, const std::vector<ReplyRecord>& replies,
                std::uint64_t generation, const std::string& evidence) {
        std::unique_lock target_lock(target_mutex_);  // no other session runs while this one is minimised
        const std::string signature = finding.signature();
        const bool dies = finding.kind == FindingKind::crash || finding.kind == FindingKind::sanitizer;
        {
            std::lock_guard lock(findings_mutex_);
            if (auto it = index_.find(signature); it != index_.end()) {
                if (it->second < summary_.findings.size()) ++summary_.findings[it->second].duplicates;
                if (dies && target_.generation() == generation) restart_or_stop(finding);
                return;
            }
            if (dies && target_.generation() != generation) return;  // another worker restarted it meanwhile
            kinds_.emplace(signature, finding.kind);
            if (summary_.findings.size() >= o_.max_saved) {
                index_.emplace(signature, SIZE_MAX);
                if (dies) restart_or_stop(finding);
                return;
            }
        }
        FindingRecord rec;
        rec.finding = finding;
        rec.session = session;
        rec.plan = plan;
        rec.evidence = evidence;
        rec.minimize.ops_before = rec.minimize.ops_after = plan.ops.size();
        rec.minimize.bytes_before = rec.minimize.bytes_after = plan_bytes(plan);
        std::vector<ReplyRecord> final_replies = replies;
        std::string final_transcript = transcript.to_text();
        Finding final_finding = finding;

        // The message-gone invariant spans sessions; a dead target given by address cannot be re-run.
        const bool can_rerun = finding.key != "message-gone" && (target_.fresh_on_restart() || !dies);
        if (can_rerun) {
            if (o_.minimize) {
                auto test = [&](const SessionPlan& p) {
                    pop3::client::Transcript t;
                    SessionResult r;
                    return reproduce(p, signature, finding.kind, t, r);
                };
                rec.plan = minimize(plan, test, o_.minimize_options, rec.minimize);
                rec.minimized = true;
            }
            pop3::client::Transcript t;
            SessionResult r;
            rec.reproduced = reproduce(rec.plan, signature, finding.kind, t, r);
            if (rec.reproduced) {
                final_replies = r.replies;
                final_transcript = t.to_text();
                if (r.finding) final_finding = *r.finding;
                if (dies) {
                    if (auto d = target_.dead(false)) rec.evidence = *d;
                    if (auto s = target_.sanitizer_report()) rec.evidence = *s;
                }
            } else if (rec.minimized) {
                rec.plan = plan;  // keep what showed it
            }
        }
        std::lock_guard lock(findings_mutex_);
        rec.id = fmt::format("finding-{:04}", summary_.findings.size() + 1);
        ReproducerInfo info;
        info.id = "fuzz." + rec.id;
        info.seed = o_.seed;
        info.session = session;
        info.ops_before = plan.ops.size();
        info.reply_timeout = o_.reply_timeout;
        info.evidence = rec.evidence;
        rec.yaml = reproducer_yaml(final_finding, rec.plan, final_replies, info);
        rec.transcript = "# " + std::string(to_string(finding.kind)) + ": " + finding.detail + "\n" + final_transcript;
        if (!rec.evidence.empty()) rec.transcript += "\n# target evidence:\n" + rec.evidence + "\n";
        if (!o_.out_dir.empty()) {
            const std::string base = rec.id + "-" + std::string(to_string(finding.kind));
            rec.yaml_path = o_.out_dir / (base + ".yaml");
            rec.transcript_path = o_.out_dir / (base + ".txt");
            write_file(rec.yaml_path, rec.yaml);
            write_file(rec.transcript_path, rec.transcript);
        }
        index_.emplace(signature, summary_.findings.size());
        summary_.findings.push_back(rec);
        if (o_.on_finding) o_.on_finding(summary_.findings.back());
        if (o_.stop_after_findings != 0 && summary_.findings.size() >= o_.stop_after_findings) stop_ = true;
        // A fresh server for the next sessions (the minimiser's last run may have left it dead or drained).
        if (target_.fresh_on_restart() && !stop_) {
            std::string error;
            restarts_.fetch_add(1);
            if (!target_.restart(error)) {
                summary_.error = "cannot restart the target: " + error;
                stop_ = true;
            }
        } else if (dies && !target_.fresh_on_restart()) {
            summary_.error = "the target crashed; without --server-cmd it cannot be restarted";
            stop_ = true;
        }
    }

    // Called with findings_mutex_ held and the target locked exclusively.
    void restart_or_stop(const Finding&) {
        if (!target_.fresh_on_restart()) {
            if (summary_.error.empty())
                summary_.error = "the target crashed; without --server-cmd it cannot be restarted";
            stop_ = true;
            return;
        }
        std::string error;
        restarts_.fetch_add(1);
        if (!target_.restart(error)) {
            summary_.error = "cannot restart the target: " + error;
            stop_ = true;
        }
    }

    Target& target_;
    const FuzzOptions& o_;
    Generator generator_;
    bool seedable_ = false;
    Clock::time_point started_;
    std::chrono::milliseconds duration_{0};
    std::shared_mutex target_mutex_;
    std::mutex findings_mutex_;
    std::map<std::string, std::size_t> index_;
    std::multimap<std::string, FindingKind> kinds_;
    std::atomic<std::uint64_t> next_session_{0}, sessions_done_{0}, restarts_{0};
    std::atomic<bool> stop_{false};
    std::mutex done_mutex_;
    std::condition_variable done_cv_;
    unsigned finished_workers_ = 0;
    FuzzSummary summary_;
};

}  // namespace

std::string FuzzProgress::line() const {
    std::string kinds;
    for (const auto& [k, n] : findings)
        kinds += fmt::format(" {} {}", to_string(k), n);
    return fmt::format("sessions {} ({:.0f}/s), findings{}, restarts {}, elapsed {:.1f} s", sessions,
                       sessions_per_second, kinds, restarts, elapsed_s);
}

std::string FuzzSummary::to_json() const {
    namespace json = pop3::scenario::json;
    std::string j = "{\n";
    j += "  \"format\": \"pop3spec-fuzz-summary\",\n  \"version\": 1,\n";
    j += fmt::format("  \"target\": \"{}\",\n  \"seed\": {},\n", json::escape(target), seed);
    j += fmt::format("  \"sessions\": {},\n  \"elapsed_s\": {:.3f},\n  \"sessions_per_second\": {:.1f},\n",
                     progress.sessions, progress.elapsed_s, progress.sessions_per_second);
    j += fmt::format("  \"restarts\": {},\n  \"error\": \"{}\",\n  \"findings_by_kind\": {{", progress.restarts,
                     json::escape(error));
    bool first = true;
    for (const auto& [k, n] : progress.findings) {
        j += fmt::format("{}\"{}\": {}", first ? "" : ", ", to_string(k), n);
        first = false;
    }
    j += "},\n  \"findings\": [";
    for (std::size_t i = 0; i < findings.size(); ++i) {
        const auto& f = findings[i];
        j += fmt::format(
            "{}\n    {{\"id\": \"{}\", \"kind\": \"{}\", \"key\": \"{}\", \"detail\": \"{}\", \"session\": {}, "
            "\"minimized\": {}, \"reproduced\": {}, \"ops_before\": {}, \"ops_after\": {}, \"bytes_before\": {}, "
            "\"bytes_after\": {}, \"trials\": {}, \"duplicates\": {}, \"scenario\": \"{}\", \"transcript\": \"{}\"}}",
            i ? "," : "", json::escape(f.id), to_string(f.finding.kind), json::escape(f.finding.key),
            json::escape(f.finding.detail), f.session, f.minimized, f.reproduced, f.minimize.ops_before,
            f.minimize.ops_after, f.minimize.bytes_before, f.minimize.bytes_after, f.minimize.trials, f.duplicates,
            json::escape(f.yaml_path.string()), json::escape(f.transcript_path.string()));
    }
    j += findings.empty() ? "]\n}\n" : "\n  ]\n}\n";
    return j;
}

FuzzSummary run_fuzz(Target& target, const FuzzOptions& options) {
    return Fuzz(target, options).run();
}

}  // namespace pop3::netfuzz
