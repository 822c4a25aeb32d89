// Test helper: a loopback HTTP server that records the webhooks the sandbox POSTs, and an
// independent check of their signatures with OpenSSL's EVP_DigestVerify.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hook {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct received {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// Answers every request with `status` (or never, with stall = true), on its own thread.
class receiver {
public:
    explicit receiver(unsigned status = 200, bool stall = false)
        : status_(status), stall_(stall), acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        asio::co_spawn(ioc_, accept_loop(), asio::detached);
        thread_ = std::thread([this] { ioc_.run_for(std::chrono::seconds(110)); });
    }
    ~receiver() {
        ioc_.stop();
        thread_.join();
    }
    receiver(const receiver&) = delete;
    receiver& operator=(const receiver&) = delete;

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::string url(const std::string& path = "/hooks/prelude") const {
        return "http://127.0.0.1:" + std::to_string(port()) + path;
    }

    // Waits until at least n requests arrived; false on timeout.
    bool wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, timeout, [&] { return got_.size() >= n; });
    }
    std::vector<received> requests() const {
        std::lock_guard lock(mutex_);
        return got_;
    }

private:
    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            asio::co_spawn(ioc_, serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        stream.expires_after(std::chrono::seconds(10));
        beast::flat_buffer buffer;
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(stream, buffer, req, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        received r;
        r.method = std::string(req.method_string());
        r.target = std::string(req.target());
        for (auto& f : req) {
            std::string name(f.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            r.headers[name] = std::string(f.value());
        }
        r.body = req.body();
        {
            std::lock_guard lock(mutex_);
            got_.push_back(std::move(r));
        }
        cv_.notify_all();
        if (stall_) {
            asio::steady_timer hold(ioc_, std::chrono::seconds(60));
            (void)co_await hold.async_wait(asio::as_tuple(asio::use_awaitable));
            co_return;
        }
        http::response<http::string_body> res(static_cast<http::status>(status_), 11);
        res.set(http::field::content_type, "text/plain");
        res.body() = "thanks";
        res.prepare_payload();
        stream.expires_after(std::chrono::seconds(10));
        (void)co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
        beast::error_code sec;
        stream.socket().shutdown(tcp::socket::shutdown_send, sec);
    }

    unsigned status_;
    bool stall_;
    asio::io_context ioc_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<received> got_;
};

// Strict unpadded base64url; false on any other character or on padding.
inline bool base64url_decode(const std::string& in, std::vector<unsigned char>& out) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '-') return 62;
        if (c == '_') return 63;
        return -1;
    };
    if (in.size() % 4 == 1) return false;
    out.clear();
    unsigned acc = 0;
    int bits = 0;
    for (char c : in) {
        const int v = value(c);
        if (v < 0) return false;
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<unsigned char>((acc >> bits) & 0xff));
        }
    }
    return true;
}

// Checks "rsassa-pss-sha256=<base64url>" over `body` with the PEM public key: RSASSA-PSS,
// SHA-256, MGF1-SHA-256, salt length 32.
inline bool verify_signature(const std::string& public_pem, const std::string& header, const std::string& body) {
    const std::string prefix = "rsassa-pss-sha256=";
    if (header.rfind(prefix, 0) != 0) return false;
    std::vector<unsigned char> sig;
    if (!base64url_decode(header.substr(prefix.size()), sig)) return false;
    BIO* bio = BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()));
    if (!bio) return false;
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!key) return false;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    bool ok = ctx && EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nullptr, key) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
              EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1 &&
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1 &&
              EVP_DigestVerify(ctx, sig.data(), sig.size(), reinterpret_cast<const unsigned char*>(body.data()),
                               body.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    ERR_clear_error();
    return ok;
}

}  // namespace hook
