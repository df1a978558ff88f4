// A fuzz session as data: what the client sends, op by op, and the state-aware generator that makes them from a
// model of the POP3 states (RFC 1939 §3: AUTHORIZATION, TRANSACTION, UPDATE).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "netfuzz/dictionary.hpp"
#include "netfuzz/rng.hpp"

namespace pop3::netfuzz {

/// What one op does.
enum class OpKind {
    login,  ///< USER/PASS with the worker's account, each line answered before the next (a `login` step)
    bytes,  ///< raw bytes: one command, a pipelined batch (RFC 2449 §6.6), a line without its end, ...
};

/// One step of a session plan.
struct Op {
    OpKind kind = OpKind::bytes;
    std::string bytes;                ///< for OpKind::bytes: sent as is
    std::vector<std::size_t> splits;  ///< write boundaries inside `bytes` (ascending, in (0, size)): split writes
};

/// A whole session: connect, read the greeting, then the ops in order (the runner reads the replies owed after
/// each op before the next), then close.
struct SessionPlan {
    std::vector<Op> ops;
};

/// The number of bytes ops and lines of a plan (for minimisation progress and the summary).
std::size_t plan_bytes(const SessionPlan& plan);

/// What the generator knows about the target when it makes a session.
struct GeneratorContext {
    /// Messages in the maildrop as last seen (0 when unknown): boundary message numbers are drawn around it.
    std::uint64_t message_count = 0;
    /// Whether a session may commit deletions (QUIT after DELE, RFC 1939 §6). Off when nothing can reseed the
    /// maildrop: sessions then end with RSET + QUIT or a disconnect (no UPDATE).
    bool allow_commit = false;
};

/// Makes sessions: mostly a login and mutated TRANSACTION traffic, some in AUTHORIZATION only (wrong-state
/// commands, AUTH continuations and cancels, STLS with a pipelined tail). Deterministic for a given Rng state.
class Generator {
  public:
    explicit Generator(const SeedPool* pool = nullptr) : pool_(pool) {}

    /// A new session plan.
    SessionPlan generate(Rng& rng, const GeneratorContext& context) const;

    /// A command line of the TRANSACTION grammar with a boundary argument (no line end).
    std::string transaction_command(Rng& rng, const GeneratorContext& context) const;
    /// Applies 1-3 byte-level mutations to a line (NUL, 8-bit, bare CR/LF, over-long or empty arguments, tokens).
    std::string mutate(Rng& rng, std::string line) const;

  private:
    std::string message_number(Rng& rng, const GeneratorContext& context) const;
    std::string any_line(Rng& rng, const GeneratorContext& context) const;
    void add_authorization_ops(Rng& rng, const GeneratorContext& context, SessionPlan& plan) const;
    const SeedPool* pool_;
};

}  // namespace pop3::netfuzz
