// Internal: generates a throw-away CA and a leaf certificate for the sandbox (and for tests).
#pragma once

#include <string>
#include <vector>

namespace ding::detail {

struct generated_certificate {
    std::string ca_pem;          // the self-signed CA certificate (trust anchor to give the client)
    std::string cert_chain_pem;  // the server's leaf certificate (signed by that CA)
    std::string key_pem;         // the leaf's private key (PKCS#8 PEM)
};

// Makes a fresh CA (EC P-256) and a leaf certificate for the given names, valid from 1 hour ago
// for 30 days. Each entry of `names` that parses as an IPv4/IPv6 address becomes an IP SAN,
// otherwise a DNS SAN; the first is also the CN. `names` must not be empty.
// Returns false and sets `why` on failure (never throws).
bool make_certificate(const std::vector<std::string>& names, generated_certificate& out, std::string& why);

}  // namespace ding::detail
