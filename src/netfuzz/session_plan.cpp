#include "netfuzz/session_plan.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace pop3::netfuzz {

namespace {

constexpr std::string_view crlf = "\r\n";

// RFC 1939 §5-§7 TRANSACTION commands; the argument shape of each.
enum class Args { none, number, number_optional, top };
struct CommandShape {
    std::string_view keyword;
    Args args;
};
constexpr std::array<CommandShape, 10> transaction_commands{{
    {"STAT", Args::none},
    {"LIST", Args::number_optional},
    {"UIDL", Args::number_optional},
    {"RETR", Args::number},
    {"TOP", Args::top},
    {"DELE", Args::number},
    {"RSET", Args::none},
    {"NOOP", Args::none},
    {"CAPA", Args::none},
    {"LAST", Args::none},
}};

// Commands that belong to AUTHORIZATION (sent in TRANSACTION they are wrong-state commands, RFC 1939 §3).
constexpr std::array<std::string_view, 8> authorization_lines{
    "USER alice", "PASS wrong", "APOP alice 0123456789abcdef0123456789abcdef", "AUTH PLAIN", "AUTH", "STLS",
    "CAPA",       "UTF8"};

// Boundary numbers (RFC 1939 §7: message numbers are decimal, from 1): zero, negative, signs, leading zeros,
// 32- and 64-bit edges and past them, non-digits.
constexpr std::array<std::string_view, 16> boundary_numbers{"0",
                                                            "-1",
                                                            "+1",
                                                            "01",
                                                            "4294967295",
                                                            "4294967296",
                                                            "2147483648",
                                                            "1e3",
                                                            "0x1",
                                                            "1.0",
                                                            "18446744073709551615",
                                                            "18446744073709551616",
                                                            "99999999999999999999999999999999999999",
                                                            " 1",
                                                            "1 ",
                                                            "\xff"};

std::string with_end(Rng& rng, std::string line) {
    // Mostly CRLF; sometimes a bare LF (servers commonly accept it) — never a bare CR here: a bare CR does not end
    // a line, so the reply owed would depend on the server's framing.
    line += rng.percent(92) ? std::string(crlf) : std::string("\n");
    return line;
}

void add_splits(Rng& rng, Op& op) {
    if (op.bytes.size() < 2) return;
    const std::size_t n = rng.between(1, std::min<std::size_t>(4, op.bytes.size() - 1));
    for (std::size_t i = 0; i < n; ++i)
        op.splits.push_back(rng.between(1, op.bytes.size() - 1));
    std::sort(op.splits.begin(), op.splits.end());
    op.splits.erase(std::unique(op.splits.begin(), op.splits.end()), op.splits.end());
}

Op bytes_op(std::string bytes) {
    Op op;
    op.bytes = std::move(bytes);
    return op;
}

}  // namespace

std::size_t plan_bytes(const SessionPlan& plan) {
    std::size_t n = 0;
    for (const auto& op : plan.ops)
        n += op.kind == OpKind::login ? 1 : op.bytes.size();
    return n;
}

std::string Generator::message_number(Rng& rng, const GeneratorContext& context) const {
    const std::uint64_t count = context.message_count;
    switch (rng.below(6)) {
        case 0:
        case 1:
            return std::to_string(1 + rng.below(std::max<std::uint64_t>(count, 1)));
        case 2:
            return std::to_string(count);  // the last message (0 when the drop is empty)
        case 3:
            return std::to_string(count + 1);  // one past the last
        case 4:
            return "1";
        default:
            return std::string(boundary_numbers[rng.below(boundary_numbers.size())]);
    }
}

std::string Generator::transaction_command(Rng& rng, const GeneratorContext& context) const {
    const auto& shape = transaction_commands[rng.below(transaction_commands.size())];
    std::string line(shape.keyword);
    switch (shape.args) {
        case Args::none:
            break;
        case Args::number:
            line += " " + message_number(rng, context);
            break;
        case Args::number_optional:
            if (rng.percent(50)) line += " " + message_number(rng, context);
            break;
        case Args::top:
            line += " " + message_number(rng, context) + " " +
                    (rng.percent(70) ? std::to_string(rng.below(12)) : message_number(rng, context));
            break;
    }
    return line;
}

std::string Generator::mutate(Rng& rng, std::string line) const {
    const std::size_t n = rng.between(1, 3);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t at = rng.below(line.size() + 1);
        switch (rng.below(12)) {
            case 0:  // NUL (RFC 1939 §3: commands are printable ASCII)
                line.insert(at, 1, '\0');
                break;
            case 1:  // a byte outside ASCII
                line.insert(at, 1, static_cast<char>(0x80 + rng.below(128)));
                break;
            case 2:  // bare CR inside the line
                line.insert(at, 1, '\r');
                break;
            case 3:  // an over-long argument (RFC 1939 §3: 40 characters; RFC 2449 §4: 255-octet lines)
                line +=
                    " " +
                    std::string(
                        rng.pick(std::vector<std::size_t>{39, 40, 41, 200, 250, 251, 252, 253, 300, 1000, 5000}), 'A');
                break;
            case 4:  // an empty argument, doubled or trailing spaces
                line.insert(at, rng.percent(50) ? " " : "  ");
                break;
            case 5:  // case changes (keywords are case-insensitive, RFC 1939 §3)
                for (auto& c : line)
                    if (rng.percent(50) && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
                break;
            case 6:  // truncate
                line.resize(at);
                break;
            case 7:  // a dictionary token
                if (pool_ && !pool_->tokens.empty()) line.insert(at, rng.pick(pool_->tokens));
                break;
            case 8:  // a tab instead of a space
                if (auto sp = line.find(' '); sp != std::string::npos) line[sp] = '\t';
                break;
            case 9:  // repeat the line's tail
                line += line.substr(at);
                break;
            case 10:  // drop a byte
                if (at < line.size()) line.erase(at, 1);
                break;
            default:  // flip a bit
                if (at < line.size()) line[at] = static_cast<char>(line[at] ^ (1 << rng.below(8)));
                break;
        }
    }
    // A bare LF inside would end the line early (a second command), which is fine, but keep it rare.
    if (line.find('\n') != std::string::npos && rng.percent(70)) std::erase(line, '\n');
    return line;
}

std::string Generator::any_line(Rng& rng, const GeneratorContext& context) const {
    const unsigned r = static_cast<unsigned>(rng.below(100));
    std::string line;
    if (r < 55) {
        line = transaction_command(rng, context);
    } else if (r < 65) {
        line = std::string(authorization_lines[rng.below(authorization_lines.size())]);
    } else if (r < 85 && pool_ && !pool_->lines.empty()) {
        line = rng.pick(pool_->lines);
    } else if (pool_ && !pool_->tokens.empty()) {
        line = rng.pick(pool_->tokens);
        if (rng.percent(50)) line += " " + message_number(rng, context);
    } else {
        line = transaction_command(rng, context);
    }
    // QUIT ends the session; the generator places it itself.
    if (line.size() >= 4 && (line.compare(0, 4, "QUIT") == 0 || line.compare(0, 4, "quit") == 0)) line = "NOOP";
    if (rng.percent(25)) line = mutate(rng, std::move(line));
    return line;
}

void Generator::add_authorization_ops(Rng& rng, const GeneratorContext& context, SessionPlan& plan) const {
    const std::size_t n = rng.between(1, 4);
    for (std::size_t i = 0; i < n; ++i) {
        switch (rng.below(6)) {
            case 0:  // a TRANSACTION command before login (RFC 1939 §3: -ERR)
                plan.ops.push_back(bytes_op(with_end(rng, transaction_command(rng, context))));
                break;
            case 1: {  // AUTH PLAIN, then a continuation: a cancel, an empty response, garbage (RFC 5034 §4)
                std::string bytes = with_end(rng, rng.percent(50) ? "AUTH PLAIN" : "AUTH plain");
                static const std::vector<std::string> answers{"*", "=", "", "AGFsaWNlAHdyb25n", "!!!!", "AAAA"};
                bytes += with_end(rng, rng.pick(answers));
                plan.ops.push_back(bytes_op(std::move(bytes)));
                break;
            }
            case 2: {  // STLS with a pipelined tail (RFC 2595 §4: the tail must never be executed after TLS)
                std::string bytes = with_end(rng, "STLS");
                for (std::size_t k = rng.between(1, 3); k > 0; --k)
                    bytes += with_end(rng, any_line(rng, context));
                plan.ops.push_back(bytes_op(std::move(bytes)));
                break;
            }
            case 3:  // USER variants, a lone PASS, APOP with junk
                plan.ops.push_back(
                    bytes_op(with_end(rng, mutate(rng, std::string(authorization_lines[rng.below(3)])))));
                break;
            default:
                plan.ops.push_back(bytes_op(with_end(rng, any_line(rng, context))));
                break;
        }
        if (rng.percent(10)) add_splits(rng, plan.ops.back());
    }
}

SessionPlan Generator::generate(Rng& rng, const GeneratorContext& context) const {
    SessionPlan plan;
    const bool login = rng.percent(85);
    if (!login || rng.percent(15)) add_authorization_ops(rng, context, plan);
    if (!login) {
        if (rng.percent(60)) plan.ops.push_back(bytes_op("QUIT\r\n"));
        return plan;
    }
    plan.ops.push_back(Op{OpKind::login, {}, {}});
    // The drop listing right after login: the runner checks it against what earlier sessions left (RFC 1939 §6).
    plan.ops.push_back(bytes_op("STAT\r\n"));

    bool deleted = false;
    const std::size_t n = rng.between(1, 10);
    for (std::size_t i = 0; i < n; ++i) {
        Op op;
        const unsigned r = static_cast<unsigned>(rng.below(100));
        if (r < 45) {  // one command
            op.bytes = with_end(rng, any_line(rng, context));
        } else if (r < 70) {  // a pipelined batch (RFC 2449 §6.6)
            for (std::size_t k = rng.between(2, 24); k > 0; --k)
                op.bytes += with_end(rng, any_line(rng, context));
        } else if (r < 82) {  // DELE/RSET orders
            static const std::vector<std::string> orders{"DELE {n}",
                                                         "DELE {n}\r\nDELE {n}",
                                                         "DELE {n}\r\nRSET",
                                                         "DELE {n}\r\nSTAT\r\nLIST",
                                                         "DELE {n}\r\nLIST {n}\r\nUIDL {n}\r\nRETR {n}",
                                                         "RSET\r\nDELE {n}\r\nSTAT"};
            std::string text = rng.pick(orders);
            for (auto at = text.find("{n}"); at != std::string::npos; at = text.find("{n}"))
                text.replace(at, 3, message_number(rng, context));
            op.bytes = text + "\r\n";
        } else if (r < 88) {  // a line that ends only with the next op (no line end yet)
            op.bytes = any_line(rng, context);
        } else if (r < 94) {  // the invariant probes: STAT against LIST, numbering (RFC 1939 §5, §7)
            op.bytes = "STAT\r\nLIST\r\nUIDL\r\n";
        } else {  // an over-long or binary line
            op.bytes = with_end(rng, mutate(rng, std::string(rng.between(1, 400), 'X')));
        }
        std::string upper = op.bytes;
        for (auto& c : upper)
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (upper.find("DELE") != std::string::npos) deleted = true;
        if (rng.percent(12)) add_splits(rng, op);
        plan.ops.push_back(std::move(op));
    }

    // The end: QUIT (UPDATE, RFC 1939 §6), RSET then QUIT, a disconnect without QUIT (no UPDATE), or QUIT with a
    // pipelined tail the server must not answer after closing.
    const unsigned end = static_cast<unsigned>(rng.below(100));
    // Committed deletions drain the maildrop (and a fresh server or a reseed then costs time): most sessions that
    // deleted end with RSET first or just disconnect; a fifth of them commit when that is allowed.
    if (deleted && (!context.allow_commit || rng.percent(80))) {
        plan.ops.push_back(bytes_op(end < 70 ? "RSET\r\nQUIT\r\n" : "RSET\r\n"));
    } else if (end < 70) {
        plan.ops.push_back(bytes_op("QUIT\r\n"));
    } else if (end < 85) {
        plan.ops.push_back(bytes_op("RSET\r\nQUIT\r\n"));
    } else if (end < 92) {
        plan.ops.push_back(bytes_op("QUIT\r\nNOOP\r\nSTAT\r\n"));
    }
    return plan;
}

}  // namespace pop3::netfuzz
