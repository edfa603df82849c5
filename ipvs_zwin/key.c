// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: the keys of a namespace.
 *
 * A namespace starts with a random cookie key of its own. Directors that
 * share clients (active/active behind ECMP, or an active/backup pair whose
 * proxied connections must survive a failover) are given one cluster key
 * instead, written to net.ipv4.vs.zwin_cookie_key:
 *
 *   KEY           32 hex digits (dashes anywhere are ignored)
 *   KEY,PREVIOUS  during a rotation: KEY makes cookies, both check them
 *   random        back to a random key of the namespace's own
 *
 * The file is write-only, for root too (mode 0200: sysctl -a skips it),
 * and reading it through the handler fails as well. What can be read is
 * net.ipv4.vs.zwin_cookie_key_fp: a 32-bit fingerprint of each key (a
 * keyed hash of it, which reveals nothing usable about the key) or
 * "random", so that operators can compare directors.
 *
 * From a cluster key the module derives the key of failover records
 * (sync.c) and the timestamp clock's offset; with it, cookies and
 * timestamps count wall-clock time, which directors agree on, instead of
 * the namespace's uptime.
 */

#include <linux/ctype.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/sysctl.h>

#include "zwin.h"

#define ZWIN_KEY_HEX		(2 * sizeof(siphash_key_t))
/* two keys with dashes, a comma and a newline, with room to spare */
#define ZWIN_KEY_TEXT_MAX	128

/* Domain separation of what is derived from a cookie key. */
enum {
	ZWIN_DERIVE_RECORD0 = 1,
	ZWIN_DERIVE_RECORD1,
	ZWIN_DERIVE_TS,
	ZWIN_DERIVE_FP,
};

/* Fills the derived fields of @k from k->cookie[] and k->n. */
static void zwin_keys_derive(struct zwin_keys *k)
{
	unsigned int i;

	for (i = 0; i < k->n; i++) {
		k->record[i].key[0] = siphash_1u64(ZWIN_DERIVE_RECORD0,
						   &k->cookie[i]);
		k->record[i].key[1] = siphash_1u64(ZWIN_DERIVE_RECORD1,
						   &k->cookie[i]);
		k->fp[i] = (u32)siphash_1u64(ZWIN_DERIVE_FP, &k->cookie[i]);
	}
	k->ts_base = (u32)siphash_1u64(ZWIN_DERIVE_TS, &k->cookie[0]);
}

/* Publishes @k as @zn's keys. */
static void zwin_keys_publish(struct zwin_net *zn, const struct zwin_keys *k)
{
	/* readers run in softirq: they must not interrupt a writer */
	write_seqlock_bh(&zn->key_lock);
	zn->keys = *k;
	write_sequnlock_bh(&zn->key_lock);
}

/* A random key of @zn's own, with a random timestamp offset. */
static void zwin_keys_random(struct zwin_keys *k)
{
	memset(k, 0, sizeof(*k));
	get_random_bytes(&k->cookie[0], sizeof(k->cookie[0]));
	k->n = 1;
	zwin_keys_derive(k);
	k->ts_base = get_random_u32();
}

/**
 * zwin_keys_init() - a new namespace's random key
 * @zn: the namespace's proxy state
 */
void zwin_keys_init(struct zwin_net *zn)
{
	seqlock_init(&zn->key_lock);
	zwin_keys_random(&zn->keys);
}

/**
 * zwin_keys_set() - install the operator's cluster key(s)
 * @zn: the namespace's proxy state
 * @keys: the key that makes cookies, then the previous one if @n is 2
 * @n: 1 or 2; 0 goes back to a random key of the namespace's own
 *
 * Return: 0, or -EINVAL for another @n.
 */
int zwin_keys_set(struct zwin_net *zn, const siphash_key_t *keys,
		  unsigned int n)
{
	struct zwin_keys k;

	if (n > ARRAY_SIZE(k.cookie))
		return -EINVAL;
	if (!n) {
		zwin_keys_random(&k);
	} else {
		memset(&k, 0, sizeof(k));
		memcpy(k.cookie, keys, n * sizeof(*keys));
		k.n = n;
		k.shared = true;
		zwin_keys_derive(&k);
	}
	zwin_keys_publish(zn, &k);
	memzero_explicit(&k, sizeof(k));
	return 0;
}

/* One key: exactly 32 hex digits, dashes ignored; 0 or -EINVAL. */
static int zwin_key_parse_one(const char *s, size_t len, siphash_key_t *key)
{
	char hex[ZWIN_KEY_HEX];
	u8 raw[sizeof(siphash_key_t)];
	size_t i, n = 0;
	int err = -EINVAL;

	for (i = 0; i < len; i++) {
		if (s[i] == '-')
			continue;
		if (!isxdigit(s[i]) || n == ZWIN_KEY_HEX)
			goto out;
		hex[n++] = s[i];
	}
	if (n != ZWIN_KEY_HEX || hex2bin(raw, hex, sizeof(raw)))
		goto out;
	/* the same key on every architecture */
	key->key[0] = get_unaligned_be64(raw);
	key->key[1] = get_unaligned_be64(raw + 8);
	/* an all-zero key is a mistake, not a secret */
	if (key->key[0] || key->key[1])
		err = 0;
out:
	memzero_explicit(hex, sizeof(hex));
	memzero_explicit(raw, sizeof(raw));
	return err;
}

/**
 * zwin_key_parse() - parse what was written to zwin_cookie_key
 * @s: the text, NUL-terminated; surrounding white space is ignored
 * @keys: two keys, filled in order
 *
 * Return: the number of keys (1 or 2), 0 for "random", or -EINVAL.
 */
int zwin_key_parse(const char *s, siphash_key_t *keys)
{
	const char *end, *comma;
	int err;

	s = skip_spaces(s);
	end = s + strlen(s);
	while (end > s && isspace(end[-1]))
		end--;
	if (end - s == 6 && !strncmp(s, "random", 6))
		return 0;
	comma = memchr(s, ',', end - s);
	err = zwin_key_parse_one(s, (comma ? comma : end) - s, &keys[0]);
	if (err || !comma)
		return err ? err : 1;
	err = zwin_key_parse_one(comma + 1, end - comma - 1, &keys[1]);
	return err ? err : 2;
}

/**
 * zwin_key_sysctl() - handler of net.ipv4.vs.zwin_cookie_key (write-only)
 * @ctl: the table entry, .data the namespace's struct zwin_net
 * @write: reads fail with -EPERM
 * @buffer: the text written
 * @lenp: its length
 * @ppos: file position
 *
 * Return: 0 or a negative errno; the keys change only on success.
 */
int zwin_key_sysctl(zwin_ctl_table_t *ctl, int write, void *buffer,
		    size_t *lenp, loff_t *ppos)
{
	struct zwin_net *zn = ctl->data;
	char text[ZWIN_KEY_TEXT_MAX] = "";
	struct ctl_table tbl = {
		.data	= text,
		.maxlen	= sizeof(text),
	};
	siphash_key_t keys[2];
	int n;

	if (!write)
		return -EPERM;
	n = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (!n) {
		n = zwin_key_parse(text, keys);
		if (n >= 0)
			n = zwin_keys_set(zn, keys, n);
	}
	memzero_explicit(text, sizeof(text));
	memzero_explicit(keys, sizeof(keys));
	return n;
}

/**
 * zwin_key_fp_sysctl() - handler of net.ipv4.vs.zwin_cookie_key_fp
 * @ctl: the table entry, .data the namespace's struct zwin_net
 * @write: read-only (the table's mode)
 * @buffer: where the text goes
 * @lenp: its length
 * @ppos: file position
 *
 * Shows "random", or the fingerprint of the key that makes cookies and,
 * during a rotation, ",", the previous key's.
 *
 * Return: 0 or a negative errno.
 */
int zwin_key_fp_sysctl(zwin_ctl_table_t *ctl, int write, void *buffer,
		       size_t *lenp, loff_t *ppos)
{
	struct zwin_net *zn = ctl->data;
	char text[32];
	struct ctl_table tbl = {
		.data	= text,
		.maxlen	= sizeof(text),
	};
	unsigned int seq;
	u32 fp[2];
	bool shared;
	u8 n;

	if (write)
		return -EPERM;
	do {
		seq = read_seqbegin(&zn->key_lock);
		shared = zn->keys.shared;
		n = zn->keys.n;
		fp[0] = zn->keys.fp[0];
		fp[1] = zn->keys.fp[1];
	} while (read_seqretry(&zn->key_lock, seq));
	if (!shared)
		strscpy(text, "random", sizeof(text));
	else if (n == 2)
		snprintf(text, sizeof(text), "%08x,%08x", fp[0], fp[1]);
	else
		snprintf(text, sizeof(text), "%08x", fp[0]);
	return proc_dostring(&tbl, write, buffer, lenp, ppos);
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/key_test.c"
#endif
