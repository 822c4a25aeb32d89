// ding-sandbox: runs a local Ding v1 / Prelude v2 API sandbox (ding::sandbox) until SIGINT or
// SIGTERM, for manual use and for scripts in any language (faults, clock and request log through
// the admin API). `ding-sandbox --help` is the reference; include/ding/sandbox.hpp has the details.
#include <ding/sandbox.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Every flag, the admin API and the fault kinds. Kept in one place so that it stays complete.
void usage(std::FILE* to) {
    std::fputs(
        R"(usage: ding-sandbox [OPTION]...

Runs a local, stateful server of the Ding v1 API (/v1) and the Prelude v2 API (/v2) on
127.0.0.1, with a virtual clock, injectable faults and an admin API, until SIGINT or SIGTERM.

At start it prints, one per line, "NAME VALUE": base_url, api_key, v2_base_url, v2_api_key,
admin_token, admin_url, then ca_file and webhook_key_file when written, then the PEM blocks
"ca_pem" (the CA that signed the server certificate; absent with --no-tls) and
"webhook_public_key_pem" (the RSA key that signs webhooks), then "ready". Then, for every code
it sends, "code <authentication_uuid or vrf_ id> <phone number or email> <code>".

Server:
  --port N                  TCP port on 127.0.0.1 (default 0: a free port, see base_url)
  --no-tls                  plain HTTP instead of HTTPS with a generated certificate
  --certificate-name NAME   a name in the server certificate (repeatable; default 127.0.0.1
                            and localhost); IP addresses become IP SANs, others DNS SANs
  --ca-out FILE             write the CA certificate (PEM) to FILE (--cert-out FILE: the same)
  --webhook-key-out FILE    write the webhook signing public key (PEM) to FILE
  --idle-timeout SECONDS    close a keep-alive connection idle this long (default 30)
  --request-timeout SECONDS bound on a TLS handshake, a first request and a write (default 10)
  --max-requests-per-connection N  close a connection after N requests (default 0: no limit)
  --no-print-codes          do not print the "code ..." lines

Keys:
  --api-key KEY             the v1 x-api-key accepted on /v1 (default sandbox-api-key)
  --v2-api-key KEY          the v2 Bearer token accepted on /v2 (default sandbox-v2-api-key)
  --admin-token TOKEN       the admin API's Bearer token (default: a random one, printed);
                            must differ from both API keys

Behaviour:
  --seed N                  seed of codes and ids (default: random); same seed, same sequence
  --code-length N           digits of a generated code (default 6)
  --expiry SECONDS          lifetime of an authentication / verification (default 600)
  --max-retries N           retries per authentication / verification (default 3)
  --retry-interval SECONDS  v1: minimum wait between two sends (default 30)
  --max-check-attempts N    wrong codes accepted per authentication (default 5)
  --max-authentications-per-number N  codes per number per rate window (default 5)
  --rate-window SECONDS     the window of that limit (default 3600)
  --spam-number E164        a number flagged as spam (repeatable; replaces the default
                            +15005550009)
  --blocked-number E164     a number on the v2 block list (repeatable; replaces the default
                            +15005550010)
  --webhook-timeout SECONDS bound on one webhook delivery (default 5)
  --max-pending-webhooks N  webhooks queued before new ones are dropped (default 1024)
  --fault KIND[:COUNT[:PATH]]  inject a fault at start (repeatable): the next COUNT (default
                            1) requests to PATH (a path such as /v2/verification or a route
                            template such as /v2/lookup/{phone_number}; default: any path)
                            get it; faults are used oldest first
  -h, --help                this text

Fault kinds (KIND above and "kind" in the admin API):
  status_429             429 with Retry-After and a JSON body
  status_500             500 with a JSON body
  status_502             502 with an HTML body, like a proxy
  status_503             503 with Retry-After and a text body
  status_504             504 with an empty body
  delay                  answer normally after "delay" milliseconds (admin API only)
  close_before_response  close the connection without answering
  close_after_headers    send a 200's headers, then close
  close_mid_body         send the headers and half of the body, then close
  malformed_json         200 with a body that is not valid JSON
  wrong_types            200 with the right property names but wrong value types
  huge_body              200 with a body of huge_body_bytes bytes (default 8 MiB)
  stall                  never answer (until the client closes)
A faulted request changes no state and sends no webhook (except delay).

Admin API (same port, paths under /_sandbox only; JSON in and out):
every request needs "Authorization: Bearer <admin_token>", else 401 (the API keys never
open it); the API's own /v1 and /v2 paths never answer as admin endpoints.
  POST   /_sandbox/faults    {"kind": "status_503", "count": 1, "path": "/v2/verification"}
                             optional: "delay" (ms), "retry_after" (s), "huge_body_bytes";
                             answers {"pending_faults": N}
  GET    /_sandbox/faults    {"pending_faults": N}
  DELETE /_sandbox/faults    clears every pending fault
  GET    /_sandbox/requests  the last 1000 API requests, oldest first (?since=SEQ: newer
                             ones only): {"requests": [{"seq", "time", "method", "path",
                             "status", "fault"}], "dropped": N}; never a key or a code
  POST   /_sandbox/clock     {"advance_seconds": N} moves the virtual clock forward; answers
                             {"now": "<RFC 3339>"} (GET: the same without moving it)
Example:
  curl --cacert ca.pem -H "Authorization: Bearer $TOKEN" \
       -d '{"kind": "status_503", "count": 1}' https://127.0.0.1:8443/_sandbox/faults

Webhooks (v2 callback_url, http:// on 127.0.0.1/localhost/[::1] only) carry
"X-Webhook-Signature: rsassa-pss-sha256=<base64url>", RSASSA-PSS SHA-256 (MGF1 SHA-256, 32-byte
salt) over the raw body, verifiable with the webhook public key (ding::v2::webhook_verifier).
)",
        to);
}

template <class T>
bool parse_number(std::string_view s, T& out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

bool parse_seconds(std::string_view s, std::chrono::seconds& out, long long min) {
    long long n = 0;
    if (!parse_number(s, n) || n < min || n > 10LL * 366 * 86400) return false;
    out = std::chrono::seconds(n);
    return true;
}

// KIND[:COUNT[:PATH]]
bool parse_fault(std::string_view spec, ding::sandbox_fault& out) {
    const auto colon = spec.find(':');
    if (!ding::from_string(spec.substr(0, colon), out.kind)) return false;
    out.count = 1;
    if (colon == std::string_view::npos) return true;
    std::string_view rest = spec.substr(colon + 1);
    const auto colon2 = rest.find(':');
    const std::string_view count = rest.substr(0, colon2);
    if (!count.empty() && (!parse_number(count, out.count) || out.count < 1)) return false;
    if (colon2 == std::string_view::npos) return true;
    const std::string_view path = rest.substr(colon2 + 1);
    if (path.empty() || path[0] != '/') return false;
    out.path = std::string(path);
    return true;
}

std::string random_token() {
    std::random_device rd;
    static const char hex[] = "0123456789abcdef";
    std::string t = "adm_";
    for (int i = 0; i < 32; ++i) t += hex[rd() % 16];
    return t;
}

bool write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    return static_cast<bool>(f);
}

int run(int argc, char** argv) {
    ding::sandbox_options options;
    options.print_codes = true;
    std::string ca_out, webhook_key_out;
    std::vector<ding::sandbox_fault> faults;
    bool spam_given = false, blocked_given = false, names_given = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        std::string_view v;
        auto value = [&] {
            if (i + 1 >= argc) return false;
            v = argv[++i];
            return true;
        };
        bool ok = true;
        if (arg == "--help" || arg == "-h") {
            usage(stdout);
            return 0;
        } else if (arg == "--no-tls") {
            options.tls = false;
        } else if (arg == "--no-print-codes") {
            options.print_codes = false;
        } else if (arg == "--port") {
            ok = value() && parse_number(v, options.port);
        } else if (arg == "--ca-out" || arg == "--cert-out") {
            ok = value() && !v.empty();
            ca_out = std::string(v);
        } else if (arg == "--webhook-key-out") {
            ok = value() && !v.empty();
            webhook_key_out = std::string(v);
        } else if (arg == "--certificate-name") {
            ok = value() && !v.empty();
            if (!names_given) options.certificate_names.clear();
            names_given = true;
            options.certificate_names.emplace_back(v);
        } else if (arg == "--api-key") {
            ok = value() && !v.empty();
            options.api_key = std::string(v);
        } else if (arg == "--v2-api-key") {
            ok = value() && !v.empty();
            options.v2_api_key = std::string(v);
        } else if (arg == "--admin-token") {
            ok = value() && !v.empty();
            options.admin_token = std::string(v);
        } else if (arg == "--seed") {
            std::uint64_t seed = 0;
            ok = value() && parse_number(v, seed);
            options.seed = seed;
        } else if (arg == "--code-length") {
            ok = value() && parse_number(v, options.code_length) && options.code_length >= 1 && options.code_length <= 32;
        } else if (arg == "--expiry") {
            ok = value() && parse_seconds(v, options.expiry, 1);
        } else if (arg == "--max-retries") {
            ok = value() && parse_number(v, options.max_retries) && options.max_retries >= 0;
        } else if (arg == "--retry-interval") {
            ok = value() && parse_seconds(v, options.retry_interval, 0);
        } else if (arg == "--max-check-attempts") {
            ok = value() && parse_number(v, options.max_check_attempts) && options.max_check_attempts >= 1;
        } else if (arg == "--max-authentications-per-number") {
            ok = value() && parse_number(v, options.max_authentications_per_number) &&
                 options.max_authentications_per_number >= 1;
        } else if (arg == "--rate-window") {
            ok = value() && parse_seconds(v, options.rate_window, 1);
        } else if (arg == "--spam-number") {
            ok = value() && !v.empty();
            if (!spam_given) options.spam_numbers.clear();
            spam_given = true;
            options.spam_numbers.emplace(v);
        } else if (arg == "--blocked-number") {
            ok = value() && !v.empty();
            if (!blocked_given) options.blocked_numbers.clear();
            blocked_given = true;
            options.blocked_numbers.emplace(v);
        } else if (arg == "--idle-timeout" || arg == "--request-timeout" || arg == "--webhook-timeout") {
            std::chrono::seconds s{};
            ok = value() && parse_seconds(v, s, 1);
            auto& target = arg == "--idle-timeout"      ? options.idle_timeout
                           : arg == "--request-timeout" ? options.request_timeout
                                                        : options.webhook_timeout;
            target = s;
        } else if (arg == "--max-requests-per-connection") {
            ok = value() && parse_number(v, options.max_requests_per_connection);
        } else if (arg == "--max-pending-webhooks") {
            ok = value() && parse_number(v, options.max_pending_webhooks);
        } else if (arg == "--fault") {
            ding::sandbox_fault f;
            ok = value() && parse_fault(v, f);
            if (!ok)
                std::fprintf(stderr, "ding-sandbox: --fault takes KIND[:COUNT[:PATH]], KIND one of: %s\n",
                             std::string(ding::sandbox_fault_kind_names()).c_str());
            faults.push_back(std::move(f));
        } else {
            ok = false;
        }
        if (!ok) {
            std::fprintf(stderr, "ding-sandbox: bad or incomplete argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (options.admin_token.empty()) options.admin_token = random_token();
    if (options.admin_token == options.api_key || options.admin_token == options.v2_api_key) {
        std::fputs("ding-sandbox: --admin-token must differ from --api-key and --v2-api-key\n", stderr);
        return 2;
    }
    if (!ca_out.empty() && !options.tls) {
        std::fputs("ding-sandbox: --ca-out needs TLS (drop --no-tls)\n", stderr);
        return 2;
    }

    boost::asio::io_context ioc(1);
    ding::sandbox sandbox(ioc.get_executor(), options);
    for (auto& f : faults) sandbox.inject(std::move(f));
    const std::string& webhook_key = sandbox.webhook_public_key_pem();  // generated now, once
    if (webhook_key.empty()) {
        std::fputs("ding-sandbox: cannot generate the webhook signing key\n", stderr);
        return 1;
    }
    if (!ca_out.empty() && !write_file(ca_out, sandbox.ca_pem())) {
        std::fprintf(stderr, "ding-sandbox: cannot write %s\n", ca_out.c_str());
        return 1;
    }
    if (!webhook_key_out.empty() && !write_file(webhook_key_out, webhook_key)) {
        std::fprintf(stderr, "ding-sandbox: cannot write %s\n", webhook_key_out.c_str());
        return 1;
    }
    const std::string origin = sandbox.v2_base_url();
    std::printf("base_url %s\napi_key %s\n", sandbox.base_url().c_str(), sandbox.api_key().c_str());
    std::printf("v2_base_url %s\nv2_api_key %s\n", origin.c_str(), sandbox.v2_api_key().c_str());
    std::printf("admin_token %s\nadmin_url %s/_sandbox\n", options.admin_token.c_str(), origin.c_str());
    if (!ca_out.empty()) std::printf("ca_file %s\n", ca_out.c_str());
    if (!webhook_key_out.empty()) std::printf("webhook_key_file %s\n", webhook_key_out.c_str());
    auto print_pem = [](const char* name, const std::string& pem) {
        std::printf("%s\n%s%s", name, pem.c_str(), !pem.empty() && pem.back() == '\n' ? "" : "\n");
    };
    if (options.tls) print_pem("ca_pem", sandbox.ca_pem());
    print_pem("webhook_public_key_pem", webhook_key);
    std::printf("ready\n");
    std::fflush(stdout);

    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        sandbox.stop();
    });
    ioc.run();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ding-sandbox: %s\n", e.what());
    } catch (...) {
        std::fputs("ding-sandbox: unknown error\n", stderr);
    }
    return 1;
}
