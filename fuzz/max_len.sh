# Longest input per harness, sourced by scripts/fuzz.sh (libFuzzer's -max_len) and scripts/oss-fuzz-build.sh (the
# .options files), so local runs and OSS-Fuzz fuzz the same inputs.
#
# Conversations with over-long lines need more room than a single reply or command. The parsers' harnesses reach every
# limit with short inputs (their "small limits" byte) and cost time in proportion to length: apop, command_parser,
# dot_stuffing and sasl_plain are bounded just above the longest file of their committed corpus (no seed is cut);
# reply_parser at 1024 cuts 5 suite transcripts (corpus/reply_parser/suite-*, up to 7490 octets) but its corpus reaches
# the same edges (cov 1035 replayed at -max_len 1024 or 8192; ft 5120 vs 5152, loop hit counts) with more executions
# per second (fuzz-nosan, 20 s each: 22,330/s at 1024, 12,838/s at 4096). The session harnesses at 512: one grammar
# byte is one command (an over-long line is a 3-byte op), and their corpus truncated to 512 octets still reaches all
# 119 triples, the same engine lines and cov 2642 of 2643 (ft 13,236 of 13,379), at ~10% more executions per
# CPU-second.
max_len_of() {
    case "$1" in
        session|session_chunked) echo 512 ;;
        scenario_loader) echo 8192 ;;
        reply_parser|apop) echo 1024 ;;
        command_parser|dot_stuffing|sasl_plain) echo 2048 ;;
        *) echo 4096 ;;
    esac
}
