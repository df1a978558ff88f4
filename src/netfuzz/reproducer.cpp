#include "netfuzz/reproducer.hpp"

#include <fmt/format.h>

#include <map>

#include "client/transcript.hpp"

namespace pop3::netfuzz {

namespace {

// Appends with <<, like a stream (std::ostringstream trips GCC 12's -Wnull-dereference in <streambuf>).
struct Writer {
    std::string& out;
    Writer& operator<<(std::string_view s) {
        out += s;
        return *this;
    }
    Writer& operator<<(char c) {
        out += c;
        return *this;
    }
    template <class N, std::enable_if_t<std::is_arithmetic_v<N>, int> = 0>
    Writer& operator<<(N n) {
        out += std::to_string(n);
        return *this;
    }
};

// A YAML double-quoted-free, single-line text for titles and comments.
std::string single_quoted(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'')
            out += "''";
        else
            out += c;
    }
    return out + "'";
}

std::string clean_text(std::string_view text) {
    return pop3::client::Transcript::escape(text);
}

// The raw chunks of one write: "${" would be taken for a variable by the executor, so a chunk never holds it.
std::vector<std::string> raw_chunks(std::string_view bytes) {
    std::vector<std::string> chunks;
    std::size_t from = 0;
    for (auto at = bytes.find("${"); at != std::string_view::npos; at = bytes.find("${", at + 1)) {
        chunks.emplace_back(bytes.substr(from, at + 1 - from));
        from = at + 1;
    }
    chunks.emplace_back(bytes.substr(from));
    return chunks;
}

std::string reply_expectation(const ReplyRecord& r, std::string_view status) {
    std::string e = fmt::format("{{status: {}", status);
    if (r.kind == pop3::ReplyKind::multi_line_if_ok) e += ", multiline: true";
    if (r.continuation || r.kind == pop3::ReplyKind::sasl) e += ", tolerate: [bad_status_indicator]";
    return e + "}";
}

}  // namespace

std::string yaml_raw_literal(std::string_view bytes) {
    // Transcript::escape writes exactly the escapes the scenario loader's decode_escapes reads (\r \n \t \\ \xNN,
    // printable ASCII as is); inside a single-quoted YAML scalar only the quote itself needs doubling.
    std::string out = "'";
    for (char c : pop3::client::Transcript::escape(bytes)) {
        out += c;
        if (c == '\'') out += '\'';
    }
    return out + "'";
}

std::string reproducer_yaml(const Finding& finding, const SessionPlan& plan, const std::vector<ReplyRecord>& replies,
                            const ReproducerInfo& info) {
    std::string out;
    auto y = Writer{out};
    y << "# Found by `pop3spec fuzz --seed " << info.seed << "`, session " << info.session << "; minimised from "
      << info.ops_before << " to " << plan.ops.size() << " ops.\n";
    y << "# " << to_string(finding.kind) << ": " << clean_text(finding.detail) << "\n";
    if (!info.evidence.empty()) {
        std::size_t from = 0;
        for (int i = 0; i < 12 && from < info.evidence.size(); ++i) {
            auto lf = info.evidence.find('\n', from);
            if (lf == std::string::npos) lf = info.evidence.size();
            y << "#   " << clean_text(std::string_view(info.evidence).substr(from, lf - from)) << "\n";
            from = lf + 1;
        }
    }
    if (finding.kind == FindingKind::sanitizer)
        y << "# The report appeared on the server's stderr: replay against the same sanitizer build and watch it.\n";
    y << "id: " << info.id << "\n";
    y << "title: " << single_quoted(std::string(to_string(finding.kind)) + ": " + clean_text(finding.detail)) << "\n";
    y << "level: MUST\n";
    y << "tags: [fuzz, " << to_string(finding.kind) << "]\n";
    y << "steps:\n  - connect\n";

    std::map<std::size_t, std::vector<const ReplyCapture*>> captures;
    for (const auto& c : finding.captures)
        captures[c.reply].push_back(&c);

    const std::size_t last_reply = finding.reply.value_or(replies.size());
    std::size_t next_reply = 1;  // replies[0] is the greeting, read by `connect`
    auto emit_replies_of = [&](std::size_t op) {
        while (next_reply < replies.size() && next_reply <= last_reply && replies[next_reply].op == op) {
            const ReplyRecord& r = replies[next_reply];
            const std::size_t index = next_reply++;
            if (r.login) continue;  // the login step reads them
            if (finding.reply && index == *finding.reply) {
                switch (finding.kind) {
                    case FindingKind::hang:
                        y << "  - expect: " << reply_expectation(r, "any")
                          << "\n    timeout: " << std::max<long long>(1000, 2 * info.reply_timeout.count()) << "ms\n";
                        break;
                    case FindingKind::state_violation:
                        if (finding.key == "ok-before-login") {
                            y << "  - expect: {any_of: [err, closed]}\n";
                            break;
                        }
                        y << "  - expect: " << reply_expectation(r, "any") << "\n";
                        break;
                    default:
                        if (auto it = captures.find(index); it != captures.end()) {
                            y << "  - expect: {status: ok, capture: {";
                            for (std::size_t k = 0; k < it->second.size(); ++k)
                                y << (k ? ", " : "") << it->second[k]->name << ": " << it->second[k]->source;
                            y << "}";
                            if (r.kind == pop3::ReplyKind::multi_line_if_ok) y << ", multiline: true";
                            y << "}\n";
                        } else {
                            y << "  - expect: " << reply_expectation(r, "any") << "\n";
                        }
                }
                continue;
            }
            if (auto it = captures.find(index); it != captures.end()) {
                y << "  - expect: {status: ok, capture: {";
                for (std::size_t k = 0; k < it->second.size(); ++k)
                    y << (k ? ", " : "") << it->second[k]->name << ": " << it->second[k]->source;
                y << "}";
                if (r.kind == pop3::ReplyKind::multi_line_if_ok) y << ", multiline: true";
                y << "}\n";
            } else {
                y << "  - expect: " << reply_expectation(r, "any") << "\n";
            }
        }
    };

    const std::size_t last_op =
        finding.reply && *finding.reply < replies.size() ? replies[*finding.reply].op : plan.ops.size() - 1;
    for (std::size_t i = 0; i < plan.ops.size() && i <= last_op; ++i) {
        const Op& op = plan.ops[i];
        if (op.kind == OpKind::login) {
            y << "  - login\n";
        } else {
            std::size_t from = 0;
            auto splits = op.splits;
            splits.push_back(op.bytes.size());
            for (auto to : splits) {
                if (to <= from || to > op.bytes.size()) continue;
                for (const auto& chunk : raw_chunks(std::string_view(op.bytes).substr(from, to - from)))
                    y << "  - raw: " << yaml_raw_literal(chunk) << "\n";
                from = to;
            }
        }
        emit_replies_of(i);
    }
    if (!finding.check.empty()) y << "  - check: " << single_quoted(finding.check) << "\n";
    if (finding.kind == FindingKind::crash) {
        // The target must still accept a new session afterwards.
        y << "  - connect: {session: after}\n";
    }
    return out;
}

}  // namespace pop3::netfuzz
