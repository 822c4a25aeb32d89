// Receiving Prelude Verify v2 webhooks: a Beast HTTP endpoint that checks the X-Webhook-Signature
// of each POST against the account's public key, parses the event, and answers
//   200 when the signature verifies and the body is a webhook (Prelude then stops resending it),
//   401 when the signature is missing or wrong (the body is not trusted, not even parsed),
//   400 when a correctly signed body is not a webhook envelope.
// Put it behind your TLS terminator; pass the URL as options.callback_url of create_async.
//
// Usage: webhook_receiver <public-key-file> [port=8080]   PEM, JWK or JWKS file; serves until Ctrl-C
//        webhook_receiver --self-test                       makes a key, sends itself one signed and
//                                                           one tampered webhook (and a signed
//                                                           non-webhook), exits 0 on 200, 401, 400

#include <ding/v2.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto no_throw = asio::as_tuple(asio::use_awaitable);

// What the application does with a verified event; here it only logs it.
void on_event(const ding::v2::webhook_event& event) {
    std::cout << "webhook " << event.id << " (" << event.type << "): ";
    std::visit(
        [&](const auto& payload) {
            using P = std::decay_t<decltype(payload)>;
            if constexpr (std::is_same_v<P, ding::v2::authentication_payload>)
                std::cout << "verification " << payload.verification_id.value_or("?") << " created";
            else if constexpr (std::is_same_v<P, ding::v2::attempt_payload>)
                std::cout << "attempt " << payload.id.value_or("?") << " sent";
            else if constexpr (std::is_same_v<P, ding::v2::delivery_status_payload>)
                std::cout << "delivery status "
                          << ding::v2::to_string(payload.status.value_or(ding::v2::delivery_status::unknown));
            else
                std::cout << "not modelled by this SDK version, payload " << event.payload_json;
        },
        event.payload);
    std::cout << '\n';
}

http::status handle(const ding::v2::webhook_verifier& verifier, const http::request<http::string_body>& req) {
    if (req.method() != http::verb::post) return http::status::method_not_allowed;
    // Verify the raw bytes first: nothing in an unverified body is trusted.
    const auto signature = req[ding::v2::webhook_signature_header];
    if (auto ok = verifier.verify(std::string_view(signature.data(), signature.size()), req.body()); !ok) {
        std::cerr << "rejected webhook: " << ok.error() << '\n';
        return http::status::unauthorized;
    }
    auto event = ding::v2::parse_webhook(req.body());
    if (!event) {
        std::cerr << "signed but unreadable webhook: " << event.error() << '\n';
        return http::status::bad_request;
    }
    on_event(*event);
    return http::status::ok;
}

asio::awaitable<void> serve_connection(std::shared_ptr<const ding::v2::webhook_verifier> verifier, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        stream.expires_after(std::chrono::seconds(30));
        http::request_parser<http::string_body> parser;
        parser.body_limit(256 * 1024); // webhooks are small; refuse anything that is not
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, no_throw);
        if (ec) break;
        const auto& req = parser.get();
        http::response<http::string_body> res{handle(*verifier, req), req.version()};
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(stream, res, no_throw);
        if (wec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<const ding::v2::webhook_verifier> verifier, tcp::acceptor& acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(no_throw);
        if (ec) co_return; // closed
        asio::co_spawn(acceptor.get_executor(), serve_connection(verifier, std::move(socket)), asio::detached);
    }
}

// ---------------------------------------------------------------------------- self-test only
// The self-test plays Prelude: it signs bodies as the vendor documents (RSASSA-PSS, SHA-256,
// MGF1-SHA-256, salt 32 bytes, unpadded base64url after "rsassa-pss-sha256=").

struct key_deleter {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, key_deleter>;

std::string base64url(const std::vector<unsigned char>& bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (unsigned char b : bytes) {
        bits = (bits << 8) | b;
        count += 8;
        while (count >= 6) {
            count -= 6;
            out.push_back(alphabet[(bits >> count) & 63]);
        }
    }
    if (count > 0) out.push_back(alphabet[(bits << (6 - count)) & 63]);
    return out;
}

std::string sign(EVP_PKEY* key, std::string_view body) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_PKEY_CTX* pctx = nullptr;
    std::size_t size = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(body.data());
    if (!md || EVP_DigestSignInit_ex(md.get(), &pctx, "SHA256", nullptr, nullptr, key, nullptr) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
        EVP_DigestSign(md.get(), nullptr, &size, data, body.size()) != 1)
        return {};
    std::vector<unsigned char> sig(size);
    if (EVP_DigestSign(md.get(), sig.data(), &size, data, body.size()) != 1) return {};
    sig.resize(size);
    return std::string(ding::v2::webhook_signature_prefix) + base64url(sig);
}

std::string public_pem(EVP_PKEY* key) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) return {};
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

asio::awaitable<unsigned> post(tcp::endpoint to, std::string body, std::string signature) {
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(std::chrono::seconds(10));
    auto [cec] = co_await stream.async_connect(to, no_throw);
    if (cec) co_return 0;
    http::request<http::string_body> req{http::verb::post, "/prelude/events", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.set(ding::v2::webhook_signature_header, signature);
    req.body() = std::move(body);
    req.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, req, no_throw);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    auto [rec, rn] = co_await http::async_read(stream, buffer, res, no_throw);
    if (wec || rec) co_return 0;
    co_return res.result_int();
}

asio::awaitable<bool> self_test(tcp::endpoint server, EVP_PKEY* key) {
    const std::string event = R"({"id":"evt_01jnh50110f1gt7n74yb6kcrzb","type":"verify.attempt",)"
                              R"("payload":{"id":"att_3v9s0v9gzt8hws0cp753q4gj0c","verification_id":"vrf_01jnh4zt8vfq5r71n1sx9yvx5m",)"
                              R"("channel":"sms","delivery_status":"delivered","price":{"amount":0.03,"currency":"EUR"},)"
                              R"("target":{"type":"phone_number","value":"+33612345678"}},)"
                              R"("created_at":"2025-03-04T17:59:22.163921113Z"})";
    const std::string signature = sign(key, event);
    if (signature.empty()) co_return false;
    std::string tampered = event;
    tampered.replace(tampered.find("0.03"), 4, "0.00");
    const std::string not_a_webhook = R"({"hello":"world"})";

    const unsigned good = co_await post(server, event, signature);
    const unsigned forged = co_await post(server, tampered, signature);
    const unsigned unreadable = co_await post(server, not_a_webhook, sign(key, not_a_webhook));
    std::cout << "self-test: signed -> " << good << ", tampered -> " << forged << ", signed non-webhook -> "
              << unreadable << '\n';
    co_return good == 200 && forged == 401 && unreadable == 400;
}

std::string read_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return in ? text.str() : std::string();
}

} // namespace

int main(int argc, char** argv) {
    const bool testing = argc > 1 && std::string(argv[1]) == "--self-test";
    if (!testing && argc < 2) {
        std::cerr << "usage: webhook_receiver <public-key-file> [port]   or   webhook_receiver --self-test\n";
        return 2;
    }
    key_ptr test_key;
    std::string key_text;
    if (testing) {
        test_key.reset(EVP_RSA_gen(2048));
        key_text = test_key ? public_pem(test_key.get()) : std::string();
    } else {
        key_text = read_file(argv[1]);
    }
    auto verifier = ding::v2::webhook_verifier::from_key(key_text);
    if (!verifier) {
        std::cerr << "cannot use the public key: " << verifier.error() << '\n';
        return 1;
    }
    auto shared_verifier = std::make_shared<const ding::v2::webhook_verifier>(*verifier);
    const auto port = static_cast<unsigned short>(!testing && argc > 2 ? std::atoi(argv[2]) : (testing ? 0 : 8080));

    asio::io_context ioc;
    boost::system::error_code ec;
    tcp::acceptor acceptor(ioc);
    const tcp::endpoint where(asio::ip::make_address("127.0.0.1"), port);
    if (acceptor.open(where.protocol(), ec); !ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(where, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::cerr << "cannot listen on 127.0.0.1:" << port << ": " << ec.message() << '\n';
        return 1;
    }
    std::cout << "webhook receiver on http://127.0.0.1:" << acceptor.local_endpoint().port() << '\n';
    asio::co_spawn(ioc, accept_loop(shared_verifier, acceptor), asio::detached);

    int exit_code = 0;
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    auto shut_down = [&] {
        signals.cancel();
        acceptor.close();
        ioc.stop(); // keep-alive connections of senders do not keep us alive
    };
    signals.async_wait([&](boost::system::error_code e, int) { if (!e) shut_down(); });
    if (testing) {
        asio::co_spawn(ioc, self_test(acceptor.local_endpoint(), test_key.get()), [&](std::exception_ptr e, bool ok) {
            exit_code = ok && !e ? 0 : 1;
            shut_down();
        });
    }
    ioc.run();
    return exit_code;
}
