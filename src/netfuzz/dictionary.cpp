#include "netfuzz/dictionary.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include "scenario/loader.hpp"

namespace pop3::netfuzz {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string read_file(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size > (16u << 20)) return {};
    std::string text(static_cast<std::size_t>(size), '\0');
    std::ifstream in(path, std::ios::binary);
    if (!in || !in.read(text.data(), static_cast<std::streamsize>(text.size()))) return {};
    return text;
}

}  // namespace

std::vector<std::string> parse_dictionary(std::string_view text) {
    std::vector<std::string> tokens;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos || line[first] == '#') continue;
        const auto open = line.find('"');
        const auto close = line.rfind('"');
        if (open == std::string_view::npos || close <= open) continue;
        std::string token;
        bool ok = true;
        for (std::size_t i = open + 1; i < close && ok; ++i) {
            if (line[i] != '\\') {
                token.push_back(line[i]);
                continue;
            }
            if (i + 1 >= close) {
                ok = false;
            } else if (line[i + 1] == 'x' && i + 3 < close && hex_value(line[i + 2]) >= 0 &&
                       hex_value(line[i + 3]) >= 0) {
                token.push_back(static_cast<char>(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3])));
                i += 3;
            } else {
                token.push_back(line[i + 1]);  // \\ and \"
                ++i;
            }
        }
        if (ok && !token.empty()) tokens.push_back(std::move(token));
    }
    return tokens;
}

std::vector<std::string> load_dictionary(const std::filesystem::path& path) {
    return parse_dictionary(read_file(path));
}

std::vector<std::string> scenario_seed_lines(const std::filesystem::path& dir) {
    std::set<std::string> unique;
    try {
        for (const auto& s : pop3::scenario::load_scenarios_from({dir})) {
            for (const auto& step : s.steps) {
                for (const auto& line : step.lines)
                    if (line.find("${") == std::string::npos && line.size() <= 300) unique.insert(line);
            }
        }
    } catch (const std::exception&) {
        // A scenario folder that does not load only means fewer seeds; `pop3spec run` reports the error itself.
    }
    return {unique.begin(), unique.end()};
}

std::vector<std::string> corpus_seed_lines(const std::filesystem::path& dir, std::size_t max_lines) {
    std::vector<std::string> lines;
    std::error_code ec;
    for (const char* harness : {"session", "session_chunked", "command_parser"}) {
        std::vector<std::filesystem::path> files;
        for (std::filesystem::directory_iterator it(dir / harness, ec), end; !ec && it != end; it.increment(ec))
            if (it->is_regular_file(ec)) files.push_back(it->path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            const std::string text = read_file(f);
            std::size_t from = 0;
            while (from < text.size() && lines.size() < max_lines) {
                auto lf = text.find('\n', from);
                if (lf == std::string::npos) lf = text.size();
                std::string line = text.substr(from, lf - from);
                from = lf + 1;
                if (!line.empty() && line.back() == '\r') line.pop_back();
                if (!line.empty() && line.size() <= 300) lines.push_back(std::move(line));
            }
        }
    }
    return lines;
}

}  // namespace pop3::netfuzz
