#include "transport/url.hpp"

#include <charconv>

namespace ding::detail {

std::optional<base_url> parse_base_url(std::string_view url, std::string& why) {
    base_url out;
    if (url.starts_with("https://")) {
        out.tls = true;
        url.remove_prefix(8);
    } else if (url.starts_with("http://")) {
        out.tls = false;
        url.remove_prefix(7);
    } else {
        why = "base_url: must start with https:// or http://";
        return std::nullopt;
    }
    for (char c : url) {
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '?' || c == '#' ||
            c == '@' || c == '\\') {
            why = "base_url: contains a character that is not allowed (space, control, ?, #, @ or \\)";
            return std::nullopt;
        }
    }
    const auto slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
    while (path.ends_with('/')) path.remove_suffix(1);
    if (path.find("/./") != std::string_view::npos || path.find("/../") != std::string_view::npos ||
        path.ends_with("/.") || path.ends_with("/..")) {
        why = "base_url: path must not contain '.' or '..' segments";
        return std::nullopt;
    }

    std::string_view host, port_text;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            why = "base_url: unterminated IPv6 literal";
            return std::nullopt;
        }
        host = authority.substr(1, close - 1);
        auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                why = "base_url: unexpected text after the IPv6 literal";
                return std::nullopt;
            }
            port_text = rest.substr(1);
        }
    } else {
        const auto colon = authority.rfind(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (host.empty()) {
        why = "base_url: missing host";
        return std::nullopt;
    }
    // Brackets only delimit an IPv6 literal, and a host with ':' must be one (found by the
    // base_url fuzzer: "https://::[1]:844" gave a Host header that did not parse back).
    const bool bracketed = authority.starts_with('[');
    if (host.find_first_of("[]") != std::string_view::npos || (!bracketed && host.find(':') != std::string_view::npos)) {
        why = "base_url: an IPv6 address must be in brackets, and brackets hold only an IPv6 address";
        return std::nullopt;
    }
    const std::uint16_t default_port = out.tls ? 443 : 80;
    out.port = default_port;
    if (!port_text.empty() || authority.ends_with(':')) {
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
            why = "base_url: invalid port";
            return std::nullopt;
        }
        out.port = static_cast<std::uint16_t>(value);
    }
    out.host = std::string(host);
    out.base_path = std::string(path);
    const bool v6 = out.host.find(':') != std::string::npos;
    out.host_header = v6 ? "[" + out.host + "]" : out.host;
    if (out.port != default_port) out.host_header += ":" + std::to_string(out.port);
    return out;
}

} // namespace ding::detail
