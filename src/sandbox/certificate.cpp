#include "certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <utility>

namespace ding::detail {
namespace {

struct pkey_free { void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); } };
struct x509_free { void operator()(X509* p) const noexcept { X509_free(p); } };
struct bio_free { void operator()(BIO* p) const noexcept { BIO_free(p); } };
struct bn_free { void operator()(BIGNUM* p) const noexcept { BN_free(p); } };
struct ext_free { void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); } };
struct gens_free { void operator()(GENERAL_NAMES* p) const noexcept { GENERAL_NAMES_free(p); } };
struct gen_free { void operator()(GENERAL_NAME* p) const noexcept { GENERAL_NAME_free(p); } };
struct octet_free { void operator()(ASN1_OCTET_STRING* p) const noexcept { ASN1_OCTET_STRING_free(p); } };
struct ia5_free { void operator()(ASN1_IA5STRING* p) const noexcept { ASN1_IA5STRING_free(p); } };

using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;
using bio_ptr = std::unique_ptr<BIO, bio_free>;

std::string openssl_error(const char* what) {
    std::string s = what;
    unsigned long e = ERR_get_error();
    if (e != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        s += ": ";
        s += buf;
    }
    ERR_clear_error();
    return s;
}

pkey_ptr make_key() {
    return pkey_ptr(EVP_EC_gen("P-256"));
}

bool random_serial(X509* cert) {
    std::unique_ptr<BIGNUM, bn_free> bn(BN_new());
    if (!bn || BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) return false;
    return BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, ext_free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool set_name(X509_NAME* name, const std::string& cn) {
    return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>("ding sandbox"), -1, -1, 0) == 1 &&
           X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) == 1;
}

x509_ptr new_cert(EVP_PKEY* key, const std::string& cn) {
    x509_ptr cert(X509_new());
    if (!cert) return nullptr;
    if (X509_set_version(cert.get(), 2) != 1 || !random_serial(cert.get())) return nullptr;
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60L * 60) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 60 * 60))
        return nullptr;
    if (X509_set_pubkey(cert.get(), key) != 1) return nullptr;
    if (!set_name(X509_get_subject_name(cert.get()), cn)) return nullptr;
    return cert;
}

bool add_san(X509* cert, const std::vector<std::string>& names) {
    std::unique_ptr<GENERAL_NAMES, gens_free> gens(sk_GENERAL_NAME_new_null());
    if (!gens) return false;
    for (const auto& n : names) {
        std::unique_ptr<GENERAL_NAME, gen_free> gen(GENERAL_NAME_new());
        if (!gen) return false;
        if (std::unique_ptr<ASN1_OCTET_STRING, octet_free> ip(a2i_IPADDRESS(n.c_str())); ip) {
            GENERAL_NAME_set0_value(gen.get(), GEN_IPADD, ip.release());
        } else {
            ERR_clear_error();
            std::unique_ptr<ASN1_IA5STRING, ia5_free> dns(ASN1_IA5STRING_new());
            if (!dns || ASN1_STRING_set(dns.get(), n.data(), static_cast<int>(n.size())) != 1) return false;
            GENERAL_NAME_set0_value(gen.get(), GEN_DNS, dns.release());
        }
        if (sk_GENERAL_NAME_push(gens.get(), gen.get()) == 0) return false;
        gen.release();
    }
    return X509_add1_ext_i2d(cert, NID_subject_alt_name, gens.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

bool to_pem(X509* cert, std::string& out) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return false;
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    out.assign(data, static_cast<std::size_t>(len));
    return true;
}

bool key_to_pem(EVP_PKEY* key, std::string& out) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY") in OpenSSL 3.
    if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return false;
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    out.assign(data, static_cast<std::size_t>(len));
    return true;
}

bool make_impl(const std::vector<std::string>& names, generated_certificate& out, std::string& why) {
    if (names.empty()) {
        why = "make_certificate: no names given";
        return false;
    }
    ERR_clear_error();
    pkey_ptr ca_key = make_key();
    if (!ca_key) { why = openssl_error("CA key generation failed"); return false; }
    x509_ptr ca = new_cert(ca_key.get(), "ding sandbox CA");
    if (!ca) { why = openssl_error("CA certificate creation failed"); return false; }
    if (X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get())) != 1 ||
        !add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
        !add_ext(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_ext(ca.get(), ca.get(), NID_subject_key_identifier, "hash") ||
        X509_sign(ca.get(), ca_key.get(), EVP_sha256()) == 0) {
        why = openssl_error("CA certificate signing failed");
        return false;
    }

    pkey_ptr leaf_key = make_key();
    if (!leaf_key) { why = openssl_error("leaf key generation failed"); return false; }
    x509_ptr leaf = new_cert(leaf_key.get(), names.front());
    if (!leaf) { why = openssl_error("leaf certificate creation failed"); return false; }
    if (X509_set_issuer_name(leaf.get(), X509_get_subject_name(ca.get())) != 1 ||
        !add_ext(leaf.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE") ||
        !add_ext(leaf.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyAgreement") ||
        !add_ext(leaf.get(), ca.get(), NID_ext_key_usage, "serverAuth") ||
        !add_ext(leaf.get(), ca.get(), NID_authority_key_identifier, "keyid:always") ||
        !add_san(leaf.get(), names) ||
        X509_sign(leaf.get(), ca_key.get(), EVP_sha256()) == 0) {
        why = openssl_error("leaf certificate signing failed");
        return false;
    }

    generated_certificate result;
    if (!to_pem(ca.get(), result.ca_pem) || !to_pem(leaf.get(), result.cert_chain_pem) ||
        !key_to_pem(leaf_key.get(), result.key_pem)) {
        why = openssl_error("PEM encoding failed");
        return false;
    }
    out = std::move(result);
    return true;
}

}  // namespace

bool make_certificate(const std::vector<std::string>& names, generated_certificate& out, std::string& why) {
    try {
        return make_impl(names, out, why);
    } catch (...) {
        try {
            why = "make_certificate: out of memory";
        } catch (...) {
        }
        return false;
    }
}

}  // namespace ding::detail
