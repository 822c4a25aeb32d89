#include <catch2/catch.hpp>

#include "sandbox/certificate.hpp"

#include <boost/asio/ssl/context.hpp>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace asio = boost::asio;

namespace {
struct x509_free { void operator()(X509* p) const noexcept { X509_free(p); } };
using x509_ptr = std::unique_ptr<X509, x509_free>;

x509_ptr parse(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    return x509_ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}
}  // namespace

TEST_CASE("sandbox: make_certificate produces a CA and a leaf usable by asio::ssl::context", "[sandbox][certificate]") {
    ding::detail::generated_certificate cert;
    std::string why;
    REQUIRE(ding::detail::make_certificate({"127.0.0.1", "localhost", "::1"}, cert, why));
    CHECK(why.empty());
    CHECK(cert.ca_pem.find("-----BEGIN CERTIFICATE-----") == 0);
    CHECK(cert.cert_chain_pem.find("-----BEGIN CERTIFICATE-----") == 0);
    CHECK(cert.key_pem.find("-----BEGIN PRIVATE KEY-----") == 0);

    asio::ssl::context server(asio::ssl::context::tls_server);
    boost::system::error_code ec;
    server.use_certificate_chain(asio::buffer(cert.cert_chain_pem), ec);
    REQUIRE_FALSE(ec);
    server.use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(SSL_CTX_check_private_key(server.native_handle()) == 1);

    asio::ssl::context client(asio::ssl::context::tls_client);
    client.add_certificate_authority(asio::buffer(cert.ca_pem), ec);
    REQUIRE_FALSE(ec);

    // The leaf verifies against the CA, for the IP and DNS names given.
    x509_ptr ca = parse(cert.ca_pem);
    x509_ptr leaf = parse(cert.cert_chain_pem);
    REQUIRE(ca);
    REQUIRE(leaf);
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
    REQUIRE(X509_STORE_add_cert(store.get(), ca.get()) == 1);
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), &X509_STORE_CTX_free);
    REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr) == 1);
    CHECK(X509_verify_cert(ctx.get()) == 1);
    CHECK(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0) == 1);
    CHECK(X509_check_ip_asc(leaf.get(), "::1", 0) == 1);
    CHECK(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr) == 1);
    CHECK(X509_check_host(leaf.get(), "example.com", 0, 0, nullptr) == 0);
    CHECK(X509_check_ca(ca.get()) >= 1);
    CHECK(X509_check_ca(leaf.get()) == 0);
}

TEST_CASE("sandbox: make_certificate makes a fresh CA each time and rejects no names", "[sandbox][certificate]") {
    ding::detail::generated_certificate a, b;
    std::string why;
    REQUIRE(ding::detail::make_certificate({"localhost"}, a, why));
    REQUIRE(ding::detail::make_certificate({"localhost"}, b, why));
    CHECK(a.ca_pem != b.ca_pem);
    CHECK(a.key_pem != b.key_pem);

    ding::detail::generated_certificate c;
    CHECK_FALSE(ding::detail::make_certificate({}, c, why));
    CHECK_FALSE(why.empty());
}
