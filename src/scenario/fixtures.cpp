#include "scenario/fixtures.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pop3::scenario {

const Fixture* Fixtures::at(int k) const {
    if (k < 1 || static_cast<std::size_t>(k) > messages.size()) return nullptr;
    return &messages[static_cast<std::size_t>(k - 1)];
}

namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("cannot read fixture {}", p.string()));
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

void add_entry(Fixtures& out, const YAML::Node& e) {
    Fixture f;
    if (e.IsScalar()) {
        f.file = out.dir / e.Scalar();
    } else if (e.IsMap() && e["file"]) {
        f.file = out.dir / e["file"].as<std::string>();
        if (e["name"]) f.name = e["name"].as<std::string>();
    } else {
        throw std::runtime_error("fixtures.yaml: each entry is a file name or a mapping with `file`");
    }
    if (f.name.empty()) f.name = f.file.stem().string();
    f.number = static_cast<int>(out.messages.size()) + 1;
    f.bytes = read_file(f.file);
    out.messages.push_back(std::move(f));
}

}  // namespace

Fixtures load_fixtures(const std::filesystem::path& dir) {
    Fixtures out;
    out.dir = dir;
    auto manifest = dir / "fixtures.yaml";
    if (std::filesystem::exists(manifest)) {
        YAML::Node doc;
        try {
            doc = YAML::LoadFile(manifest.string());
        } catch (const YAML::Exception& e) {
            throw std::runtime_error(fmt::format("{}: {}", manifest.string(), e.what()));
        }
        YAML::Node list = doc;
        if (doc.IsMap()) {
            for (const char* key : {"messages", "fixtures", "order"})
                if (doc[key]) {
                    list = doc[key];
                    break;
                }
        }
        if (!list.IsSequence()) throw std::runtime_error(manifest.string() + ": expected a list of fixtures");
        for (const auto& e : list)
            add_entry(out, e);
        return out;
    }
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.path().extension() == ".eml") files.push_back(e.path());
    if (ec) throw std::runtime_error(fmt::format("cannot list fixtures in {}: {}", dir.string(), ec.message()));
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
        add_entry(out, YAML::Node(f.filename().string()));
    return out;
}

std::string as_retrieved(std::string_view stored) {
    std::string out;
    out.reserve(stored.size() + 16);
    for (std::size_t i = 0; i < stored.size(); ++i) {
        char c = stored[i];
        if (c == '\n' && (out.empty() || out.back() != '\r')) out += '\r';
        out += c;
    }
    if (!out.empty() && (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0)) out += "\r\n";
    return out;
}

std::string as_top(std::string_view stored, std::uint64_t body_lines) {
    // An independent oracle on purpose: the expected value must not come from the code under test (the reference
    // server cuts TOP with pop3::TopLimiter). RFC 1939 §7: the header, the blank line ending it, then k body lines.
    std::string all = as_retrieved(stored);
    std::size_t pos = 0;
    bool in_body = false;
    std::uint64_t taken = 0;
    while (pos < all.size()) {
        std::size_t end = all.find("\r\n", pos);
        if (end == std::string::npos) break;
        bool empty_line = end == pos;
        if (in_body) {
            if (taken == body_lines) return all.substr(0, pos);
            ++taken;
        } else if (empty_line) {
            in_body = true;
        }
        pos = end + 2;
    }
    return all;
}

}  // namespace pop3::scenario
