/* Secret directories: name mapping, dotfiles, subdirectories,
 * duplicates, precedence between directories, hostile entries, the
 * Kubernetes atomic-writer layout and its rotation while being read. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "file.h"
#include "vars.h"
#include "stage.h"
#include "tap.h"

static char top[] = "/tmp/ws-t-secretdir.XXXXXX";
static struct ws_opts opts;
static struct ws_settings set;
static struct ws_run run;
static char *defaults[4];
static char *environ_in[4];

static void
die(const char *what)
{
	perror(what);
	exit(99);
}

static char *
at(const char *rel)
{
	return ws_xasprintf("%s/%s", top, rel);
}

static void
put(const char *rel, const char *data, size_t n, mode_t mode)
{
	char *path = at(rel);
	int fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n)
		die(path);
	close(fd);
	if (chmod(path, mode) != 0)
		die(path);
	free(path);
}

static void
mkd(const char *rel)
{
	char *path = at(rel);

	if (mkdir(path, 0755) != 0)
		die(path);
	free(path);
}

static void
lnk(const char *target, const char *rel)
{
	char *path = at(rel);

	if (symlink(target, path) != 0)
		die(path);
	free(path);
}

/* A fresh run: -s DIRS (NULL-terminated) over the default dirs. */
static int
load(int no_defaults, char **dirs)
{
	size_t n = 0;

	ws_store_free(run.store);
	ws_intern_free();
	ws_file_check_modes(0);	/* forget the files noted so far */
	ws_diag_reset();
	memset(&opts, 0, sizeof(opts));
	while (dirs != NULL && dirs[n] != NULL)
		n++;
	opts.secrets_dirs = dirs;
	opts.n_secrets_dirs = n;
	opts.no_default_secrets_dirs = no_defaults;
	run.opts = &opts;
	run.set = &set;
	run.environ_in = environ_in;
	run.store = ws_store_new();
	return status_of(ws_secretdirs_load, &run);
}

static int
load1(const char *rel)
{
	char *dirs[2];
	int rc;

	dirs[0] = at(rel);
	dirs[1] = NULL;
	rc = load(1, dirs);
	free(dirs[0]);
	return rc;
}

/* The value the command would get for name, or NULL. */
static const char *
val(const char *name)
{
	struct ws_var *v = ws_store_get(run.store, name, strlen(name));

	for (; v != NULL; v = v->next_in_name)
		if (!(v->flags & WS_VAR_SKIPPED))
			return v->value;
	return NULL;
}

static int
has_rule(const char *rule)
{
	const struct ws_finding *f;
	size_t i;

	for (i = 0; (f = ws_finding_at(i)) != NULL; i++)
		if (strcmp(f->rule, rule) == 0)
			return 1;
	return 0;
}

static size_t
n_errors(void)
{
	return ws_diag_count(WS_SEV_ERROR);
}

static void
test_mapping(void)
{
	struct ws_var *v;
	char *want;

	mkd("map");
	put("map/db-password", "pw\n", 3, 0444);
	put("map/api.token", "tok\r\n\n", 6, 0400);
	put("map/MixedCase", "m", 1, 0644);
	put("map/already_UPPER", "u", 1, 0644);
	put("map/.hidden", "h", 1, 0644);
	put("map/1st", "x", 1, 0644);
	put("map/with space", "x", 1, 0644);
	put("map/empty", "", 0, 0644);
	mkd("map/sub");
	put("map/sub/inner", "i", 1, 0644);
	mkd("map/.git");

	is_int(load1("map"), 0, "a plain directory loads");
	is_int(n_errors(), 0, "without errors");
	is_str(val("DB_PASSWORD"), "pw", "db-password -> DB_PASSWORD, "
	    "newline stripped");
	is_str(val("API_TOKEN"), "tok", "api.token -> API_TOKEN, CRLF and "
	    "LF stripped");
	is_str(val("MIXEDCASE"), "m", "upper-cased");
	is_str(val("ALREADY_UPPER"), "u", "underscores kept");
	is_str(val("EMPTY"), "", "an empty file is an empty value");
	ok(val("_HIDDEN") == NULL && val("HIDDEN") == NULL &&
	    val(".hidden") == NULL, "dotfiles are skipped");
	ok(val("SUB") == NULL && val("INNER") == NULL,
	    "subdirectories are not entered");
	ok(ws_store_get(run.store, "SUB", 3) == NULL,
	    "and not recorded");

	v = ws_store_get(run.store, "1ST", 3);
	ok(v != NULL && (v->flags & WS_VAR_SKIPPED) && val("1ST") == NULL,
	    "a name starting with a digit is recorded as skipped");
	want = at("map/1st");
	is_str(v ? v->file_path : NULL, want, "with its path, for explain");
	free(want);
	v = ws_store_get(run.store, "WITH SPACE", 10);
	ok(v != NULL && (v->flags & WS_VAR_SKIPPED),
	    "a name with a space is recorded as skipped");
	ok(has_rule("skipped"), "an info finding says so");

	v = ws_store_get(run.store, "DB_PASSWORD", 11);
	want = at("map/db-password");
	is_str(v ? v->file_path : NULL, want, "file_path is DIR/entry");
	free(want);
	ok(v != NULL && (v->flags & WS_VAR_SECRET) &&
	    v->src->kind == WS_KIND_SECRET_DIR,
	    "entries are secrets from a secret-dir source");
	ws_file_check_modes(1);
	ok(!has_rule("file-mode"), "0444, 0400 and 0644 are accepted "
	    "in strict mode");
}

static void
test_duplicates(void)
{
	mkd("dup");
	put("dup/db-password", "a", 1, 0644);
	put("dup/db.password", "b", 1, 0644);
	put("dup/DB_PASSWORD", "c", 1, 0644);
	put("dup/other", "o", 1, 0644);
	is_int(load1("dup"), WS_EX_POLICY, "two entries mapping to one "
	    "name: 78");
	ok(has_rule("duplicate-name"), "reported as duplicate-name");
	ok(val("DB_PASSWORD") == NULL, "neither is used");
	is_str(val("OTHER"), "o", "the rest of the directory is read");
}

static void
test_precedence(void)
{
	char *dirs[3];
	struct ws_var *v;

	mkd("a");
	mkd("b");
	mkd("creds");
	mkd("default");
	put("a/token", "from-a", 6, 0644);
	put("a/only_a", "A", 1, 0644);
	put("b/token", "from-b", 6, 0644);
	put("creds/token", "from-creds", 10, 0400);
	put("creds/cred_only", "C", 1, 0400);
	put("default/token", "from-default", 12, 0444);
	put("default/default_only", "D", 1, 0444);

	dirs[0] = at("a");
	dirs[1] = at("b");
	dirs[2] = NULL;
	is_int(load(1, dirs), 0, "two -s directories");
	is_str(val("TOKEN"), "from-b", "the later -s directory wins");
	is_str(val("ONLY_A"), "A", "names of the earlier one are kept");
	v = ws_store_get(run.store, "TOKEN", 5);
	ok(v != NULL && v->next_in_name != NULL &&
	    strcmp(v->next_in_name->value, "from-a") == 0,
	    "the earlier one is shadowed, not dropped");

	defaults[0] = at("default");
	defaults[1] = at("default-missing");
	defaults[2] = NULL;
	environ_in[0] = ws_xasprintf("CREDENTIALS_DIRECTORY=%s/creds", top);
	environ_in[1] = NULL;
	is_int(load(0, NULL), 0, "defaults: secrets-dirs and "
	    "$CREDENTIALS_DIRECTORY; a missing default is skipped");
	is_str(val("TOKEN"), "from-creds", "$CREDENTIALS_DIRECTORY beats "
	    "secrets-dirs");
	is_str(val("DEFAULT_ONLY"), "D", "secrets-dirs is read");
	is_str(val("CRED_ONLY"), "C", "$CREDENTIALS_DIRECTORY is read");

	is_int(load(0, dirs), 0, "defaults and -s together");
	is_str(val("TOKEN"), "from-b", "-s beats the defaults");
	is_str(val("CRED_ONLY"), "C", "defaults still read");

	is_int(load(1, dirs), 0, "--no-default-secrets-dirs");
	ok(val("CRED_ONLY") == NULL && val("DEFAULT_ONLY") == NULL,
	    "drops secrets-dirs and $CREDENTIALS_DIRECTORY");

	free(environ_in[0]);
	environ_in[0] = ws_xasprintf("CREDENTIALS_DIRECTORY=%s/nope", top);
	is_int(load(0, NULL), 0, "a $CREDENTIALS_DIRECTORY that does not "
	    "exist is skipped");
	free(environ_in[0]);
	environ_in[0] = NULL;
	free(defaults[0]);
	free(defaults[1]);
	defaults[0] = NULL;

	free(dirs[1]);
	dirs[1] = at("no-such-dir");
	is_int(load(1, dirs), WS_EX_NOINPUT, "a named -s directory that does "
	    "not exist: 66");
	is_str(val("ONLY_A"), "A", "the others are still read");
	free(dirs[1]);
	dirs[1] = at("a/token");
	is_int(load(1, dirs), WS_EX_NOINPUT, "-s naming a file: 66");
	free(dirs[0]);
	free(dirs[1]);
}

static void
test_hostile(void)
{
	struct sockaddr_un sa;
	char *path, *big;
	int s;

	mkd("h");
	put("h/good", "g", 1, 0644);
	path = at("h/fifo");
	if (mkfifo(path, 0644) != 0)
		die(path);
	free(path);
	alarm(10);	/* a FIFO that blocks fails the test, not hangs it */
	is_int(load1("h"), WS_EX_NOINPUT, "a FIFO: 66, without blocking");
	alarm(0);
	ok(has_rule("not-regular"), "reported as not-regular");
	is_str(val("GOOD"), "g", "the other entries are read");
	path = at("h/fifo");
	unlink(path);
	free(path);

	path = at("h/real-fifo");
	if (mkfifo(path, 0644) != 0)
		die(path);
	free(path);
	lnk("real-fifo", "h/link-to-fifo");
	alarm(10);
	is_int(load1("h"), WS_EX_NOINPUT, "a link to a FIFO: 66, without "
	    "blocking");
	alarm(0);
	ok(has_rule("not-regular"), "reported as not-regular");
	path = at("h/real-fifo");
	unlink(path);
	free(path);
	path = at("h/link-to-fifo");
	unlink(path);
	free(path);

	lnk("../h/good", "h/out-and-back");
	is_int(load1("h"), WS_EX_PERM, "a link passing outside and back: 77");
	path = at("h/out-and-back");
	unlink(path);
	free(path);

	path = at("h/sock");
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		die(path);
	is_int(load1("h"), WS_EX_NOINPUT, "a socket: 66");
	close(s);
	unlink(path);
	free(path);

	lnk("/dev/null", "h/devnull");
	is_int(load1("h"), WS_EX_PERM, "a link to a device outside: 77");
	ok(has_rule("symlink-escape") && !has_rule("not-regular"),
	    "refused as symlink-escape, without a look at the device");
	path = at("h/devnull");
	unlink(path);
	free(path);

	lnk("/etc/passwd", "h/escape");
	is_int(load1("h"), WS_EX_PERM, "an absolute link out: 77");
	ok(has_rule("symlink-escape"), "reported as symlink-escape");
	path = at("h/escape");
	unlink(path);
	free(path);
	put("outside", "o", 1, 0644);
	lnk("../outside", "h/escape");
	is_int(load1("h"), WS_EX_PERM, "a relative link out: 77");
	path = at("h/escape");
	unlink(path);
	free(path);
	lnk("/proc/self/environ", "h/environ");
	is_int(load1("h"), WS_EX_PERM, "a link to /proc/self/environ: 77");
	path = at("h/environ");
	unlink(path);
	free(path);

	lnk("good", "h/alias");
	is_int(load1("h"), 0, "a link inside the directory is followed");
	is_str(val("ALIAS"), "g", "with the target's content");
	lnk("sub", "h/subl");
	mkd("h/sub");
	is_int(load1("h"), 0, "a link to a subdirectory is skipped");

	put("h/nul", "a\0b", 3, 0644);
	is_int(load1("h"), WS_EX_DATAERR, "a NUL byte: 65");
	ok(has_rule("nul-byte"), "reported as nul-byte");
	path = at("h/nul");
	unlink(path);
	free(path);

	big = malloc(70000);
	memset(big, 'a', 70000);
	put("h/big", big, 70000, 0644);
	free(big);
	is_int(load1("h"), WS_EX_DATAERR, "over max-secret-size: 65");
	set.max_secret_size = 70000;
	is_int(load1("h"), 0, "at max-secret-size: read");
	set.max_secret_size = 65536;
	path = at("h/big");
	unlink(path);
	free(path);

	put("h/ww", "w", 1, 0646);
	is_int(load1("h"), WS_EX_PERM, "a world-writable file: 77");
	path = at("h/ww");
	unlink(path);
	free(path);

	put("h/gw", "w", 1, 0664);
	is_int(load1("h"), 0, "a group-writable file is read");
	ws_file_check_modes(0);
	is_int(ws_diag_count(WS_SEV_WARNING), 1, "and warned about when "
	    "lenient");
	is_int(load1("h"), 0, "again");
	ws_file_check_modes(1);
	is_int(ws_diag_status(), WS_EX_PERM, "and refused when strict (77)");
	path = at("h/gw");
	unlink(path);
	free(path);

	path = at("h");
	chmod(path, 0777);
	is_int(load1("h"), WS_EX_PERM, "a world-writable directory without "
	    "the sticky bit: 77");
	ok(val("GOOD") == NULL, "and nothing of it is read");
	chmod(path, 01777);
	is_int(load1("h"), 0, "with the sticky bit it is read");
	chmod(path, 0755);
	free(path);
}

/* Kubernetes' atomic writer, as kubelet lays it out. */
static void
test_kubernetes(void)
{
	struct ws_var *v;
	char *want;

	mkd("k8s");
	mkd("k8s/..2026_01_01_00_00_00.123456789");
	put("k8s/..2026_01_01_00_00_00.123456789/username", "admin\n", 6, 0644);
	put("k8s/..2026_01_01_00_00_00.123456789/db-password", "k8s-pw", 6,
	    0644);
	mkd("k8s/..2026_01_01_00_00_00.123456789/nested");
	put("k8s/..2026_01_01_00_00_00.123456789/nested/deep", "d", 1, 0644);
	lnk("..2026_01_01_00_00_00.123456789", "k8s/..data");
	lnk("..data/username", "k8s/username");
	lnk("..data/db-password", "k8s/db-password");
	lnk("..data/nested", "k8s/nested");

	is_int(load1("k8s"), 0, "the Kubernetes layout loads");
	is_int(n_errors(), 0, "without errors");
	is_str(val("USERNAME"), "admin", "KEY -> ..data/KEY is read");
	is_str(val("DB_PASSWORD"), "k8s-pw", "and mapped");
	ok(val("NESTED") == NULL && val("DEEP") == NULL,
	    "a nested directory is not entered");
	ok(val("__DATA") == NULL && ws_store_count(run.store) == 2,
	    "..data and the generation are not variables");
	v = ws_store_get(run.store, "USERNAME", 8);
	want = at("k8s/username");
	is_str(v ? v->file_path : NULL, want, "shown as DIR/KEY");
	free(want);

	/* An update in progress: the new generation has "added" but not
	 * "username"; the links have not been updated yet. */
	mkd("k8s/..2026_01_02_00_00_00.000000001");
	put("k8s/..2026_01_02_00_00_00.000000001/db-password", "new-pw", 6,
	    0644);
	put("k8s/..2026_01_02_00_00_00.000000001/added", "a", 1, 0644);
	lnk("..2026_01_02_00_00_00.000000001", "k8s/..data_tmp");
	want = at("k8s/..data_tmp");
	{
		char *to = at("k8s/..data");

		if (rename(want, to) != 0)
			die(to);
		free(to);
	}
	free(want);
	is_int(load1("k8s"), 0, "mid-update: loads");
	is_str(val("DB_PASSWORD"), "new-pw", "values of the new generation");
	is_str(val("ADDED"), "a", "a key without its link yet is read");
	ok(val("USERNAME") == NULL, "a key the generation dropped is gone");
	is_int(n_errors(), 0, "without errors");

	lnk("/etc", "k8s/..data_tmp");
	want = at("k8s/..data_tmp");
	{
		char *to = at("k8s/..data");

		if (rename(want, to) != 0)
			die(to);
		free(to);
	}
	free(want);
	is_int(load1("k8s"), WS_EX_PERM, "..data pointing out: 77");
}

/*
 * Rotation while reading: a child publishes generation after generation
 * (each holds KEYS files all with the generation's number) and deletes
 * the old ones, as kubelet does; every load must see one generation.
 */
#define KEYS	24
static void
rotate_forever(void)
{
	char gen[64], path[128], tmp[128], dat[128], old[64] = "";
	unsigned long g;
	int k;

	snprintf(dat, sizeof(dat), "%s/rot/..data", top);
	snprintf(tmp, sizeof(tmp), "%s/rot/..data_tmp", top);
	for (g = 2; ; g++) {
		snprintf(gen, sizeof(gen), "..gen_%lu", g);
		snprintf(path, sizeof(path), "%s/rot/%s", top, gen);
		if (mkdir(path, 0755) != 0)
			_exit(1);
		for (k = 0; k < KEYS; k++) {
			char f[160], data[32];
			int fd, n;

			snprintf(f, sizeof(f), "%s/key%d", path, k);
			n = snprintf(data, sizeof(data), "%lu", g);
			fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			if (fd < 0 || write(fd, data, (size_t)n) != n)
				_exit(1);
			close(fd);
		}
		(void)unlink(tmp);
		if (symlink(gen, tmp) != 0 || rename(tmp, dat) != 0)
			_exit(1);
		if (old[0] != '\0') {
			for (k = 0; k < KEYS; k++) {
				snprintf(path, sizeof(path), "%s/rot/%s/key%d",
				    top, old, k);
				(void)unlink(path);
			}
			snprintf(path, sizeof(path), "%s/rot/%s", top, old);
			(void)rmdir(path);
		}
		memcpy(old, gen, sizeof(old));
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_rotation(void)
{
	char name[16], *first;
	unsigned long loads = 0, mixed = 0, incomplete = 0, errors = 0;
	double end;
	pid_t pid;
	int k, status;

	mkd("rot");
	mkd("rot/..gen_1");
	for (k = 0; k < KEYS; k++) {
		snprintf(name, sizeof(name), "..gen_1/key%d", k);
		{
			char *rel = ws_xasprintf("rot/%s", name);

			put(rel, "1", 1, 0644);
			free(rel);
		}
		snprintf(name, sizeof(name), "key%d", k);
		{
			char *rel = ws_xasprintf("rot/%s", name);
			char *target = ws_xasprintf("..data/%s", name);

			lnk(target, rel);
			free(rel);
			free(target);
		}
	}
	lnk("..gen_1", "rot/..data");
	fflush(stdout);
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0)
		rotate_forever();
	end = now() + 1.5;
	while (now() < end) {
		if (load1("rot") != 0)
			errors++;
		loads++;
		first = NULL;
		for (k = 0; k < KEYS; k++) {
			const char *v;

			snprintf(name, sizeof(name), "KEY%d", k);
			if ((v = val(name)) == NULL) {
				incomplete++;
				break;
			}
			if (first == NULL)
				first = (char *)v;
			else if (strcmp(first, v) != 0) {
				mixed++;
				break;
			}
		}
		ws_secmem_wipe_all();	/* keep the arena small */
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ok(loads > 20, "rotation: %lu loads while a writer rotates", loads);
	is_int(mixed, 0, "every load sees one generation");
	is_int(incomplete, 0, "every load sees every key");
	is_int(errors, 0, "no load fails");
}

/* Directories of a few entries are sorted by insertion, larger ones by
 * qsort: either way the variables come in name order, and the entries
 * that map to one name are refused, whatever the creation order. */
static void
test_order(void)
{
	static const char *const names[] = { "b", "a-x", "a.x", "c", "A_X",
	    "d_1", "d-2", "e", "zz", "y", "x.y", "m", "n", "o", "p", "q", "r",
	    "s", "t", "u", "v", "w", "k-k", "k_k", "j", "i", "h", "g", "f",
	    "aa", "ab", NULL };
	static const int sizes[] = { 2, 3, 5, 9, 16, 17, 24, 31 };
	char rel[64], dir[32], prev[64];
	size_t nn, s, i, it;
	unsigned bad = 0, seed = 7;
	struct ws_var *v;

	for (nn = 0; names[nn] != NULL; nn++)
		;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = (size_t)sizes[s], order[64], k, tmp;

		snprintf(dir, sizeof(dir), "order%zu", s);
		mkd(dir);
		/* the first n names, created in a shuffled order */
		for (i = 0; i < n; i++)
			order[i] = i;
		for (i = n - 1; i > 0; i--) {
			seed = seed * 1103515245u + 12345u;
			k = (seed >> 8) % (i + 1);
			tmp = order[i];
			order[i] = order[k];
			order[k] = tmp;
		}
		for (i = 0; i < n; i++) {
			snprintf(rel, sizeof(rel), "%s/%s", dir,
			    names[order[i]]);
			put(rel, "v", 1, 0644);
		}
		(void)load1(dir);
		prev[0] = '\0';
		it = 0;
		while ((v = ws_store_next(run.store, &it)) != NULL) {
			if (strcmp(prev, v->name) >= 0)
				bad++;
			snprintf(prev, sizeof(prev), "%s", v->name);
			/* a-x, a.x (and A_X) from 3 names on, k-k and k_k
			 * from 24 on: refused (d_1 and d-2 are apart) */
			if ((n >= 3 && strcmp(v->name, "A_X") == 0) ||
			    (n >= 24 && strcmp(v->name, "K_K") == 0))
				bad += val(v->name) != NULL;
		}
		if (n >= 3 && !has_rule("duplicate-name"))
			bad++;
	}
	is_int(bad, 0, "variables in name order, duplicates refused, "
	    "by insertion and by qsort");
}

static void
test_many(void)
{
	char rel[64];
	double t0, t1;
	int i, missing = 0;

	mkd("many");
	for (i = 0; i < 1000; i++) {
		snprintf(rel, sizeof(rel), "many/secret_%04d", i);
		put(rel, rel, strlen(rel), 0444);
	}
	t0 = now();
	is_int(load1("many"), 0, "1,000 files");
	t1 = now();
	for (i = 0; i < 1000; i++) {
		snprintf(rel, sizeof(rel), "SECRET_%04d", i);
		if (val(rel) == NULL)
			missing++;
	}
	is_int(missing, 0, "all 1,000 are read");
	printf("# 1,000 files read in %.2f ms\n", (t1 - t0) * 1e3);
}

int
main(void)
{
	char *cmd;

	ws_secmem_init();
	if (mkdtemp(top) == NULL)
		die("mkdtemp");
	chmod(top, 0755);
	(void)!freopen("/dev/null", "w", stderr);
	set.max_secret_size = 65536;
	set.secrets_dirs = defaults;

	test_mapping();
	test_duplicates();
	test_precedence();
	test_hostile();
	test_kubernetes();
	test_rotation();
	test_order();
	test_many();

	ws_store_free(run.store);
	ws_diag_reset();
	ws_intern_free();
	ws_secmem_wipe_all();
	cmd = ws_xasprintf("chmod -R u+rwX '%s'; rm -rf '%s'", top, top);
	(void)!system(cmd);
	free(cmd);
	return done_testing();
}
