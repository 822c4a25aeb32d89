// Fuzz target: base-URL parsing (src/transport/url.hpp).
// Checks: a failure explains itself in printable ASCII starting with "base_url: "; a success has
// a host, a port, a base path that is empty or starts with '/' and does not end with '/', and a
// Host header value that, put back in a URL, parses to the same host, port and path.

#include "fuzz_common.hpp"
#include "transport/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view url(reinterpret_cast<const char*>(data), size);
    std::string why;
    const auto parsed = ding::detail::parse_base_url(url, why);
    if (!parsed) {
        DING_FUZZ_CHECK(why.starts_with("base_url: "));
        DING_FUZZ_CHECK(ding::fuzz::printable(why));
        return 0;
    }
    DING_FUZZ_CHECK(!parsed->host.empty());
    DING_FUZZ_CHECK(parsed->port != 0);
    DING_FUZZ_CHECK(ding::fuzz::printable(parsed->host_header));
    DING_FUZZ_CHECK(parsed->base_path.empty() || (parsed->base_path.front() == '/' && parsed->base_path.back() != '/'));
    const std::string rebuilt = std::string(parsed->tls ? "https://" : "http://") + parsed->host_header + parsed->base_path;
    std::string why_again;
    const auto again = ding::detail::parse_base_url(rebuilt, why_again);
    DING_FUZZ_CHECK(again.has_value());
    DING_FUZZ_CHECK(again->tls == parsed->tls);
    DING_FUZZ_CHECK(again->host == parsed->host);
    DING_FUZZ_CHECK(again->port == parsed->port);
    DING_FUZZ_CHECK(again->base_path == parsed->base_path);
    DING_FUZZ_CHECK(again->host_header == parsed->host_header);
    return 0;
}
