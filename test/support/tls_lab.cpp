#include "support/tls_lab.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <stdexcept>

namespace ding::test::tls_lab {
namespace {

using namespace std::chrono_literals;

void check(bool ok, const char* what) {
    if (!ok) {
        ERR_clear_error();
        throw std::runtime_error(std::string("tls_lab: ") + what);
    }
}

std::shared_ptr<EVP_PKEY> new_key() {
    EVP_PKEY* k = EVP_EC_gen("P-256");
    check(k != nullptr, "EC key generation failed");
    return {k, EVP_PKEY_free};
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(e != nullptr, "bad certificate extension");
    X509_add_ext(cert, e, -1);
    X509_EXTENSION_free(e);
}

/// A certificate for `key`, named `common_name`, signed by `issuer` (itself when null).
std::shared_ptr<X509> new_certificate(const std::string& common_name, EVP_PKEY* key, const identity* issuer) {
    std::shared_ptr<X509> x(X509_new(), X509_free);
    check(x != nullptr, "X509_new failed");
    X509_set_version(x.get(), 2);
    std::uint64_t serial = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial);
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(x.get()), serial >> 1);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 24 * 3600);
    X509_NAME* name = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ding tls_lab"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                               -1, 0);
    X509_set_issuer_name(x.get(), issuer != nullptr ? X509_get_subject_name(issuer->cert.get()) : name);
    X509_set_pubkey(x.get(), key);
    return x;
}

std::string to_pem(X509* x) {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    std::string pem(data, static_cast<std::size_t>(n));
    BIO_free(b);
    return pem;
}

} // namespace

authority::authority(const std::string& name) {
    self_.key = new_key();
    self_.cert = new_certificate(name, self_.key.get(), nullptr);
    X509* x = self_.cert.get();
    add_extension(x, x, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(x, x, NID_subject_key_identifier, "hash");
    check(X509_sign(x, self_.key.get(), EVP_sha256()) > 0, "CA signing failed");
    pem_ = to_pem(x);
}

identity authority::issue(const std::string& common_name, const std::vector<std::string>& dns,
                          const std::vector<std::string>& ips) const {
    identity out;
    out.key = new_key();
    out.cert = new_certificate(common_name, out.key.get(), &self_);
    X509* x = out.cert.get();
    add_extension(x, self_.cert.get(), NID_basic_constraints, "CA:FALSE");
    add_extension(x, self_.cert.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(x, self_.cert.get(), NID_ext_key_usage, "serverAuth");
    add_extension(x, self_.cert.get(), NID_authority_key_identifier, "keyid");
    std::string san;
    for (const auto& d : dns) san += (san.empty() ? "DNS:" : ",DNS:") + d;
    for (const auto& ip : ips) san += (san.empty() ? "IP:" : ",IP:") + ip;
    if (!san.empty()) add_extension(x, self_.cert.get(), NID_subject_alt_name, san);
    check(X509_sign(x, self_.key.get(), EVP_sha256()) > 0, "certificate signing failed");
    return out;
}

// ---------------------------------------------------------------------------------------------

peer::peer(SSL_CTX* ctx, int fd, int number, const server_options& options, const std::atomic<bool>& stopping)
    : fd_(fd), number_(number), options_(options), stopping_(stopping) {
    ssl_ = SSL_new(ctx);
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    check(ssl_ != nullptr && in_ != nullptr && out_ != nullptr, "out of memory");
    BIO_set_mem_eof_return(in_, -1); // empty: "retry", not end of file
    SSL_set_bio(ssl_, in_, out_);
    SSL_set_accept_state(ssl_);
}

peer::~peer() {
    SSL_free(ssl_);
    ERR_clear_error();
}

std::string peer::take_output() {
    char* data = nullptr;
    const long n = BIO_get_mem_data(out_, &data);
    std::string bytes(data, static_cast<std::size_t>(n));
    (void)BIO_reset(out_);
    return bytes;
}

static int receive_result(int fd, std::chrono::milliseconds d, const std::atomic<bool>& stopping, BIO* in) {
    const auto until = std::chrono::steady_clock::now() + d;
    for (;;) {
        if (stopping) return -1;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return 0;
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 20)));
        if (ready <= 0) continue;
        char buf[16 * 1024];
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return -1;
        BIO_write(in, buf, static_cast<int>(n));
        return 1;
    }
}

bool peer::receive(std::chrono::milliseconds d) { return receive_result(fd_, d, stopping_, in_) > 0; }

bool peer::send(std::string_view bytes) { return send(bytes, options_.segment, options_.gap); }

bool peer::send(std::string_view bytes, std::size_t segment, std::chrono::milliseconds gap) {
    while (!bytes.empty()) {
        if (stopping_) return false;
        const std::size_t n = segment == 0 ? bytes.size() : std::min(segment, bytes.size());
        const auto r = ::send(fd_, bytes.data(), n, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(r));
        if (gap.count() > 0 && !bytes.empty()) std::this_thread::sleep_for(gap);
    }
    return true;
}

bool peer::handshake() {
    const auto until = std::chrono::steady_clock::now() + 5s;
    for (;;) {
        ERR_clear_error();
        const int r = SSL_do_handshake(ssl_);
        if (!send(take_output())) return false;
        if (r == 1) return true;
        if (SSL_get_error(ssl_, r) != SSL_ERROR_WANT_READ) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !receive(left)) return false;
    }
}

std::string peer::seal(std::string_view plaintext) {
    while (!plaintext.empty()) {
        const int r = SSL_write(ssl_, plaintext.data(), static_cast<int>(plaintext.size()));
        check(r > 0, "SSL_write failed");
        plaintext.remove_prefix(static_cast<std::size_t>(r));
    }
    return take_output();
}

std::string peer::tickets(int n) {
    for (int i = 0; i < n; ++i) check(SSL_new_session_ticket(ssl_) == 1, "SSL_new_session_ticket failed");
    check(SSL_do_handshake(ssl_) == 1, "sending tickets failed");
    return take_output();
}

std::string peer::hello_request() {
    check(SSL_renegotiate(ssl_) == 1, "SSL_renegotiate failed (TLS 1.2 only)");
    SSL_do_handshake(ssl_); // writes the HelloRequest; the rest waits for the client's ClientHello
    ERR_clear_error();
    return take_output();
}

std::string peer::key_update() {
    check(SSL_key_update(ssl_, SSL_KEY_UPDATE_REQUESTED) == 1, "SSL_key_update failed (TLS 1.3 only)");
    check(SSL_do_handshake(ssl_) == 1, "sending the KeyUpdate failed");
    return take_output();
}

std::string peer::close_notify() {
    SSL_shutdown(ssl_);
    ERR_clear_error();
    return take_output();
}

bool peer::read_request(std::string& request) {
    for (;;) {
        if (const auto end = plain_.find("\r\n\r\n"); end != std::string::npos) {
            std::size_t length = 0;
            if (const auto at = plain_.find("Content-Length: "); at != std::string::npos && at < end)
                length = std::stoul(plain_.substr(at + 16));
            if (plain_.size() >= end + 4 + length) {
                request = plain_.substr(0, end + 4 + length);
                plain_.erase(0, end + 4 + length);
                return true;
            }
        }
        char buf[16 * 1024];
        ERR_clear_error();
        const int r = SSL_read(ssl_, buf, sizeof buf);
        if (r > 0) {
            plain_.append(buf, static_cast<std::size_t>(r));
            continue;
        }
        const int reason = SSL_get_error(ssl_, r);
        if (!send(take_output())) return false;
        if (reason != SSL_ERROR_WANT_READ || !receive(10s)) return false;
    }
}

bool peer::pump(std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    for (;;) {
        char buf[16 * 1024];
        ERR_clear_error();
        const int r = SSL_read(ssl_, buf, sizeof buf);
        if (r > 0) {
            plain_.append(buf, static_cast<std::size_t>(r));
            continue;
        }
        const int reason = SSL_get_error(ssl_, r);
        if (!send(take_output())) return false;
        if (reason != SSL_ERROR_WANT_READ) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return true;
        const int got = receive_result(fd_, left, stopping_, in_);
        if (got < 0) return false;
        if (got == 0) return true;
    }
}

void peer::close_tcp() noexcept { ::shutdown(fd_, SHUT_RDWR); }

// ---------------------------------------------------------------------------------------------

server::server(server_options options, script_fn script) : options_(std::move(options)), script_(std::move(script)) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    check(ctx_ != nullptr, "SSL_CTX_new failed");
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    if (options_.max_version != 0) SSL_CTX_set_max_proto_version(ctx_, options_.max_version);
    if (options_.num_tickets >= 0) SSL_CTX_set_num_tickets(ctx_, static_cast<std::size_t>(options_.num_tickets));
    // A renegotiation is a full handshake: the certificate it presents is verified again.
    SSL_CTX_set_options(ctx_, SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
    if (options_.handshake_delay.count() > 0)
        SSL_CTX_set_client_hello_cb(
            ctx_,
            [](SSL*, int*, void* arg) {
                std::this_thread::sleep_for(static_cast<const server_options*>(arg)->handshake_delay);
                return SSL_CLIENT_HELLO_SUCCESS;
            },
            &options_);
    check(SSL_CTX_use_certificate(ctx_, options_.id.cert.get()) == 1, "the certificate was refused");
    check(SSL_CTX_use_PrivateKey(ctx_, options_.id.key.get()) == 1, "the key was refused");

    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    check(::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0, "bind failed");
    check(::listen(listener_, 16) == 0, "listen failed");
    socklen_t len = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    std::signal(SIGPIPE, SIG_IGN); // the client may close first
    thread_ = std::thread([this] { run(); });
}

server::~server() {
    stopping_ = true;
    if (const int fd = current_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
    SSL_CTX_free(ctx_);
}

std::string server::base_url(const std::string& host) const {
    return "https://" + host + ":" + std::to_string(port_) + "/v1";
}

void server::run() {
    while (!stopping_) {
        pollfd p{listener_, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        const int fd = ::accept(listener_, nullptr, nullptr);
        if (fd < 0) continue;
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        current_ = fd;
        const int number = ++connections_;
        try {
            peer conn(ctx_, fd, number, options_, stopping_);
            if (conn.handshake()) {
                ++handshakes_;
                if (after_handshake) after_handshake(conn);
                std::string request;
                for (int index = 0; !stopping_ && conn.read_request(request); ++index)
                    if (!script_(conn, index, request)) break;
            }
        } catch (const std::exception&) {
            // A script's OpenSSL step failed: the connection ends (the test sees a close).
        }
        current_ = -1;
        ::close(fd);
    }
}

} // namespace ding::test::tls_lab
