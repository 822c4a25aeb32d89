// Test helper: a minimal raw HTTP(S) client (Beast, no SDK) for the sandbox tests.
// Every operation is bounded by a timeout; the I/O runs on a private io_context with run_for.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace raw {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct result {
    boost::system::error_code ec;  // transport error (connect, handshake, write, read)
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    bool keep_alive = false;
    boost::json::value json() const {
        boost::system::error_code jec;
        auto v = boost::json::parse(body, jec);
        return jec ? boost::json::value() : v;
    }
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// One connection (TLS verifying the sandbox's CA, or plain), reusable for several requests.
class connection {
public:
    connection(std::uint16_t port, const std::string& ca_pem, std::chrono::milliseconds timeout = std::chrono::seconds(5))
        : port_(port), tls_(!ca_pem.empty()), timeout_(timeout), ssl_ctx_(asio::ssl::context::tls_client) {
        if (tls_) {
            ssl_ctx_.add_certificate_authority(asio::buffer(ca_pem));
            ssl_ctx_.set_verify_mode(asio::ssl::verify_peer);
            ssl_ctx_.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
        }
    }

    boost::system::error_code connect() {
        boost::system::error_code result_ec = asio::error::timed_out;
        tcp_.emplace(ioc_);
        tcp_->expires_after(timeout_);
        tcp_->async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
                            [&](boost::system::error_code ec) { result_ec = ec; });
        run();
        if (result_ec || !tls_) return result_ec;
        ssl_.emplace(std::move(*tcp_), ssl_ctx_);
        tcp_.reset();
        SSL_set_tlsext_host_name(ssl_->native_handle(), "127.0.0.1");  // harmless for an IP
        result_ec = asio::error::timed_out;
        beast::get_lowest_layer(*ssl_).expires_after(timeout_);
        ssl_->async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code ec) { result_ec = ec; });
        run();
        return result_ec;
    }

    // Sends a request; reads the response (unless read == false).
    result request(http::verb method, const std::string& target, const std::string& body = {},
                   std::map<std::string, std::string> headers = {}, bool read = true) {
        http::request<http::string_body> req(method, target, 11);
        req.set(http::field::host, "127.0.0.1");
        for (auto& [k, v] : headers) req.set(k, v);
        if (!body.empty() || method == http::verb::post) {
            req.set(http::field::content_type, "application/json");
            req.body() = body;
        }
        req.prepare_payload();
        return send(req, read);
    }

    result send(http::request<http::string_body>& req, bool read = true) {
        result r;
        r.ec = asio::error::timed_out;
        lowest().expires_after(timeout_);
        auto on_write = [&](boost::system::error_code ec, std::size_t) { r.ec = ec; };
        if (ssl_) http::async_write(*ssl_, req, on_write);
        else http::async_write(*tcp_, req, on_write);
        run();
        if (r.ec || !read) return r;
        return read_response();
    }

    result read_response(std::size_t body_limit = 64 * 1024 * 1024) {
        result r;
        r.ec = asio::error::timed_out;
        lowest().expires_after(timeout_);
        http::response_parser<http::string_body> parser;
        parser.body_limit(body_limit);
        auto on_read = [&](boost::system::error_code ec, std::size_t) { r.ec = ec; };
        if (ssl_) http::async_read(*ssl_, buffer_, parser, on_read);
        else http::async_read(*tcp_, buffer_, parser, on_read);
        run();
        if (parser.is_header_done()) {
            auto& res = parser.get();
            r.status = res.result_int();
            for (auto& f : res) {
                std::string name(f.name_string());
                for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                r.headers[name] = std::string(f.value());
            }
            r.keep_alive = res.keep_alive();
            r.body = res.body();
        }
        return r;
    }

    // Waits for the server to close the connection: returns the error the read ended with
    // (timed_out if the server did not close within `wait`).
    boost::system::error_code wait_closed(std::chrono::milliseconds wait) {
        boost::system::error_code result_ec = asio::error::timed_out;
        lowest().expires_after(wait);
        auto on_read = [&](boost::system::error_code ec, std::size_t) { result_ec = ec; };
        char b[256];
        if (ssl_) ssl_->async_read_some(asio::buffer(b), on_read);
        else tcp_->async_read_some(asio::buffer(b), on_read);
        run();
        return result_ec;
    }

    std::string raw_read_all() {  // everything until close or timeout
        std::string out;
        for (;;) {
            boost::system::error_code rec = asio::error::timed_out;
            std::size_t got = 0;
            char b[4096];
            lowest().expires_after(timeout_);
            auto on_read = [&](boost::system::error_code ec, std::size_t n) { rec = ec; got = n; };
            if (ssl_) ssl_->async_read_some(asio::buffer(b), on_read);
            else tcp_->async_read_some(asio::buffer(b), on_read);
            run();
            out.append(b, got);
            if (rec) break;
        }
        return out;
    }

    asio::io_context& ioc() { return ioc_; }

private:
    beast::tcp_stream& lowest() { return ssl_ ? beast::get_lowest_layer(*ssl_) : *tcp_; }
    void run() {
        ioc_.restart();
        ioc_.run_for(timeout_ + std::chrono::seconds(2));
    }

    std::uint16_t port_;
    bool tls_;
    std::chrono::milliseconds timeout_;
    asio::io_context ioc_;
    asio::ssl::context ssl_ctx_;
    std::optional<beast::tcp_stream> tcp_;
    std::optional<beast::ssl_stream<beast::tcp_stream>> ssl_;
    beast::flat_buffer buffer_;
};

// One request on a fresh connection.
inline result once(std::uint16_t port, const std::string& ca_pem, http::verb method, const std::string& target,
                   const std::string& body = {}, std::map<std::string, std::string> headers = {}) {
    connection c(port, ca_pem);
    result r;
    r.ec = c.connect();
    if (r.ec) return r;
    return c.request(method, target, body, std::move(headers));
}

}  // namespace raw
