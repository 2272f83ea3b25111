/*
 * The .env parser: every syntax rule of SPEC §4.4 and the conformance
 * README, error lines, interpolation operators, bounds, lookups under
 * the precedence, and that no finding holds a value.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "vars.h"
#include "dotenv.h"
#include "resolve.h"
#include "stage.h"
#include "tap.h"

/* -C: the current directory, as ws_opts_parse() makes it */
static char dot_dir[] = ".";
static char *current_dir[] = { dot_dir, NULL };

static char e1[] = "PROC=from-process", e2[] = "EMPTY=", e3[] = "X=env-x",
    e4[] = "SECRETVAR=hunter2-marker";
static char *fake_environ[] = { e1, e2, e3, e4, NULL };

static struct ws_opts opts;
static struct ws_run run;
static struct ws_source *file_src;

/* A fresh run: the inherited environment above, then one .env file. */
static void
reset(int override)
{
	struct ws_source *inh;
	char **e;

	if (run.store != NULL)
		ws_store_free(run.store);
	ws_diag_reset();
	memset(&opts, 0, sizeof(opts));
	opts.override = override;
	opts.no_config = 1;
	opts.no_layers = 1;
	opts.dirs = current_dir;
	opts.n_dirs = 1;
	opts.dir = current_dir[0];
	run.opts = &opts;
	run.environ_in = fake_environ;
	run.store = ws_store_new();
	inh = ws_store_source(run.store, WS_KIND_INHERITED, NULL,
	    override ? WS_RANK_INHERITED_OVERRIDE : WS_RANK_INHERITED);
	for (e = fake_environ; *e != NULL; e++) {
		const char *eq = strchr(*e, '=');
		size_t n = (size_t)(eq - *e);

		ws_store_add(run.store, inh, ws_intern(*e, n), n, eq + 1,
		    strlen(eq + 1), 0, 0);
	}
	file_src = ws_store_source(run.store, WS_KIND_ENV_FILE, "test.env",
	    WS_RANK_ENV_FILE);
}

/* What the parser is given to read into src of the run's store. */
static struct ws_dotenv_in
in_of(struct ws_source *src)
{
	struct ws_dotenv_in in = { run.store, src, run.set->max_secret_size,
	    run.environ_in, ws_lookup, &run };

	return in;
}

/* Parse text (copied into guarded memory) as test.env. */
static int
parse_n(const char *text, size_t n)
{
	struct ws_dotenv_in in = in_of(file_src);
	char *buf = ws_arena_alloc(&ws_work, n + 1);

	memcpy(buf, text, n);
	buf[n] = '\0';
	return ws_dotenv_parse(&in, "test.env", buf, n);
}

static int
parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static int
parse_fresh(const char *text)
{
	reset(0);
	return parse(text);
}

/* The value name has in the file, or NULL. */
static const char *
get(const char *name)
{
	struct ws_var *v = ws_store_get_in(run.store, file_src, name,
	    strlen(name));

	if (v == NULL || (v->flags & WS_VAR_NO_VALUE))
		return NULL;
	return v->value;
}

static unsigned
line_of(const char *name)
{
	struct ws_var *v = ws_store_get_in(run.store, file_src, name,
	    strlen(name));

	return v ? v->line : 0;
}

/* Does any finding's source end with ":line" and have this rule? */
static int
finding_at(const char *rule, unsigned line)
{
	char want[32];
	size_t i, wl;

	snprintf(want, sizeof(want), "test.env:%u", line);
	wl = strlen(want);
	for (i = 0; i < ws_finding_count(); i++) {
		const struct ws_finding *f = ws_finding_at(i);

		if (f->source != NULL && strcmp(f->rule, rule) == 0 &&
		    strlen(f->source) >= wl && strcmp(f->source, want) == 0)
			return 1;
	}
	return 0;
}

/* No finding so far contains marker. */
static int
no_leak(const char *marker)
{
	size_t i;

	for (i = 0; i < ws_finding_count(); i++) {
		const struct ws_finding *f = ws_finding_at(i);

		if ((f->message && strstr(f->message, marker)) ||
		    (f->source && strstr(f->source, marker)) ||
		    (f->name && strstr(f->name, marker)))
			return 0;
	}
	return 1;
}

static void
test_basics(void)
{
	is_int(parse_fresh(""), 0, "an empty file");
	is_int(parse_fresh("\n\n  \n\t\n \t \n"), 0, "blank lines only");
	parse_fresh("A=1\nB=two words\nlower=x\n_U=u\n1ABC=d\n");
	is_str(get("A"), "1", "KEY=value");
	is_str(get("B"), "two words", "inner spaces kept");
	is_str(get("lower"), "x", "lower-case names");
	is_str(get("1ABC"), "d", "a name may start with a digit");
	parse_fresh("MY-KEY=a\nmy.key=b\nA[0]=c\nCL\xc3\x89=d\n"
	    "\xe3\x81\x82=e\nX\xc2\xb2=f\n");
	ok(get("MY-KEY") && get("my.key") && get("A[0]"), "- . [ ] in names");
	is_str(get("CL\xc3\x89"), "d", "a Unicode letter in a name");
	is_str(get("\xe3\x81\x82"), "e", "a name of Hiragana");
	is_str(get("X\xc2\xb2"), "f", "a superscript digit (a number)");
	parse_fresh("LAST=no newline");
	is_str(get("LAST"), "no newline", "no final newline");
	parse_fresh("DUP=first\nDUP=second\n");
	is_str(get("DUP"), "second", "a key given twice keeps the last");
	is_int(line_of("DUP"), 2, "and its line");
	parse_fresh("\xef\xbb\xbf" "BOM=v\nNEXT=2\n");
	is_str(get("BOM"), "v", "a UTF-8 BOM is skipped");
	ok(get("\xef\xbb\xbf" "BOM") == NULL, "not glued to the name");
	is_int(parse_fresh("A=1\n\xef\xbb\xbf" "B=2\n"), WS_EX_DATAERR,
	    "a BOM elsewhere is not a name character");
}

static void
test_export_and_separators(void)
{
	parse_fresh("export A=1\nexport  B=2\nexport\tC=3\nexportD=4\n"
	    "export\nexport=5\n");
	is_str(get("A"), "1", "export is dropped");
	is_str(get("B"), "2", "export and two spaces");
	is_str(get("C"), "3", "export and a TAB");
	is_str(get("exportD"), "4", "export glued to a name is the name");
	is_str(get("export"), "5", "a variable called export");
	parse_fresh("A = a\nB =b\nC= c\nD: yaml\nE :f\nF:g=h\n");
	is_str(get("A"), "a", "blanks around =");
	is_str(get("B"), "b", "blank before =");
	is_str(get("C"), "c", "blank after =");
	is_str(get("D"), "yaml", "NAME: value");
	is_str(get("E"), "f", "NAME :value");
	is_str(get("F"), "g=h", "the name ends at the first : or =");
	parse_fresh("   IND=yes\n\tTAB=also\n");
	ok(get("IND") && get("TAB"), "leading blanks before a name");
	parse_fresh("EQ==x\nQ=\"a=b\"\nURL=a://b?c=d&e=f\n");
	is_str(get("EQ"), "=x", "= at the start of a value");
	is_str(get("URL"), "a://b?c=d&e=f", "= inside a value");
}

static void
test_comments(void)
{
	parse_fresh("# c\n  # indented\n#A=1\nB=v # c\nC=v\t# tab\n"
	    "D=a#b\nE=#x\nF= # note\nG=v  # two\nH=v # c # d\n");
	ok(get("A") == NULL, "a commented-out assignment");
	is_str(get("B"), "v", "' #' starts a comment");
	is_str(get("C"), "v\t# tab", "a TAB before # does not");
	is_str(get("D"), "a#b", "# without a blank before it");
	is_str(get("E"), "#x", "# at the start of a value");
	is_str(get("F"), "# note", "blanks after = go first: K= # note");
	is_str(get("G"), "v", "blanks before the comment are trimmed");
	is_str(get("H"), "v", "cut at the first ' #'");
	parse_fresh("Q=\"a #b\" # c\nS='x #y'#c\n");
	is_str(get("Q"), "a #b", "# inside double quotes");
	is_str(get("S"), "x #y", "# inside single quotes, comment after");
}

static void
test_unquoted(void)
{
	parse_fresh("T=value   \nU=value\t\t\nV=    \nW=a\\b\\n\nX=`bt`\n"
	    "Y=it's\nZ=abc\"def\"\nS=!@%^&*()_+[]{}|;:,.<>/?~\n");
	is_str(get("T"), "value", "trailing spaces dropped");
	is_str(get("U"), "value", "trailing TABs dropped");
	is_str(get("V"), "", "a value of blanks is empty");
	is_str(get("W"), "a\\b\\n", "backslashes are literal");
	is_str(get("X"), "`bt`", "backticks are ordinary");
	is_str(get("Y"), "it's", "a quote inside an unquoted value");
	is_str(get("Z"), "abc\"def\"", "quotes in the middle");
	is_str(get("S"), "!@%^&*()_+[]{}|;:,.<>/?~", "punctuation");
	parse_fresh("A=1\r\nB=two words\r\nC=\r\n");
	is_str(get("A"), "1", "CRLF: the CR is dropped");
	is_str(get("B"), "two words", "CRLF after words");
	is_str(get("C"), "", "CRLF after an empty value");
	parse_fresh("A=1\rB=2\n");
	is_str(get("A"), "1\rB=2", "a lone CR is not a line end");
	ok(get("B") == NULL, "so B is not set");
	parse_fresh("E=\nF=1\n");
	is_str(get("E"), "", "KEY= is empty");
	parse_fresh("N=v\xc2\xa0\xe3\x80\x80\n");
	is_str(get("N"), "v", "Unicode white space is trimmed too");
}

static void
test_quotes(void)
{
	parse_fresh("SQ='hello world'\nDQ=\"hello world\"\nE1=\"\"\nE2=''\n"
	    "SP=\"  padded  \"\nS1='  '\nMIX=\"it's\"\nMIX2='say \"hi\"'\n");
	is_str(get("SQ"), "hello world", "single quotes removed");
	is_str(get("DQ"), "hello world", "double quotes removed");
	is_str(get("E1"), "", "empty double quotes");
	is_str(get("E2"), "", "empty single quotes");
	is_str(get("SP"), "  padded  ", "spaces inside quotes kept");
	is_str(get("S1"), "  ", "only spaces inside quotes");
	is_str(get("MIX"), "it's", "' inside \"...\"");
	is_str(get("MIX2"), "say \"hi\"", "\" inside '...'");
	parse_fresh("SQ='a\\nb \\t $X ${X}'\nSE='it\\'s'\n");
	is_str(get("SQ"), "a\\nb \\t $X ${X}", "single quotes: all literal");
	is_str(get("SE"), "it's", "a backslash before ' keeps the quote");
	parse_fresh("ML=\"line one\nline two\"\nMS='a\nb'\nAFTER=ok\n");
	is_str(get("ML"), "line one\nline two", "multi-line double quotes");
	is_str(get("MS"), "a\nb", "multi-line single quotes");
	is_int(line_of("AFTER"), 5, "lines counted inside quotes");
	parse_fresh("CQ=\"a\r\nb\"\r\nSQ='c\r'\r\n");
	is_str(get("CQ"), "a\r\nb", "a CR inside quotes is kept");
	is_str(get("SQ"), "c\r", "also in single quotes");
	parse_fresh("TS=\"q\"   \nK=\"a\"b\n");
	is_str(get("TS"), "q", "blanks after the closing quote");
	is_str(get("K"), "a", "text after a closing quote...");
	ok(ws_store_get_in(run.store, file_src, "b", 1) != NULL,
	    "...is the next statement (a bare name)");
	parse_fresh("K=\"a\"B=2\n");
	is_str(get("B"), "2", "even an assignment");
	is_int(parse_fresh("OPEN=\"never closed\nNEXT=1\n"), WS_EX_DATAERR,
	    "an unterminated double quote is an error");
	ok(finding_at("syntax", 1), "at the line where it opened");
	ok(get("NEXT") == NULL, "the rest of the file is its text");
	is_int(parse_fresh("A=1\nOPEN='never\n"), WS_EX_DATAERR,
	    "an unterminated single quote");
	ok(finding_at("syntax", 2), "line 2");
	is_int(parse_fresh("A=\"abc\\\""), WS_EX_DATAERR,
	    "an escaped quote does not close");
}

static void
test_escapes(void)
{
	parse_fresh("A=\"1\\n2\\t3\\r4\"\nB=\"\\a\\b\\f\\v\"\nC=\"C:\\\\p\\\\t\"\n"
	    "D=\"she said \\\"hi\\\"\"\nE=\"\\$5 \\$X\"\nF=\"\\0101\\0102\"\n"
	    "G=\"\\c\\x41\\u00e9\\q\"\nH=\"\\0\"\nI=\"\\012\"\nJ=\"\\0400\"\n"
	    "K=\"\\0377\"\nL=\"\\01234\"\nM=\"\\'\"\nN=\"\\0089\"\n");
	is_str(get("A"), "1\n2\t3\r4", "\\n \\t \\r");
	is_str(get("B"), "\a\b\f\v", "\\a \\b \\f \\v");
	is_str(get("C"), "C:\\p\\t", "\\\\ is one backslash");
	is_str(get("D"), "she said \"hi\"", "\\\" is a quote");
	is_str(get("E"), "$5 $X", "\\$ is a literal dollar, not interpolated");
	is_str(get("F"), "AB", "\\0NNN octal");
	is_str(get("G"), "\\c\\x41\\u00e9\\q", "other pairs kept as written");
	is_str(get("H"), "\\", "\\0 alone: the 0 is dropped (Compose)");
	is_str(get("I"), "\\12", "two octal digits: kept without the 0");
	is_str(get("J"), "\\400", "over 0377: kept without the 0");
	is_str(get("K"), "\xc3\xbf", "\\0377 is U+00FF in UTF-8 (Compose)");
	is_str(get("L"), "S4", "at most three digits");
	is_str(get("M"), "\\'", "\\' inside double quotes is kept");
	is_str(get("N"), "\\089", "8 and 9 are not octal");
	parse_fresh("A=\"\\\\$PROC\"\nB=\"\\$$\"\nC=\"\\0044PROC\"\n");
	is_str(get("A"), "\\from-process", "\\\\ then $NAME");
	is_str(get("B"), "$$", "\\$ then $");
	is_str(get("C"), "from-process", "escapes come before interpolation");
	is_int(parse_fresh("Z=\"\\0000\"\n"), WS_EX_DATAERR,
	    "an escape that makes a NUL byte is refused");
	ok(finding_at("nul-byte", 1), "nul-byte at line 1");
}

static void
test_names(void)
{
	is_int(parse_fresh("GOOD=1\nthis is not an assignment\nALSO=2\n"),
	    WS_EX_DATAERR, "words without = are an error");
	ok(finding_at("syntax", 2), "reported at line 2");
	is_str(get("ALSO"), "2", "parsing goes on after the error");
	is_int(parse_fresh("MY KEY=v\n"), WS_EX_DATAERR, "a space in a name");
	is_int(parse_fresh("\"KEY\"=v\n"), WS_EX_DATAERR, "a quoted name");
	is_int(parse_fresh("=value\n"), WS_EX_DATAERR, "an empty name");
	is_int(parse_fresh(":value\n"), WS_EX_DATAERR, "an empty name before :");
	is_int(parse_fresh("A$B=1\n"), WS_EX_DATAERR, "$ in a name");
	is_int(parse_fresh("K#=1\n"), WS_EX_DATAERR, "# in a name");
	is_int(parse_fresh("; ini comment\n"), WS_EX_DATAERR, "; is not a comment");
	is_int(parse_fresh("ROCKET\xf0\x9f\x9a\x80=1\n"), WS_EX_DATAERR,
	    "an emoji is not a letter");
	is_int(parse_fresh("A\xc3=1\n"), WS_EX_DATAERR, "truncated UTF-8");
	is_int(parse_fresh("A\xff=1\n"), WS_EX_DATAERR, "invalid UTF-8");
	is_int(parse_fresh("A\xc2\xa0" "B=1\n"), WS_EX_DATAERR,
	    "a no-break space inside a name");
	is_int(parse_fresh("A\tB=1\n"), WS_EX_DATAERR, "a TAB inside a name");
	reset(0);
	is_int(parse_n("K\0=1\n", 5), WS_EX_DATAERR, "a NUL in a name");
	parse_fresh("A\xc2\xa0=1\n");
	is_str(get("A"), "1", "a no-break space after a name is a blank");
	parse_fresh("[section]\n");
	is_int(ws_diag_status(), 0, "[section] is a bare name, not an error");
}

static void
test_nul(void)
{
	static const char a[] = "NUL_VAL=ab\0cd\nAFTER=1\n";
	static const char b[] = "# com\0ment\nC=2\n";
	static const char c[] = "Q=\"x\0y\"\n";

	reset(0);
	is_int(parse_n(a, sizeof(a) - 1), WS_EX_DATAERR, "a NUL in a value");
	ok(finding_at("nul-byte", 1), "nul-byte at line 1");
	reset(0);
	is_int(parse_n(b, sizeof(b) - 1), 0, "a NUL in a comment is harmless");
	is_str(get("C"), "2", "and the file is read");
	reset(0);
	is_int(parse_n(c, sizeof(c) - 1), WS_EX_DATAERR,
	    "a NUL in a quoted value");
}

static void
test_bare_names(void)
{
	struct ws_var *v;

	parse_fresh("PROC\nEMPTY\nJUST_A_KEY\nOTHER=1\n");
	is_str(get("PROC"), "from-process", "a bare name takes the inherited value");
	is_str(get("EMPTY"), "", "set and empty stays empty");
	ok(get("JUST_A_KEY") == NULL, "an unknown bare name is not set");
	v = ws_store_get_in(run.store, file_src, "JUST_A_KEY", 10);
	ok(v != NULL && (v->flags & WS_VAR_NO_VALUE) && v->line == 3,
	    "but is recorded without a value, with its line");
	parse_fresh("UNKNOWN=x\nUNKNOWN\n");
	is_str(get("UNKNOWN"), "x", "an unset bare name keeps an earlier value");
	parse_fresh("PROC  \r\n");
	is_str(get("PROC"), "from-process", "blanks and CR after a bare name");
	parse_fresh("export PROC\n");
	is_str(get("PROC"), "from-process", "export NAME");
	parse_fresh("A=1\nPROC");
	is_str(get("PROC"), "from-process", "a bare name at the end of the file");
}

static void
test_interpolation(void)
{
	parse_fresh("U=alice\nA=hello ${U}\nB=hello $U!\nC=$PROC\nD=${PROC}\n"
	    "E=before-${NOPE}-after\nF=${LATER}\nLATER=x\nG=$U$U${U}\n"
	    "H=$U.x $U-x ${U}}\nI=\"url://${U}:5432\"\nJ=$lower\nlower=l\n");
	is_str(get("A"), "hello alice", "${NAME} of an earlier key");
	is_str(get("B"), "hello alice!", "$NAME of an earlier key");
	is_str(get("C"), "from-process", "$NAME of the environment");
	is_str(get("D"), "from-process", "${NAME} of the environment");
	is_str(get("E"), "before--after", "an unknown name is empty");
	is_str(get("F"), "", "a key further down is not visible");
	is_str(get("G"), "alicealicealice", "adjacent references");
	is_str(get("H"), "alice.x alice-x alice}", "names end at . - }");
	is_str(get("I"), "url://alice:5432", "inside double quotes");
	parse_fresh("D1=just $ sign\nD2=trailing$\nP=$5\nCMD=$(echo hi)\n"
	    "DD=cost $$5\nDD2=\"literal $$PROC\"\nDD3=$$$\nESC=\\$PROC\n"
	    "ESC2=\\${PROC}\n");
	is_str(get("D1"), "just $ sign", "$ and a space");
	is_str(get("D2"), "trailing$", "a trailing $");
	is_str(get("P"), "$5", "$ and a digit");
	is_str(get("CMD"), "$(echo hi)", "no command substitution, ever");
	is_str(get("DD"), "cost $5", "$$ is a literal $");
	is_str(get("DD2"), "literal $PROC", "$$ in double quotes");
	is_str(get("DD3"), "$$", "$$$");
	is_str(get("ESC"), "\\from-process", "unquoted \\$NAME: \\ and the value");
	is_str(get("ESC2"), "\\from-process", "unquoted \\${NAME}");
}

static void
test_operators(void)
{
	parse_fresh("SET=yes\nEV=\n"
	    "A1=${NOPE:-fb}\nA2=${EV:-fb}\nA3=${SET:-fb}\nA4=${NOPE:-two words}\n"
	    "B1=${NOPE-fb}\nB2=${EV-fb}\nB3=${SET-fb}\n"
	    "C1=${NOPE:+alt}\nC2=${EV:+alt}\nC3=${SET:+alt}\n"
	    "D1=${NOPE+alt}\nD2=${EV+alt}\nD3=${SET+alt}\n"
	    "E1=${SET:?m}\nE2=${EV?m}\n"
	    "F1=${NOPE:-${NOPE2:-${SET}}}\nF2=${NOPE:-$SET x}\n"
	    "F3=${SET:-${NOPE:?never evaluated}}\nF4=${NOPE:-a-b}\n"
	    "F5=${NOPE:-{x}}\nF6=${NOPE:-}\nF7=${SET:+[$SET]}\n"
	    "F8=${NOPE:-x}}\nF9=${NOPE:-a:-b}\n");
	is_str(get("A1"), "fb", ":- unset");
	is_str(get("A2"), "fb", ":- empty");
	is_str(get("A3"), "yes", ":- set");
	is_str(get("A4"), "two words", ":- with spaces");
	is_str(get("B1"), "fb", "- unset");
	is_str(get("B2"), "", "- empty");
	is_str(get("B3"), "yes", "- set");
	is_str(get("C1"), "", ":+ unset");
	is_str(get("C2"), "", ":+ empty");
	is_str(get("C3"), "alt", ":+ set");
	is_str(get("D1"), "", "+ unset");
	is_str(get("D2"), "alt", "+ empty");
	is_str(get("D3"), "alt", "+ set");
	is_str(get("E1"), "yes", ":? set");
	is_str(get("E2"), "", "? empty is fine");
	is_str(get("F1"), "yes", "nested defaults");
	is_str(get("F2"), "yes x", "a $NAME inside a default");
	is_str(get("F3"), "yes", "an unused default is not evaluated");
	is_str(get("F4"), "a-b", "- inside a default");
	is_str(get("F5"), "{x}", "braces inside a default balance");
	is_str(get("F6"), "", "an empty default");
	is_str(get("F7"), "[yes]", "$NAME inside an alternative");
	is_str(get("F8"), "x}", "a } after the closing one");
	is_str(get("F9"), "a:-b", "only the first operator counts");
	is_int(ws_diag_status(), 0, "no finding for all that");
}

static void
test_interpolation_errors(void)
{
	static const char *bad[] = { "A=${}\n", "A=${1}\n", "A=${A B}\n",
	    "A=${A:x}\n", "A=${A\n", "A=${\n", "A=\"${A.B}\"\n",
	    "A=${A:-x\n", NULL };
	const char **b;

	for (b = bad; *b != NULL; b++) {
		is_int(parse_fresh(*b), WS_EX_DATAERR, "bad: %.*s",
		    (int)strcspn(*b, "\n"), *b);
		ok(finding_at("syntax", 1), "a syntax finding at line 1");
	}
	is_int(parse_fresh("BEFORE=1\nREQ=${NOPE:?must be set}\n"),
	    WS_EX_DATAERR, "${VAR:?msg} on an unset variable");
	ok(finding_at("required", 2), "at line 2");
	ok(strstr(ws_finding_at(0)->message, "must be set") != NULL,
	    "the author's message is shown");
	is_int(parse_fresh("R=${EV:?}\nEV=\nR2=${EV:?x}\n"), WS_EX_DATAERR,
	    ":? on an empty variable");
	is_int(parse_fresh("R=${NOPE?x}\n"), WS_EX_DATAERR, "? on unset");
	parse_fresh("R=${NOPE:?$SECRETVAR}\n");
	ok(no_leak("hunter2-marker"), "a message that interpolates is not shown");
	is_int(parse_fresh("A=1\nB=2\nC=${\nD=\"x\ny\"\nE=${}\n"), WS_EX_DATAERR,
	    "several errors");
	ok(finding_at("syntax", 3) && finding_at("syntax", 6),
	    "each at its line, after a multi-line value");
	is_str(get("D"), "x\ny", "good lines between are still read");
}

static void
test_bounds(void)
{
	char *big, *p;
	size_t i, n;
	int rc;

	/* B=$A$A, C=$B$B, ...: doubling stops at max-secret-size */
	reset(0);
	run.set->max_secret_size = 4096;
	rc = parse("A=0123456789abcdef0123456789abcdef\nB=$A$A\nC=$B$B\n"
	    "D=$C$C\nE=$D$D\nF=$E$E\nG=$F$F\nH=$G$G\nI=$H$H\nJ=$I$I\n");
	is_int(rc, WS_EX_DATAERR, "exponential interpolation is stopped");
	ok(finding_at("too-large", 9), "at the first value over the cap");
	is_int(strlen(get("H")), 4096, "values up to the cap are fine");
	ok(get("I") == NULL, "the value over the cap is not set");
	run.set->max_secret_size = WS_MAX_SECRET_SIZE_DEFAULT;

	/* a value read over the cap */
	n = 70000;
	big = malloc(n + 16);
	memcpy(big, "BIG=", 4);
	memset(big + 4, 'x', n);
	memcpy(big + 4 + n, "\nOK=1\n", 7);
	reset(0);
	is_int(parse(big), WS_EX_DATAERR, "a value over max-secret-size");
	ok(finding_at("too-large", 1), "too-large at line 1");
	is_str(get("OK"), "1", "the next line is read");
	big[4] = '"';
	big[4 + n - 1] = '"';
	reset(0);
	is_int(parse(big), WS_EX_DATAERR, "also quoted");
	free(big);

	/* nesting is bounded, whatever the file holds */
	n = 200;
	big = malloc(n * 8 + 32);
	p = big + sprintf(big, "A=");
	for (i = 0; i < n; i++)
		p += sprintf(p, "${N:-");
	p += sprintf(p, "x");
	for (i = 0; i < n; i++)
		*p++ = '}';
	strcpy(p, "\n");
	reset(0);
	is_int(parse(big), WS_EX_DATAERR, "nesting 200 deep is refused");
	free(big);
	reset(0);
	is_int(parse("A=${N:-${N:-${N:-${N:-${N:-${N:-${N:-${N:-x}}}}}}}}\n"),
	    0, "nesting 8 deep is fine");
	is_str(get("A"), "x", "and evaluated");

	/* the values of one file are bounded in all: 600 x 64000 bytes */
	n = 64000;
	big = malloc(n + 600 * 8 + 16);
	p = big + sprintf(big, "A=");
	memset(p, 'y', n);
	p += n;
	for (i = 0; i < 600; i++)
		p += sprintf(p, "\nB=$A");
	strcpy(p, "\n");
	reset(0);
	is_int(parse(big), WS_EX_DATAERR, "a file's values are bounded in all");
	free(big);

	/* too many errors: the rest is skipped */
	big = malloc(64 * 40 + 1);
	big[0] = '\0';
	for (i = 0; i < 40; i++)
		strcat(big, "bad line\n");
	reset(0);
	is_int(parse(big), WS_EX_DATAERR, "forty bad lines");
	ok(ws_finding_count() <= 21, "at most twenty findings and a note");
	free(big);
}

static void
test_precedence(void)
{
	struct ws_source *lower;

	/* without --override the inherited environment comes first */
	reset(0);
	parse("X=file-x\nR=${X}\n");
	is_str(get("R"), "env-x", "inherited before the file's own key");
	/* with --override the file's keys come first */
	reset(1);
	parse("X=file-x\nR=${X}\nS=${PROC}\n");
	is_str(get("R"), "file-x", "--override: the file's key first");
	is_str(get("S"), "from-process", "then the environment");
	/* lower layers are seen, higher ones are not */
	reset(0);
	lower = ws_store_source(run.store, WS_KIND_ENV_FILE, "lower.env",
	    WS_RANK_ENV_FILE + 5);
	ws_store_add(run.store, lower, ws_intern("LOW", 3), 3, "low", 3, 1, 0);
	file_src->rank = WS_RANK_ENV_FILE + 3;
	parse("R=${LOW}\n");
	is_str(get("R"), "low", "a lower layer is visible");
	reset(0);
	lower = ws_store_source(run.store, WS_KIND_ENV_FILE, "higher.env",
	    WS_RANK_ENV_FILE + 1);
	ws_store_add(run.store, lower, ws_intern("HIGH", 4), 4, "high", 4, 1, 0);
	file_src->rank = WS_RANK_ENV_FILE + 3;
	parse("R=${HIGH:-hidden}\n");
	is_str(get("R"), "hidden", "a higher layer is not");
}

static void
test_no_leak(void)
{
	reset(0);
	parse("PASSWORD=hunter2-marker\nbad line hunter2-marker\n"
	    "X=\"hunter2-marker\nY=${hunter2-marker}\n");
	reset(0);
	parse("A=hunter2-marker\nB=${A:x}\nC=\"hunter2-marker\\0000\"\n"
	    "D hunter2-marker=1\n");
	ok(ws_finding_count() > 0 && no_leak("hunter2"),
	    "no finding quotes a line or a value");
}

static void
test_load(void)
{
	char dir[] = "/tmp/ws-t-dotenv.XXXXXX", *path;
	struct ws_dotenv_in in;
	struct ws_source *src;
	int fd;

	if (mkdtemp(dir) == NULL)
		abort();
	path = ws_xasprintf("%s/.env", dir);
	reset(0);
	src = ws_store_source(run.store, WS_KIND_ENV_FILE, path,
	    WS_RANK_ENV_FILE);
	is_int(ws_dotenv_load((in = in_of(src), &in), path, 1), 1,
	    "missing and missing_ok: 1");
	is_int(ws_finding_count(), 0, "without a finding");
	is_int(ws_dotenv_load((in = in_of(src), &in), path, 0), WS_EX_NOINPUT,
	    "missing: 66");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "K=v\n", 4) != 4)
		abort();
	close(fd);
	reset(0);
	src = ws_store_source(run.store, WS_KIND_ENV_FILE, path,
	    WS_RANK_ENV_FILE);
	is_int(ws_dotenv_load((in = in_of(src), &in), path, 0), 0, "read");
	ok(src->file_relative, "NAME_FILE paths are relative to the file");
	is_str(ws_store_get_in(run.store, src, "K", 1)->value, "v", "value");
	unlink(path);
	rmdir(dir);
	free(path);
}

/* An interpolation of an unset name is noted for the unset-variable
 * rule (SPEC §4.4): $NAME and ${NAME} only, once per name and value,
 * on the entry the statement made. */
static const char *
notes_of(const char *name)
{
	static char buf[256];
	const struct ws_unset_note *u;
	size_t i, n;

	buf[0] = '\0';
	u = ws_store_unset_notes(run.store, &n);
	for (i = 0; i < n; i++)
		if (strcmp(u[i].v->name, name) == 0) {
			if (buf[0] != '\0')
				strcat(buf, " ");
			strncat(buf, u[i].name, sizeof(buf) - strlen(buf) - 2);
		}
	return buf;
}

static void
test_unset_notes(void)
{
	size_t n;

	parse_fresh("A=x${NOPE}y\nB=\"$NOPE2 and $NOPE2 and $X\"\n"
	    "C=${NOPE3:-d}${NOPE4-}${NOPE5:+a}${NOPE6+b}\nD=$PROC$EMPTY\n"
	    "E='$NOPE7'\nF=$$NOPE8\nG=${A}${NOPE9}\nH=plain\n");
	is_str(get("A"), "xy", "an unset ${NAME} expands to nothing");
	is_str(notes_of("A"), "NOPE", "and is noted");
	is_str(notes_of("B"), "NOPE2", "$NAME too, once per value");
	is_str(notes_of("C"), "", "never the forms that state a default");
	is_str(notes_of("D"), "", "a set name, empty or not, is not");
	is_str(notes_of("E"), "", "nor single quotes");
	is_str(notes_of("F"), "", "nor $$");
	is_str(notes_of("G"), "NOPE9", "a name set above in the file is set");
	(void)ws_store_unset_notes(run.store, &n);
	is_int((int)n, 3, "three notes in all");
	is_int((int)ws_finding_count(), 0, "the parser itself reports nothing");
}

int
main(void)
{
	ws_secmem_init();
	opts.no_config = 1;
	opts.no_layers = 1;
	opts.dirs = current_dir;
	opts.n_dirs = 1;
	opts.dir = current_dir[0];
	run.opts = &opts;
	run.environ_in = fake_environ;
	if (status_of(ws_policy_load, &run) != 0)
		return 99;
	test_basics();
	test_export_and_separators();
	test_comments();
	test_unquoted();
	test_quotes();
	test_escapes();
	test_names();
	test_nul();
	test_bare_names();
	test_interpolation();
	test_operators();
	test_unset_notes();
	test_interpolation_errors();
	test_bounds();
	test_precedence();
	test_no_leak();
	test_load();
	ws_store_free(run.store);
	ws_resolve_free();
	ws_intern_free();
	ws_policy_free(&run);
	ws_diag_reset();
	ws_secmem_wipe_all();
	return done_testing();
}
