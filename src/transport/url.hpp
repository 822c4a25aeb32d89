#pragma once
// Parsing of the client's base URL. Pure; no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ding::detail {

struct base_url {
    bool tls = true;
    std::string host;        ///< without brackets for IPv6 literals
    std::uint16_t port = 0;
    std::string base_path;   ///< "" or "/v1" (no trailing slash)
    std::string host_header; ///< value of the Host header: host, [v6], plus ":port" if not default
};

/// Accepts `http[s]://host[:port][/path]`; no user info, query or fragment.
/// Returns nullopt and sets `why` when the URL is unusable.
std::optional<base_url> parse_base_url(std::string_view url, std::string& why);

} // namespace ding::detail
