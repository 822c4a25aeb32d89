// Internal: the sandbox's admin API (paths under /_sandbox/, issue 19), for scripts that drive a
// running ding-sandbox over HTTP: faults, the virtual clock, the request log.
//
// Only on paths under /_sandbox (never on /v1 or /v2, which stay the API's), only with
// "Authorization: Bearer <admin token>" (the API keys never open it: a request with them and
// without the token is a 401), and only when an admin token is configured: without one, /_sandbox
// paths are the API's 404 as before. Admin requests are not API requests: they are not counted in
// sandbox_stats, consume no fault and are not in the request log.
//
// Threads: one object per sandbox, touched only on the sandbox's strand (no lock).
#pragma once

#include "ding/sandbox.hpp"
#include "state.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace ding::detail {

struct admin_request {
    std::string_view method;
    std::string_view path;   // without query
    std::string_view query;  // without '?'
    std::optional<std::string_view> authorization;
    std::string_view body;
};

class sandbox_admin {
public:
    // Entries kept by the request log; older ones are dropped (and counted).
    static constexpr std::size_t log_capacity = 1000;

    // `token` empty: the admin API is off. Throws std::system_error (invalid_argument) for a
    // token that is not a valid header value or that equals one of the API keys.
    sandbox_admin(std::string token, const sandbox_options& options);

    bool enabled() const noexcept { return !token_.empty(); }
    // "/_sandbox" or "/_sandbox/...".
    static bool is_admin_path(std::string_view path) noexcept;

    sandbox_response handle(const admin_request& request, sandbox_state& state);

    // Appends an API request to the log (when enabled). status: nullopt when the connection was
    // closed without a response (a close or stall fault). Keeps the method and the path (no
    // query, at most 256 bytes): never a header, a body, a key or a code.
    void record(std::string_view method, std::string_view path, std::optional<unsigned> status,
                const sandbox_fault* fault, std::chrono::system_clock::time_point at);

private:
    struct entry {
        std::uint64_t seq;
        std::chrono::system_clock::time_point at;
        std::string method;
        std::string path;
        std::optional<unsigned> status;
        std::optional<sandbox_fault_kind> fault;
    };

    bool authorized(std::optional<std::string_view> authorization) const noexcept;
    sandbox_response faults(const admin_request& r, sandbox_state& state);
    sandbox_response requests(const admin_request& r) const;
    sandbox_response clock(const admin_request& r, sandbox_state& state);

    std::string token_;
    std::deque<entry> log_;
    std::uint64_t next_seq_ = 1;
    std::uint64_t dropped_ = 0;
};

}  // namespace ding::detail
