/* Messages: ws_escape() keeps one finding on one line and the terminal
 * out of a hostile name's reach. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "util.h"
#include "tap.h"

static void
esc(const char *in, const char *want, const char *what)
{
	char *got = ws_escape(in);

	is_str(got, want, "%s", what);
	free(got);
}

int
main(void)
{
	esc("db_password", "db_password", "plain ASCII is kept");
	esc("", "", "the empty string");
	esc("a\nb\r\tc", "a\\x0ab\\x0d\\x09c", "C0 controls are escaped");
	esc("\033[2J\x7f", "\\x1b[2J\\x7f", "ESC and DEL are escaped");
	esc("cl\xc3\xa9", "cl\xc3\xa9", "valid UTF-8 is kept");
	esc("\xe2\x82\xac \xf0\x9f\x94\x91", "\xe2\x82\xac \xf0\x9f\x94\x91",
	    "three- and four-byte sequences are kept");
	esc("\xc2\x9b" "31m", "\\xc2\\x9b31m",
	    "a C1 control (U+009B, CSI) is escaped");
	esc("\xff\xfe", "\\xff\\xfe", "bytes that are never UTF-8");
	esc("\xc0\xaf", "\\xc0\\xaf", "an overlong form");
	esc("\xed\xa0\x80", "\\xed\\xa0\\x80", "a surrogate");
	esc("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80", "beyond U+10FFFF");
	esc("a\xc3", "a\\xc3", "a truncated sequence at the end");
	esc("\xe2\x82" "A", "\\xe2\\x82A", "a truncated sequence in the middle");
	esc("\xc2\xa0", "\xc2\xa0", "U+00A0 is printable");
	return done_testing();
}
