/* SPDX-License-Identifier: MIT */
/*
 * transport/tls_cert.c: certificates made in memory with mbedTLS's
 * x509write (vox_tls_cert_make in vox/tls.h), for the tests and a demo
 * that needs a throwaway CA. Not for a production PKI: one key type
 * (P-256), no extended key usage, no revocation information.
 */
#include "vox/config.h"

#if VOX_WITH_TLS

#include <string.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "transport/tls_int.h"

/* "YYYYMMDDhhmmss", as x509write takes a time, of t seconds since
 * 1970-01-01 UTC. 0, or VOX_EINVAL outside 1950..9999: UTCTime holds
 * 1950..2049 and GeneralizedTime four-digit years (RFC 5280 4.1.2.5). */
static int x509_time(int64_t t, char out[15])
{
	if (t < -631152000 || t > 253402300799)
		return VOX_EINVAL;
	int64_t days = t / 86400, secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* the civil date of a day count: 400-year eras of 146097 days, each
	 * year counted from March so that February's length comes last */
	days += 719468; /* from 0000-03-01 */
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t day = doy - (153 * mp + 2) / 5 + 1;
	int64_t mon = mp < 10 ? mp + 3 : mp - 9;
	int64_t year = yoe + era * 400 + (mon <= 2);
	const int64_t v[6] = {year, mon, day, secs / 3600, secs / 60 % 60, secs % 60};
	const size_t w[6] = {4, 2, 2, 2, 2, 2};
	size_t k = 0;
	for (size_t i = 0; i < 6; i++) {
		int64_t x = v[i];
		for (size_t j = w[i]; j-- > 0; x /= 10)
			out[k + j] = (char)('0' + x % 10);
		k += w[i];
	}
	out[14] = '\0';
	return 0;
}

/* The characters a commonName may have here: printable ASCII, minus the
 * ones x509write's name parser would read as syntax. */
static int cn_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64) /* ub-common-name, RFC 5280 A.1 */
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || strchr(",+=\"\\<>;#", s[i]))
			return 0;
	return 1;
}

/* dNSName: letters, digits, '-', '.', and '*' (so that tests can make the
 * wildcard certificates vox refuses). URIs: printable ASCII, no space. */
static int san_ok(const char *s, int uri)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int ok = uri ? c > 0x20 && c < 0x7f
		             : (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                   (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '*';
		if (!ok)
			return 0;
	}
	return 1;
}

static int put_entry(unsigned char **p, unsigned char *start, unsigned tag, const unsigned char *v,
                     size_t n, size_t *len)
{
	int r1 = mbedtls_asn1_write_raw_buffer(p, start, v, n);
	if (r1 < 0)
		return r1;
	int r2 = mbedtls_asn1_write_len(p, start, n);
	if (r2 < 0)
		return r2;
	int r3 =
	    mbedtls_asn1_write_tag(p, start, (unsigned char)(MBEDTLS_ASN1_CONTEXT_SPECIFIC | tag));
	if (r3 < 0)
		return r3;
	*len += (size_t)r1 + (size_t)r2 + (size_t)r3;
	return 0;
}

/* subjectAltName (RFC 5280 4.2.1.6), written backwards from buf + cap as
 * mbedTLS's ASN.1 writer does; *out points at its first byte. */
static int write_san(const struct vox_tls_cert_spec *s, unsigned char *buf, size_t cap,
                     unsigned char **out, size_t *out_len)
{
	unsigned char *p = buf + cap;
	size_t len = 0;
	int r = 0;
	for (size_t i = s->n_ips; r == 0 && i-- > 0;) {
		size_t n = s->ips[i].family == 4 ? 4 : s->ips[i].family == 6 ? 16 : 0;
		if (n == 0)
			return VOX_EINVAL;
		r = put_entry(&p, buf, MBEDTLS_X509_SAN_IP_ADDRESS, s->ips[i].ip, n, &len);
	}
	for (size_t i = s->n_uris; r == 0 && i-- > 0;)
		r = put_entry(&p, buf, MBEDTLS_X509_SAN_UNIFORM_RESOURCE_IDENTIFIER,
		              (const unsigned char *)s->uris[i], strlen(s->uris[i]), &len);
	for (size_t i = s->n_dns; r == 0 && i-- > 0;)
		r = put_entry(&p, buf, MBEDTLS_X509_SAN_DNS_NAME, (const unsigned char *)s->dns[i],
		              strlen(s->dns[i]), &len);
	if (r == 0) {
		int r1 = mbedtls_asn1_write_len(&p, buf, len);
		int r2 = r1 < 0 ? r1
		                : mbedtls_asn1_write_tag(
		                      &p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
		r = r2 < 0 ? r2 : 0;
		len += r < 0 ? 0 : (size_t)r1 + (size_t)r2;
	}
	if (r != 0)
		return VOX_ETOOLONG;
	*out = p;
	*out_len = len;
	return 0;
}

static int check_spec(const struct vox_tls_cert_spec *s, enum vox_tls_format fmt,
                      const struct vox_tls_cert_out *out)
{
	if (!s || !out || !out->key || !out->cert || (fmt != VOX_TLS_PEM && fmt != VOX_TLS_DER))
		return VOX_EINVAL;
	if (!cn_ok(s->cn) || s->not_after < s->not_before)
		return VOX_EINVAL;
	if ((s->n_dns && !s->dns) || (s->n_uris && !s->uris) || (s->n_ips && !s->ips))
		return VOX_EINVAL;
	for (size_t i = 0; i < s->n_dns; i++)
		if (!san_ok(s->dns[i], 0))
			return VOX_EINVAL;
	for (size_t i = 0; i < s->n_uris; i++)
		if (!san_ok(s->uris[i], 1))
			return VOX_EINVAL;
	if ((s->issuer_cert == NULL) != (s->issuer_key == NULL))
		return VOX_EINVAL;
	return 0;
}

/* mbedTLS's code to vox's: buffers too small, the rng, the rest. */
static int mbed_err(int r)
{
	switch (r) {
	case MBEDTLS_ERR_ASN1_BUF_TOO_SMALL:
	case MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL: return VOX_ENOSPC;
	case MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED: return VOX_ERNG;
	}
	return VOX_ECRYPTO;
}

/* The DER writers of mbedTLS put their output at the end of the buffer. */
static void der_to_front(uint8_t *buf, size_t cap, int n, size_t *len)
{
	memmove(buf, buf + cap - (size_t)n, (size_t)n);
	*len = (size_t)n;
}

struct maker {
	mbedtls_pk_context key, issuer_key;
	mbedtls_x509_crt issuer;
	mbedtls_x509write_cert w;
	mbedtls_mpi serial;
};

static int make(struct maker *m, const struct vox_tls_cert_spec *s, enum vox_tls_format fmt,
                struct vox_rng *rng, struct vox_tls_cert_out *out)
{
	char nb[15], na[15], subject[3 + 64 + 1], issuer_name[256];
	unsigned char san[1024], *san_p = NULL, rnd[16];
	size_t san_len = 0;
	int r;
	if (x509_time(s->not_before, nb) != 0 || x509_time(s->not_after, na) != 0)
		return VOX_EINVAL;
	if (s->n_dns + s->n_uris + s->n_ips > 0 &&
	    (r = write_san(s, san, sizeof san, &san_p, &san_len)) != 0)
		return r;
	memcpy(subject, "CN=", 3);
	memcpy(subject + 3, s->cn, strlen(s->cn) + 1);

	if ((r = mbedtls_pk_setup(&m->key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))) != 0 ||
	    (r = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(m->key), tls_mbed_rng,
	                             rng)) != 0)
		return mbed_err(r);
	mbedtls_pk_context *signer = &m->key;
	const char *iname = subject;
	if (s->issuer_cert) {
		if (tls_parse_crt(&m->issuer, s->issuer_cert, s->issuer_cert_len) != 0 ||
		    tls_parse_key(&m->issuer_key, s->issuer_key, s->issuer_key_len) != 0)
			return VOX_EMALFORMED;
		if (!m->issuer.ca_istrue ||
		    mbedtls_pk_check_pair(&m->issuer.pk, &m->issuer_key) != 0)
			return VOX_EINVAL;
		if (mbedtls_x509_dn_gets(issuer_name, sizeof issuer_name, &m->issuer.subject) < 0)
			return VOX_EINVAL;
		signer = &m->issuer_key;
		iname = issuer_name;
	}

	/* a positive serial of up to 127 random bits (RFC 5280 4.1.2.2) */
	if ((r = rng->fn(rng->ctx, rnd, sizeof rnd)) != 0)
		return VOX_ERNG;
	rnd[0] = (uint8_t)((rnd[0] & 0x7f) | 0x01);
	if ((r = mbedtls_mpi_read_binary(&m->serial, rnd, sizeof rnd)) != 0)
		return mbed_err(r);

	mbedtls_x509write_cert *w = &m->w;
	mbedtls_x509write_crt_set_version(w, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(w, &m->key);
	mbedtls_x509write_crt_set_issuer_key(w, signer);
	if ((r = mbedtls_x509write_crt_set_serial(w, &m->serial)) != 0 ||
	    (r = mbedtls_x509write_crt_set_validity(w, nb, na)) != 0)
		return mbed_err(r);
	if (mbedtls_x509write_crt_set_subject_name(w, subject) != 0 ||
	    mbedtls_x509write_crt_set_issuer_name(w, iname) != 0)
		return VOX_EINVAL;
	unsigned usage = s->ca ? MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN
	                       : MBEDTLS_X509_KU_DIGITAL_SIGNATURE;
	/* a CA here signs end-entity certificates only (pathLenConstraint 0) */
	if ((r = mbedtls_x509write_crt_set_basic_constraints(w, s->ca, s->ca ? 0 : -1)) != 0 ||
	    (r = mbedtls_x509write_crt_set_key_usage(w, usage)) != 0 ||
	    (r = mbedtls_x509write_crt_set_subject_key_identifier(w)) != 0 ||
	    (r = mbedtls_x509write_crt_set_authority_key_identifier(w)) != 0)
		return mbed_err(r);
	if (san_len > 0 &&
	    (r = mbedtls_x509write_crt_set_extension(w, MBEDTLS_OID_SUBJECT_ALT_NAME,
	                                             MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME),
	                                             0, san_p, san_len)) != 0)
		return mbed_err(r);

	/* PEM writers end with a NUL; len does not count it */
	if (fmt == VOX_TLS_PEM) {
		if ((r = mbedtls_x509write_crt_pem(w, out->cert, out->cert_cap, tls_mbed_rng,
		                                   rng)) != 0)
			return mbed_err(r);
		out->cert_len = strlen((const char *)out->cert);
		if ((r = mbedtls_pk_write_key_pem(&m->key, out->key, out->key_cap)) != 0)
			return mbed_err(r);
		out->key_len = strlen((const char *)out->key);
		return 0;
	}
	r = mbedtls_x509write_crt_der(w, out->cert, out->cert_cap, tls_mbed_rng, rng);
	if (r < 0)
		return mbed_err(r);
	der_to_front(out->cert, out->cert_cap, r, &out->cert_len);
	r = mbedtls_pk_write_key_der(&m->key, out->key, out->key_cap);
	if (r < 0)
		return mbed_err(r);
	der_to_front(out->key, out->key_cap, r, &out->key_len);
	return 0;
}

int vox_tls_cert_make(const struct vox_tls_cert_spec *spec, enum vox_tls_format fmt,
                      struct vox_rng rng, struct vox_tls_cert_out *out)
{
	int r = check_spec(spec, fmt, out);
	if (r != 0)
		return r;
	if (!rng.fn)
		return VOX_EINVAL;
	struct maker m;
	mbedtls_pk_init(&m.key);
	mbedtls_pk_init(&m.issuer_key);
	mbedtls_x509_crt_init(&m.issuer);
	mbedtls_x509write_crt_init(&m.w);
	mbedtls_mpi_init(&m.serial);
	r = make(&m, spec, fmt, &rng, out);
	mbedtls_x509write_crt_free(&m.w);
	mbedtls_mpi_free(&m.serial);
	mbedtls_x509_crt_free(&m.issuer);
	mbedtls_pk_free(&m.issuer_key);
	mbedtls_pk_free(&m.key);
	if (r != 0) {
		vox_wipe(out->key, out->key_cap);
		out->key_len = 0;
		out->cert_len = 0;
	}
	return r;
}

#endif /* VOX_WITH_TLS */
