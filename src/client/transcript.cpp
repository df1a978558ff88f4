#include "client/transcript.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

namespace pop3::client {
namespace {

// Replaces every occurrence of `secret` in `text` by the redaction marker.
void replace_all(std::string& text, std::string_view secret) {
    if (secret.empty()) return;
    std::size_t pos = 0;
    while ((pos = text.find(secret, pos)) != std::string::npos) {
        text.replace(pos, secret.size(), Transcript::redacted);
        pos += Transcript::redacted.size();
    }
}

}  // namespace

const char* to_string(Direction d) noexcept {
    switch (d) {
        case Direction::client_to_server:
            return "C";
        case Direction::server_to_client:
            return "S";
        case Direction::event:
            return "*";
    }
    return "?";
}

std::string TranscriptEntry::escaped() const {
    std::string out = Transcript::escape(head);
    if (truncated()) {
        char marker[64];
        std::snprintf(marker, sizeof marker, "[... %zu bytes omitted ...]", omitted());
        out += marker;
    }
    out += Transcript::escape(tail);
    return out;
}

Transcript::Transcript(TranscriptLimits limits) : limits_(limits) {}

void Transcript::start_clock() {
    if (started_) return;
    started_ = true;
    t0_ = std::chrono::steady_clock::now();
}

std::chrono::milliseconds Transcript::elapsed() const {
    if (!started_) return std::chrono::milliseconds{0};
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0_);
}

void Transcript::add_secret(std::string secret) {
    if (secret.empty()) return;
    if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
    secrets_.push_back(std::move(secret));
    // Longest first, so a secret that contains another is replaced whole.
    std::sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string Transcript::redact_secrets(std::string text) const {
    for (const auto& secret : secrets_)
        replace_all(text, secret);
    return text;
}

std::string Transcript::mask_line(std::string_view line, Secret mask) {
    // Keep the line end visible: the transcript shows whether CRLF was sent.
    std::string_view end;
    std::size_t body_len = line.size();
    while (body_len > 0 && (line[body_len - 1] == '\n' || line[body_len - 1] == '\r'))
        --body_len;
    end = line.substr(body_len);
    std::string_view body = line.substr(0, body_len);

    std::string out;
    switch (mask) {
        case Secret::none:
            return std::string(line);
        case Secret::whole_line:
            out = body.empty() ? std::string() : std::string(redacted);
            break;
        case Secret::pass_argument: {
            // RFC 1939 §7: PASS takes the rest of the line (it may contain spaces).
            auto sp = body.find(' ');
            if (sp == std::string_view::npos) return std::string(line);
            out = std::string(body.substr(0, sp + 1)) + std::string(redacted);
            break;
        }
        case Secret::apop_digest: {
            // RFC 1939 §7: APOP name digest; the digest is the last token.
            auto sp = body.rfind(' ');
            if (sp == std::string_view::npos) return std::string(line);
            out = std::string(body.substr(0, sp + 1)) + std::string(redacted);
            break;
        }
        case Secret::auth_payload: {
            // RFC 5034 §4: AUTH mechanism [initial-response]; everything after the mechanism is secret.
            auto first = body.find(' ');
            if (first == std::string_view::npos) return std::string(line);
            auto second = body.find(' ', first + 1);
            if (second == std::string_view::npos) return std::string(line);
            out = std::string(body.substr(0, second + 1)) + std::string(redacted);
            break;
        }
    }
    out += end;
    return out;
}

TranscriptEntry* Transcript::push(Direction d, std::uint32_t session) {
    if (entries_.size() >= limits_.max_entries) {
        ++dropped_;
        return nullptr;
    }
    TranscriptEntry e;
    e.direction = d;
    e.at = elapsed();
    e.session = session;
    entries_.push_back(std::move(e));
    return &entries_.back();
}

// Appends already-redacted bytes to an entry, keeping head and tail within the limits. While the entry fits in
// head + tail it is stored contiguously in `head`; once it overflows, the first entry_head bytes stay in `head` and
// the last entry_tail bytes slide through `tail`.
void Transcript::append(TranscriptEntry& entry, std::string_view bytes) const {
    const std::size_t cap = limits_.entry_head + limits_.entry_tail;
    if (!entry.truncated() && entry.tail.empty() && entry.head.size() + bytes.size() <= cap) {
        entry.head.append(bytes);
        entry.total += bytes.size();
        return;
    }
    if (!entry.truncated() && entry.tail.empty()) {
        // First overflow: split the contiguous bytes into head and (the start of) the tail.
        std::string all = std::move(entry.head);
        entry.head = all.substr(0, std::min(all.size(), limits_.entry_head));
        entry.tail = all.size() > limits_.entry_head ? all.substr(limits_.entry_head) : std::string();
        entry.total = all.size();
        if (entry.head.size() < limits_.entry_head) {
            auto take = std::min(bytes.size(), limits_.entry_head - entry.head.size());
            entry.head.append(bytes.substr(0, take));
            entry.total += take;
            bytes.remove_prefix(take);
        }
    }
    entry.total += bytes.size();
    if (bytes.size() >= limits_.entry_tail) {
        entry.tail.assign(bytes.substr(bytes.size() - limits_.entry_tail));
    } else {
        entry.tail.append(bytes);
        if (entry.tail.size() > limits_.entry_tail) entry.tail.erase(0, entry.tail.size() - limits_.entry_tail);
    }
}

namespace {

// The command a mask belongs to: in a pipelined batch only that command's lines are masked.
std::string_view mask_keyword(Secret mask) {
    switch (mask) {
        case Secret::pass_argument:
            return "PASS";
        case Secret::apop_digest:
            return "APOP";
        case Secret::auth_payload:
            return "AUTH";
        default:
            return {};
    }
}

bool starts_with_keyword(std::string_view line, std::string_view keyword) {
    if (line.size() < keyword.size()) return false;
    for (std::size_t i = 0; i < keyword.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(line[i])) != keyword[i]) return false;
    }
    return line.size() == keyword.size() || line[keyword.size()] == ' ' || line[keyword.size()] == '\r' ||
           line[keyword.size()] == '\n';
}

}  // namespace

void Transcript::record_sent(std::string_view bytes, Secret mask, std::uint32_t session) {
    std::string masked;
    if (mask == Secret::none) {
        masked.assign(bytes);
    } else {
        // Mask line by line. In a batch of several lines, only the lines of the mask's command are masked (a PASS
        // among USER and STAT); when none of them is that command, every line is (err on the safe side).
        std::vector<std::string_view> lines;
        for (std::size_t pos = 0; pos < bytes.size();) {
            auto nl = bytes.find('\n', pos);
            auto end = nl == std::string_view::npos ? bytes.size() : nl + 1;
            lines.push_back(bytes.substr(pos, end - pos));
            pos = end;
        }
        const auto keyword = mask_keyword(mask);
        const bool any = !keyword.empty() && std::any_of(lines.begin(), lines.end(), [&](std::string_view l) {
            return starts_with_keyword(l, keyword);
        });
        for (auto line : lines) {
            const bool apply = lines.size() == 1 || !any || starts_with_keyword(line, keyword);
            masked += apply ? mask_line(line, mask) : std::string(line);
        }
    }
    masked = redact_secrets(std::move(masked));
    if (auto* e = push(Direction::client_to_server, session)) append(*e, masked);
}

void Transcript::record_received(std::string_view bytes, std::uint32_t session) {
    if (bytes.empty()) return;
    TranscriptEntry* e = nullptr;
    if (!entries_.empty() && entries_.back().direction == Direction::server_to_client &&
        entries_.back().session == session) {
        e = &entries_.back();
    } else {
        e = push(Direction::server_to_client, session);
        if (e == nullptr) return;
    }
    if (secrets_.empty()) {
        append(*e, bytes);
        return;
    }
    // A secret may straddle two reads: redact over the stored end of the entry (the longest secret's size - 1
    // bytes, already redacted) joined with the new bytes, and store that instead.
    std::string& region = e->tail.empty() ? e->head : e->tail;
    const std::size_t keep = std::min(region.size(), secrets_.front().size() - 1);
    std::string joined = region.substr(region.size() - keep);
    joined.append(bytes);
    std::string red = redact_secrets(joined);
    if (red == joined) {
        append(*e, bytes);
        return;
    }
    region.resize(region.size() - keep);
    e->total -= keep;
    append(*e, red);
}

void Transcript::record_event(std::string_view text, std::uint32_t session) {
    if (auto* e = push(Direction::event, session)) append(*e, redact_secrets(std::string(text)));
}

std::string Transcript::escape(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 8);
    for (unsigned char c : bytes) {
        switch (c) {
            case '\r':
                out += "\\r";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\\':
                out += "\\\\";
                break;
            default:
                if (c < 0x20 || c > 0x7e) {
                    char hex[5];
                    std::snprintf(hex, sizeof hex, "\\x%02X", c);
                    out += hex;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out;
}

std::string Transcript::to_text() const {
    std::string out;
    for (const auto& e : entries_) {
        char prefix[48];
        std::snprintf(prefix, sizeof prefix, "[%6lld ms] ", static_cast<long long>(e.at.count()));
        out += prefix;
        if (e.session != 0) out += "#" + std::to_string(e.session) + " ";
        out += to_string(e.direction);
        out += ": ";
        out += e.direction == Direction::event ? e.head : e.escaped();
        out += '\n';
    }
    if (dropped_ > 0) out += "[" + std::to_string(dropped_) + " further entries dropped]\n";
    return out;
}

}  // namespace pop3::client
