// ding-sandbox: runs a local Ding API sandbox (ding::sandbox) until SIGINT/SIGTERM.
//
//   ding-sandbox [--port N] [--no-tls] [--cert-out FILE] [--seed N] [--expiry SECONDS]
//                [--max-retries N] [--retry-interval SECONDS] [--api-key KEY]
//
// Prints "base_url <url>", "api_key <key>", "v2_base_url <url>" and "v2_api_key <key>", then
// "code <authentication_uuid or vrf_ id> <phone or email> <code>"
// for every code it sends.
#include <ding/sandbox.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>
#include <string_view>

namespace {

void usage(std::FILE* to) {
    std::fputs("usage: ding-sandbox [--port N] [--no-tls] [--cert-out FILE] [--seed N] [--expiry SECONDS]\n"
               "                    [--max-retries N] [--retry-interval SECONDS] [--api-key KEY]\n",
               to);
}

template <class T>
bool parse_number(std::string_view s, T& out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

int run(int argc, char** argv) {
    ding::sandbox_options options;
    options.print_codes = true;
    std::string cert_out;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&](std::string_view& out) {
            if (i + 1 >= argc) return false;
            out = argv[++i];
            return true;
        };
        std::string_view v;
        bool ok = true;
        if (arg == "--help" || arg == "-h") {
            usage(stdout);
            return 0;
        } else if (arg == "--no-tls") {
            options.tls = false;
        } else if (arg == "--port") {
            ok = value(v) && parse_number(v, options.port);
        } else if (arg == "--cert-out") {
            ok = value(v);
            cert_out = std::string(v);
        } else if (arg == "--seed") {
            std::uint64_t seed = 0;
            ok = value(v) && parse_number(v, seed);
            options.seed = seed;
        } else if (arg == "--expiry") {
            long long s = 0;
            ok = value(v) && parse_number(v, s) && s > 0;
            options.expiry = std::chrono::seconds(s);
        } else if (arg == "--max-retries") {
            ok = value(v) && parse_number(v, options.max_retries) && options.max_retries >= 0;
        } else if (arg == "--retry-interval") {
            long long s = 0;
            ok = value(v) && parse_number(v, s) && s >= 0;
            options.retry_interval = std::chrono::seconds(s);
        } else if (arg == "--api-key") {
            ok = value(v) && !v.empty();
            options.api_key = std::string(v);
        } else {
            ok = false;
        }
        if (!ok) {
            std::fprintf(stderr, "ding-sandbox: bad or incomplete argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }

    boost::asio::io_context ioc(1);
    ding::sandbox sandbox(ioc.get_executor(), options);
    if (!cert_out.empty()) {
        if (!options.tls) {
            std::fputs("ding-sandbox: --cert-out ignored with --no-tls\n", stderr);
        } else {
            std::ofstream f(cert_out, std::ios::binary | std::ios::trunc);
            f << sandbox.ca_pem();
            f.close();
            if (!f) {
                std::fprintf(stderr, "ding-sandbox: cannot write %s\n", cert_out.c_str());
                return 1;
            }
        }
    }
    std::printf("base_url %s\napi_key %s\n", sandbox.base_url().c_str(), sandbox.api_key().c_str());
    std::printf("v2_base_url %s\nv2_api_key %s\n", sandbox.v2_base_url().c_str(), sandbox.v2_api_key().c_str());
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
