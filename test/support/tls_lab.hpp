#pragma once
// A hostile TLS server for tests (issue 17): OpenSSL over memory BIOs on a blocking loopback
// socket, on a thread of its own, so that a test controls every byte: which records are made
// (application data, session tickets, a HelloRequest, a close_notify, or none), when and in what
// TCP segments they leave, and what certificate is presented (authorities and certificates are
// generated at test time, with or without a subjectAltName).
//
//   tls_lab::authority ca("trusted");
//   tls_lab::server s({ca.issue("127.0.0.1", {}, {"127.0.0.1"})},
//                     [](tls_lab::peer& p, int, const std::string&) { p.write(response); return true; });
//   client options: base_url = s.base_url(), tls.ca_pem = ca.pem()
//
// Connections are served one after the other. Nothing here touches the client thread's OpenSSL
// error queue (OpenSSL's queue is per thread).

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ding::test::tls_lab {

/// A certificate and its private key.
struct identity {
    std::shared_ptr<X509> cert;
    std::shared_ptr<EVP_PKEY> key;
};

/// A certificate authority made at test time (EC P-256, valid from an hour ago for a day).
class authority {
public:
    explicit authority(const std::string& name);
    /// The CA certificate, PEM: what a client trusts (client_options::tls.ca_pem).
    const std::string& pem() const noexcept { return pem_; }
    /// A server certificate signed by this CA, with `common_name` as its subject's CN and a
    /// subjectAltName of `dns` names and `ips` addresses; no subjectAltName at all when both are
    /// empty.
    identity issue(const std::string& common_name, const std::vector<std::string>& dns,
                   const std::vector<std::string>& ips) const;

private:
    identity self_;
    std::string pem_;
};

struct server_options {
    identity id;                       ///< the certificate presented at the first handshake
    int max_version = 0;               ///< e.g. TLS1_2_VERSION; 0: OpenSSL's (TLS 1.3)
    int num_tickets = -1;              ///< TLS 1.3 tickets sent after the handshake; -1: OpenSSL's (2)
    std::size_t segment = 0;           ///< bytes per send() (TCP_NODELAY); 0: as much as the socket takes
    std::chrono::milliseconds gap{0};  ///< pause between two segments
    /// Each handshake waits this long on the ClientHello: a client's wait for what follows the
    /// handshake (twice the handshake, for warm-up's tickets) is then long enough, however
    /// loaded the machine.
    std::chrono::milliseconds handshake_delay{0};
};

/// One accepted connection, server side. Used by the script on the server's thread.
class peer {
public:
    peer(SSL_CTX* ctx, int fd, int number, const server_options& options, const std::atomic<bool>& stopping);
    ~peer();
    peer(const peer&) = delete;
    peer& operator=(const peer&) = delete;

    SSL* ssl() noexcept { return ssl_; }
    int fd() const noexcept { return fd_; }
    /// 1 for the server's first connection, 2 for the next one, ...
    int number() const noexcept { return number_; }
    bool handshake();

    /// Records of `plaintext` (application data), made now and not sent.
    std::string seal(std::string_view plaintext);
    /// `n` TLS 1.3 NewSessionTicket records, made now and not sent.
    std::string tickets(int n);
    /// A TLS 1.2 HelloRequest (the server asks to renegotiate), made now and not sent.
    std::string hello_request();
    /// A TLS 1.3 KeyUpdate (update requested), made now and not sent.
    std::string key_update();
    /// A close_notify alert, made now and not sent.
    std::string close_notify();
    /// Sends `bytes` as they are, cut in segments of the options' size (or `segment` bytes with
    /// `gap` between them). False if the client closed or the server is stopping.
    bool send(std::string_view bytes);
    bool send(std::string_view bytes, std::size_t segment, std::chrono::milliseconds gap);
    bool write(std::string_view plaintext) { return send(seal(plaintext)); }
    /// Reads the next request (its header and Content-Length body). False if the connection ended.
    bool read_request(std::string& request);
    /// Processes what the client sends for up to `d` (answers a renegotiation, sends what OpenSSL
    /// writes). False once the client closed the connection or failed the TLS session.
    bool pump(std::chrono::milliseconds d);
    /// Closes the TCP connection without close_notify (a truncation).
    void close_tcp() noexcept;

private:
    /// What OpenSSL wrote (records of any kind) since the last call.
    std::string take_output();
    /// Waits up to `d` for bytes from the client and gives them to OpenSSL. False on a close or an error.
    bool receive(std::chrono::milliseconds d);

    SSL* ssl_ = nullptr;
    BIO* in_ = nullptr;  ///< ciphertext from the client (owned by ssl_)
    BIO* out_ = nullptr; ///< ciphertext OpenSSL made (owned by ssl_)
    int fd_;
    int number_;
    const server_options& options_;
    const std::atomic<bool>& stopping_;
    std::string plain_; ///< request bytes decrypted, not yet returned
};

class server {
public:
    /// Answers request `index` (0-based over the connection's life) of `p`; false closes the
    /// connection (TCP close, no close_notify unless the script sent it).
    using script_fn = std::function<bool(peer& p, int index, const std::string& request)>;

    server(server_options options, script_fn script);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    unsigned short port() const noexcept { return port_; }
    std::string base_url(const std::string& host = "127.0.0.1") const;
    /// Connections accepted so far.
    int connections() const noexcept { return connections_.load(); }
    /// Handshakes completed so far.
    int handshakes() const noexcept { return handshakes_.load(); }
    SSL_CTX* ctx() noexcept { return ctx_; }
    /// Runs after each handshake, before any request is read. Set before a client connects.
    std::function<void(peer&)> after_handshake;

private:
    void run();

    server_options options_;
    script_fn script_;
    SSL_CTX* ctx_ = nullptr;
    int listener_ = -1;
    unsigned short port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> current_{-1};
    std::atomic<int> connections_{0};
    std::atomic<int> handshakes_{0};
    std::thread thread_;
};

} // namespace ding::test::tls_lab
