// Throughput of the reply parser and the dot-stuffing codec on a 64 MiB multi-line body fed in 64 KiB chunks.
// Goal (issue 2): at least 1 GB/s on the 2-core project machine. A naive byte-at-a-time unstuffer is the baseline.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "pop3/dot_stuffing.hpp"
#include "pop3/reply_parser.hpp"

namespace {

constexpr std::size_t kBodySize = std::size_t{64} << 20;
constexpr std::size_t kChunk = std::size_t{64} << 10;

// Realistic mail: header-ish lines, ~70-octet text lines, blank lines, and about 1 line in 50 starting with '.'.
const std::string& message() {
    static const std::string m = [] {
        std::mt19937 rng(1939);
        std::string out;
        out.reserve(kBodySize + 128);
        const std::string_view words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ";
        while (out.size() + 100 < kBodySize) {  // just under 64 MiB: within the default ReplyLimits::max_body
            const unsigned kind = rng() % 50;
            if (kind == 0) {
                out += ".hidden dot line";
            } else if (kind == 1) {
                out += "..";
            } else if (kind != 2) {  // kind 2: blank line
                const std::size_t len = 60 + rng() % 20;
                const std::size_t from = rng() % 20;
                for (std::size_t i = 0; i < len; ++i)
                    out.push_back(words[(from + i) % words.size()]);
            }
            out += "\r\n";
        }
        return out;
    }();
    return m;
}

const std::string& wire_body() {
    static const std::string w = [] {
        pop3::DotStuffer stuffer;
        std::string out;
        stuffer.encode(message(), out);
        stuffer.finish(out);
        return out;
    }();
    return w;
}

const std::string& wire_reply() {
    // RFC 1939 §7's form, as Dovecot and Courier send it: the parser takes the size as a capacity hint.
    static const std::string r = "+OK " + std::to_string(message().size()) + " octets\r\n" + wire_body();
    return r;
}

const std::string& wire_reply_without_size() {
    static const std::string r = "+OK message follows\r\n" + wire_body();
    return r;
}

enum class Buffer { fresh, hinted, recycled };

void run_parser(benchmark::State& state, pop3::BodyMode mode, Buffer buffer = Buffer::fresh, bool announced = true) {
    const std::string& wire = announced ? wire_reply() : wire_reply_without_size();
    pop3::ReplyParser parser;
    parser.set_body_mode(mode);
    for (auto _ : state) {
        parser.expect(pop3::ReplyKind::multi_line_if_ok);
        if (buffer == Buffer::hinted) parser.reserve_body(message().size());  // as LIST n would tell
        std::size_t at = 0;
        while (!parser.has_reply() && at < wire.size()) {
            const std::string_view chunk = std::string_view(wire).substr(at, kChunk);
            at += parser.feed(chunk).consumed;
        }
        auto reply = parser.take();
        if (!reply || reply->body_octets != message().size() || !reply->violations.empty()) {
            state.SkipWithError("wrong parse");
        }
        benchmark::DoNotOptimize(reply);
        if (buffer == Buffer::recycled && reply) parser.recycle_body_buffer(std::move(reply->body));
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}

void BM_ReplyParser_Store(benchmark::State& state) {
    run_parser(state, pop3::BodyMode::store);
}
void BM_ReplyParser_StoreNoSizeAnnounced(benchmark::State& state) {
    run_parser(state, pop3::BodyMode::store, Buffer::fresh, false);
}
void BM_ReplyParser_StoreHinted(benchmark::State& state) {
    run_parser(state, pop3::BodyMode::store, Buffer::hinted);
}
void BM_ReplyParser_StoreRecycled(benchmark::State& state) {
    run_parser(state, pop3::BodyMode::store, Buffer::recycled);
}
void BM_ReplyParser_Discard(benchmark::State& state) {
    run_parser(state, pop3::BodyMode::discard);
}

void BM_DotStuffer_Encode(benchmark::State& state) {
    const std::string& m = message();
    std::string out;
    out.reserve(wire_body().size() + kChunk);
    for (auto _ : state) {
        out.clear();
        pop3::DotStuffer stuffer;
        for (std::size_t at = 0; at < m.size(); at += kChunk)
            stuffer.encode(std::string_view(m).substr(at, kChunk), out);
        stuffer.finish(out);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * m.size()));
}

void BM_DotDecoder_Decode(benchmark::State& state) {
    const std::string& w = wire_body();
    std::string out;
    out.reserve(w.size());
    for (auto _ : state) {
        out.clear();
        pop3::DotDecoder decoder;
        for (std::size_t at = 0; at < w.size();) {
            const pop3::DotDecodeResult r = decoder.decode(std::string_view(w).substr(at, kChunk), out);
            at += r.consumed;
            if (r.done) break;
        }
        if (out.size() != message().size()) state.SkipWithError("wrong decode");
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * w.size()));
}

// Baseline: the obvious byte-at-a-time unstuffer (state machine, push_back per octet), no violation checks.
void BM_NaiveByteLoop_Decode(benchmark::State& state) {
    const std::string& w = wire_body();
    std::string out;
    out.reserve(w.size());
    for (auto _ : state) {
        out.clear();
        bool line_start = true;
        bool dot = false;
        for (std::size_t i = 0; i < w.size(); ++i) {
            const char c = w[i];
            if (line_start && c == '.') {
                dot = true;
                line_start = false;
                continue;
            }
            if (dot && c == '\r' && i + 1 < w.size() && w[i + 1] == '\n') break;  // terminator
            dot = false;
            line_start = c == '\n';
            out.push_back(c);
        }
        if (out.size() != message().size()) state.SkipWithError("wrong decode");
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * w.size()));
}

BENCHMARK(BM_ReplyParser_Store)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReplyParser_StoreNoSizeAnnounced)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReplyParser_StoreHinted)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReplyParser_StoreRecycled)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReplyParser_Discard)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DotDecoder_Decode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DotStuffer_Encode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NaiveByteLoop_Decode)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
