#include "netfuzz/minimizer.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace pop3::netfuzz {

namespace {

class Budget {
  public:
    Budget(const MinimizeOptions& o, MinimizeStats& s)
        : options_(o), stats_(s), deadline_(std::chrono::steady_clock::now() + o.budget) {}
    bool left() const { return stats_.trials < options_.max_trials && std::chrono::steady_clock::now() < deadline_; }
    bool test(const Reproduces& reproduces, const SessionPlan& plan) {
        if (!left()) return false;
        ++stats_.trials;
        return reproduces(plan);
    }

  private:
    const MinimizeOptions& options_;
    MinimizeStats& stats_;
    std::chrono::steady_clock::time_point deadline_;
};

// ddmin over a list: `test(subset)` says whether the subset still fails.
template <class T, class Test>
std::vector<T> ddmin(std::vector<T> items, Test&& test, const Budget& budget) {
    if (!items.empty() && test(std::vector<T>{})) return {};
    std::size_t n = 2;
    while (items.size() >= 2 && budget.left()) {
        const std::size_t chunk = (items.size() + n - 1) / n;
        bool reduced = false;
        for (std::size_t start = 0; start < items.size() && budget.left(); start += chunk) {
            std::vector<T> complement(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(start));
            complement.insert(complement.end(),
                              items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), start + chunk)),
                              items.end());
            if (test(complement)) {
                items = std::move(complement);
                n = std::max<std::size_t>(n - 1, 2);
                reduced = true;
                break;
            }
        }
        if (!reduced) {
            if (n >= items.size()) break;
            n = std::min(items.size(), n * 2);
        }
    }
    return items;
}

// The command lines of an op's bytes: each piece ends with its LF (the last may have none).
std::vector<std::string> split_lines(const std::string& bytes) {
    std::vector<std::string> lines;
    std::size_t from = 0;
    while (from < bytes.size()) {
        auto lf = bytes.find('\n', from);
        const std::size_t to = lf == std::string::npos ? bytes.size() : lf + 1;
        lines.push_back(bytes.substr(from, to - from));
        from = to;
    }
    return lines;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts)
        out += p;
    return out;
}

}  // namespace

SessionPlan minimize(const SessionPlan& plan, const Reproduces& reproduces, const MinimizeOptions& options,
                     MinimizeStats& stats) {
    stats.ops_before = plan.ops.size();
    stats.bytes_before = plan_bytes(plan);
    Budget budget(options, stats);
    SessionPlan best = plan;

    // 1. Whole ops.
    best.ops = ddmin(
        best.ops,
        [&](const std::vector<Op>& ops) {
            SessionPlan p;
            p.ops = ops;
            return budget.test(reproduces, p);
        },
        budget);

    // 2. Split writes, then the lines inside each op.
    for (std::size_t i = 0; i < best.ops.size() && budget.left(); ++i) {
        if (best.ops[i].kind != OpKind::bytes) continue;
        if (!best.ops[i].splits.empty()) {
            SessionPlan p = best;
            p.ops[i].splits.clear();
            if (budget.test(reproduces, p)) best = std::move(p);
        }
        auto lines = split_lines(best.ops[i].bytes);
        if (lines.size() < 2 || !best.ops[i].splits.empty()) continue;
        lines = ddmin(
            lines,
            [&](const std::vector<std::string>& subset) {
                if (subset.empty()) return false;  // an empty op: step 1 already tried removing it
                SessionPlan p = best;
                p.ops[i].bytes = join(subset);
                return budget.test(reproduces, p);
            },
            budget);
        best.ops[i].bytes = join(lines);
    }

    // 3. Bytes inside each line (the line end kept, so the reply owed stays the same).
    for (std::size_t i = 0; i < best.ops.size() && budget.left(); ++i) {
        if (best.ops[i].kind != OpKind::bytes || !best.ops[i].splits.empty()) continue;
        auto lines = split_lines(best.ops[i].bytes);
        for (std::size_t l = 0; l < lines.size() && budget.left(); ++l) {
            std::string body = lines[l];
            std::string end;
            if (!body.empty() && body.back() == '\n') {
                body.pop_back();
                end = "\n";
                if (!body.empty() && body.back() == '\r') {
                    body.pop_back();
                    end = "\r\n";
                }
            }
            if (body.size() < 2) continue;
            // Chunks of bytes rather than single bytes: a 5000-byte argument shrinks in a few dozen trials.
            std::vector<std::string> pieces;
            const std::size_t piece = std::max<std::size_t>(1, body.size() / 64);
            for (std::size_t at = 0; at < body.size(); at += piece)
                pieces.push_back(body.substr(at, piece));
            pieces = ddmin(
                pieces,
                [&](const std::vector<std::string>& subset) {
                    auto candidate = lines;
                    candidate[l] = join(subset) + end;
                    SessionPlan p = best;
                    p.ops[i].bytes = join(candidate);
                    return budget.test(reproduces, p);
                },
                budget);
            lines[l] = join(pieces) + end;
            best.ops[i].bytes = join(lines);
        }
    }
    stats.ops_after = best.ops.size();
    stats.bytes_after = plan_bytes(best);
    return best;
}

}  // namespace pop3::netfuzz
