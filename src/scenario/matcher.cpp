#include "scenario/matcher.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "client/transcript.hpp"

namespace pop3::scenario {

std::string escape_for_reason(std::string_view bytes, std::size_t max) {
    bool cut = bytes.size() > max;
    std::string out = pop3::client::Transcript::escape(bytes.substr(0, max));
    if (cut) out += "…";
    return out;
}

std::string_view capability_for_code(std::string_view code) {
    auto up = [](std::string_view s) {
        std::string o;
        for (char c : s)
            o += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return o;
    };
    auto u = up(code);
    if (u == "AUTH" || u.rfind("AUTH/", 0) == 0) return "AUTH-RESP-CODE";
    if (u == "UTF8" || u.rfind("UTF8/", 0) == 0) return "UTF8";
    return "RESP-CODES";
}

namespace {

const char* status_name(ExpectedStatus s) {
    switch (s) {
        case ExpectedStatus::ok:
            return "+OK";
        case ExpectedStatus::err:
            return "-ERR";
        case ExpectedStatus::continuation:
            return "a continuation (+ )";
        case ExpectedStatus::any:
            return "a reply";
    }
    return "a reply";
}

bool status_matches(ExpectedStatus want, pop3::Status got) {
    switch (want) {
        case ExpectedStatus::any:
            return got != pop3::Status::invalid;
        case ExpectedStatus::ok:
            return got == pop3::Status::ok;
        case ExpectedStatus::err:
            return got == pop3::Status::err;
        case ExpectedStatus::continuation:
            return got == pop3::Status::continuation;
    }
    return false;
}

std::vector<std::string> body_lines(const pop3::Reply& reply) {
    std::vector<std::string> out;
    reply.for_each_line([&](std::string_view l) { out.emplace_back(l); });
    return out;
}

std::optional<Mismatch> check_body(const BodyExpectation& b, const pop3::Reply& reply, MatchContext& ctx) {
    if (!reply.multi_line) return Mismatch{"a multi-line body", "a single-line reply: " + describe(reply)};
    auto lines = body_lines(reply);
    if (b.fixture) {
        const Fixture* f = ctx.fixtures ? ctx.fixtures->at(*b.fixture) : nullptr;
        if (!f) return Mismatch{fmt::format("fixture {}", *b.fixture), "no such fixture is loaded"};
        std::string want = b.top ? as_top(f->bytes, static_cast<std::uint64_t>(*b.top)) : as_retrieved(f->bytes);
        std::string what =
            b.top ? fmt::format("fixture {} ({}) cut by TOP to {} body line(s)", f->number, f->name, *b.top)
                  : fmt::format("fixture {} ({})", f->number, f->name);
        if (reply.body != want) {
            // Point at the first differing line: that is what a person needs to see (e.g. a missing dot).
            std::vector<std::string> want_lines;
            std::string_view rest = want;
            while (!rest.empty()) {
                auto end = rest.find("\r\n");
                want_lines.emplace_back(rest.substr(0, end));
                rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
            }
            std::size_t i = 0;
            while (i < lines.size() && i < want_lines.size() && lines[i] == want_lines[i])
                ++i;
            if (i < lines.size() && i < want_lines.size())
                return Mismatch{fmt::format("{}: line {} '{}'", what, i + 1, escape_for_reason(want_lines[i], 80)),
                                fmt::format("'{}'", escape_for_reason(lines[i], 80))};
            return Mismatch{fmt::format("{}: {} line(s), {} octets", what, want_lines.size(), want.size()),
                            fmt::format("{} line(s), {} octets", lines.size(), reply.body.size())};
        }
    }
    if (b.lines && lines != *b.lines) {
        std::size_t i = 0;
        while (i < lines.size() && i < b.lines->size() && lines[i] == (*b.lines)[i])
            ++i;
        if (i < lines.size() && i < b.lines->size())
            return Mismatch{fmt::format("body line {} '{}'", i + 1, escape_for_reason((*b.lines)[i], 80)),
                            fmt::format("'{}'", escape_for_reason(lines[i], 80))};
        return Mismatch{fmt::format("{} body line(s)", b.lines->size()), fmt::format("{} line(s)", lines.size())};
    }
    if (b.count && lines.size() != *b.count)
        return Mismatch{fmt::format("{} body line(s)", *b.count), fmt::format("{} line(s)", lines.size())};
    for (std::size_t r = 0; r < b.each.size(); ++r)
        for (std::size_t i = 0; i < lines.size(); ++i)
            if (!std::regex_search(lines[i], b.each[r]))
                return Mismatch{fmt::format("every body line to match /{}/", b.each_src[r]),
                                fmt::format("line {} '{}'", i + 1, escape_for_reason(lines[i], 80))};
    for (std::size_t r = 0; r < b.contains.size(); ++r)
        if (std::none_of(lines.begin(), lines.end(),
                         [&](const std::string& l) { return std::regex_search(l, b.contains[r]); }))
            return Mismatch{fmt::format("a body line matching /{}/", b.contains_src[r]),
                            fmt::format("none among {} line(s)", lines.size())};
    for (std::size_t r = 0; r < b.not_contains.size(); ++r)
        for (std::size_t i = 0; i < lines.size(); ++i)
            if (std::regex_search(lines[i], b.not_contains[r]))
                return Mismatch{fmt::format("no body line matching /{}/", b.not_contains_src[r]),
                                fmt::format("line {} '{}'", i + 1, escape_for_reason(lines[i], 80))};
    return std::nullopt;
}

Listing to_listing_scan(const pop3::Listing<pop3::ScanListing>& l) {
    Listing out;
    for (const auto& e : l.entries)
        out.emplace_back(static_cast<std::int64_t>(e.message_number), std::to_string(e.size));
    return out;
}
Listing to_listing_uid(const pop3::Listing<pop3::UidListing>& l) {
    Listing out;
    for (const auto& e : l.entries)
        out.emplace_back(static_cast<std::int64_t>(e.message_number), e.unique_id);
    return out;
}

// Computes every capture; a capture that cannot be read is a mismatch (the payload is malformed).
std::optional<Mismatch> capture(const Expectation& e, const pop3::Reply& reply, const ReplyOrigin& origin,
                                const MatchContext& ctx, Captures& out) {
    for (const auto& c : e.captures) {
        switch (c.source) {
            case CaptureSource::stat_count:
            case CaptureSource::stat_size: {
                auto st = pop3::parse_stat(reply.text);
                if (!st)
                    return Mismatch{"a STAT drop listing \"+OK n size\"",
                                    fmt::format("{} ({})", describe(reply), st.error().message())};
                out[c.name] = static_cast<std::int64_t>(c.source == CaptureSource::stat_count ? st->message_count
                                                                                              : st->maildrop_octets);
                break;
            }
            case CaptureSource::listing: {
                if (!reply.multi_line) return Mismatch{"a multi-line listing", describe(reply)};
                if (origin.keyword == "UIDL") {
                    auto l = pop3::parse_uid_list(reply.body);
                    if (!l.ok())
                        return Mismatch{"a unique-id listing (n uid)",
                                        fmt::format("line {}: {}", l.bad_line, l.bad_line_error.message())};
                    out[c.name] = to_listing_uid(l);
                } else {
                    auto l = pop3::parse_scan_list(reply.body);
                    if (!l.ok())
                        return Mismatch{"a scan listing (n size)",
                                        fmt::format("line {}: {}", l.bad_line, l.bad_line_error.message())};
                    out[c.name] = to_listing_scan(l);
                }
                break;
            }
            case CaptureSource::scan_number:
            case CaptureSource::scan_value: {
                if (origin.keyword == "UIDL") {
                    auto u = pop3::parse_uid_listing(reply.text);
                    if (!u)
                        return Mismatch{"\"+OK n unique-id\"",
                                        fmt::format("{} ({})", describe(reply), u.error().message())};
                    if (c.source == CaptureSource::scan_number)
                        out[c.name] = static_cast<std::int64_t>(u->message_number);
                    else
                        out[c.name] = u->unique_id;
                } else {
                    auto s = pop3::parse_scan_listing(reply.text);
                    if (!s)
                        return Mismatch{"\"+OK n size\"", fmt::format("{} ({})", describe(reply), s.error().message())};
                    out[c.name] =
                        static_cast<std::int64_t>(c.source == CaptureSource::scan_number ? s->message_number : s->size);
                }
                break;
            }
            case CaptureSource::body:
                out[c.name] = body_lines(reply);
                break;
            case CaptureSource::text:
                out[c.name] = reply.text;
                break;
            case CaptureSource::line:
                out[c.name] = reply.status_line;
                break;
            case CaptureSource::timestamp: {
                auto ts = pop3::find_apop_timestamp(reply.text);
                if (!ts) return Mismatch{"an APOP timestamp <...> in the greeting", describe(reply)};
                out[c.name] = std::string(*ts);
                break;
            }
            case CaptureSource::latency:
                if (!ctx.latency_ms) return Mismatch{"a reply whose latency was measured", describe(reply)};
                out[c.name] = *ctx.latency_ms;
                break;
            case CaptureSource::regex: {
                std::smatch m;
                if (!c.regex || !std::regex_search(reply.status_line, m, *c.regex))
                    return Mismatch{fmt::format("a status line matching /{}/", c.pattern), describe(reply)};
                out[c.name] = m[static_cast<std::size_t>(c.group)].str();
                break;
            }
        }
    }
    return std::nullopt;
}

std::optional<Mismatch> match_one(const Expectation& e, const pop3::Reply& reply, const ReplyOrigin& origin,
                                  MatchContext& ctx) {
    if (e.closed) return Mismatch{"the connection closed", describe(reply)};
    if (reply.error)
        return Mismatch{describe(e),
                        fmt::format("an incomplete reply ({}): {}", reply.error.message(), describe(reply))};
    if (reply.status == pop3::Status::invalid)
        return Mismatch{describe(e),
                        fmt::format("no valid status indicator: '{}'", escape_for_reason(reply.status_line))};
    for (auto v : reply.violations) {
        auto name = pop3::to_string(v);
        if (std::find(e.tolerate.begin(), e.tolerate.end(), name) != e.tolerate.end()) continue;
        return Mismatch{describe(e) + " without wire violations",
                        fmt::format("{} ({}): {}", name, make_error_code(v).message(), describe(reply))};
    }
    if (!status_matches(e.status, reply.status)) return Mismatch{describe(e), describe(reply)};
    if (e.code) {
        auto cap = capability_for_code(*e.code);
        bool advertised = ctx.capabilities && ctx.capabilities->has(cap);
        if (e.code_strict || advertised) {
            if (!reply.code || !reply.code->is(*e.code))
                return Mismatch{fmt::format("response code [{}]", *e.code), describe(reply)};
        } else if (ctx.notes && (!reply.code || !reply.code->is(*e.code))) {
            ctx.notes->push_back(fmt::format("[{}] not checked: {} is not advertised", *e.code, cap));
        }
    }
    if (e.line && !std::regex_search(reply.status_line, *e.line))
        return Mismatch{fmt::format("a status line matching /{}/", e.line_src), describe(reply)};
    if (e.body)
        if (auto m = check_body(*e.body, reply, ctx)) return m;
    Captures staged;
    if (auto m = capture(e, reply, origin, ctx, staged)) return m;
    if (ctx.captures)
        for (auto& [k, v] : staged)
            (*ctx.captures)[k] = std::move(v);
    return std::nullopt;
}

}  // namespace

std::optional<Mismatch> match_reply(const Expectation& e, const pop3::Reply& reply, const ReplyOrigin& origin,
                                    MatchContext& ctx) {
    if (e.any_of.empty()) return match_one(e, reply, origin, ctx);
    std::optional<Mismatch> first;
    for (const auto& alt : e.any_of) {
        auto m = match_one(alt, reply, origin, ctx);
        if (!m) return std::nullopt;
        if (!first) first = m;
    }
    return Mismatch{describe(e), first ? first->received : describe(reply)};
}

std::string describe(const Expectation& e) {
    if (e.closed) return "the connection closed";
    if (e.silence) return fmt::format("nothing for {} ms", e.silence->count());
    if (!e.any_of.empty()) {
        std::string out;
        for (const auto& a : e.any_of)
            out += (out.empty() ? "" : " or ") + describe(a);
        return out;
    }
    std::string out = status_name(e.status);
    if (e.code) out += fmt::format(" [{}]", *e.code);
    if (e.line) out += fmt::format(" matching /{}/", e.line_src);
    if (e.body) {
        if (e.body->fixture) out += fmt::format(" with fixture {}", *e.body->fixture);
        if (e.body->top) out += fmt::format(" (TOP {})", *e.body->top);
        if (e.body->count) out += fmt::format(" with {} body line(s)", *e.body->count);
        if (e.body->lines) out += fmt::format(" with {} exact body line(s)", e.body->lines->size());
    }
    return out;
}

std::string describe(const pop3::Reply& reply) {
    std::string out = "'" + escape_for_reason(reply.status_line) + "'";
    if (reply.multi_line) out += fmt::format(" (+{} body line(s))", reply.body_lines);
    return out;
}

}  // namespace pop3::scenario
